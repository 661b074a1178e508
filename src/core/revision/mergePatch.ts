import { JsonNumber, isObject, newObject, type JsonObject, type JsonValue } from './canonicalJson';

/**
 * The RFC 7386 merge patch between two revision states, with pvr's quirks (pvr-repo.md §4.3, §7):
 * numbers are compared as doubles, arrays are replaced whole, `null` never equals `null` inside an
 * array, and values taken from a patch are pruned of `null` members and elements on apply.
 */

/** Thrown when a number cannot be held in a double; pvr reports exactly this text. */
export class InvalidJsonDocument extends Error {
  constructor() {
    super('Invalid JSON Document');
  }
}

/**
 * Converts every {@link JsonNumber} into a double, as pvr does before diffing. A number outside the
 * double range throws {@link InvalidJsonDocument}.
 */
export function toDoubles(v: JsonValue): JsonValue {
  if (v instanceof JsonNumber) {
    const d = v.toDouble();
    if (!Number.isFinite(d)) throw new InvalidJsonDocument();
    return d;
  }
  if (Array.isArray(v)) return v.map(toDoubles);
  if (isObject(v)) {
    const o = newObject();
    for (const k of Object.keys(v)) o[k] = toDoubles(v[k] ?? null);
    return o;
  }
  return v;
}

type Kind = 'null' | 'bool' | 'string' | 'number' | 'array' | 'object';
function kind(v: JsonValue): Kind {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' || v instanceof JsonNumber) return 'number';
  return Array.isArray(v) ? 'array' : 'object';
}

function num(v: JsonValue): number {
  return v instanceof JsonNumber ? v.toDouble() : (v as number);
}

/** Equality used for array elements: like deep equality, but `null` is never equal to anything. */
function equalInArray(a: JsonValue, b: JsonValue): boolean {
  const ka = kind(a);
  if (ka === 'null' || ka !== kind(b)) return false;
  if (ka === 'number') return num(a) === num(b);
  if (ka === 'array') {
    const x = a as JsonValue[];
    const y = b as JsonValue[];
    return x.length === y.length && x.every((e, i) => equalInArray(e, y[i] ?? null));
  }
  if (ka === 'object') {
    const x = a as JsonObject;
    const y = b as JsonObject;
    const kx = Object.keys(x);
    if (kx.length !== Object.keys(y).length) return false;
    return kx.every((k) => k in y && equalInArray(x[k] ?? null, y[k] ?? null));
  }
  return a === b;
}

/**
 * Builds the merge patch that turns `from` into `to` (both objects). Members that differ carry the
 * `to` value, members only in `from` are `null`, nested objects give nested patches (omitted when
 * empty).
 */
export function createMergePatch(from: JsonObject, to: JsonObject): JsonObject {
  const patch = newObject();
  for (const k of Object.keys(to)) {
    const b = to[k] ?? null;
    if (!(k in from)) {
      patch[k] = b;
      continue;
    }
    const a = from[k] ?? null;
    const ka = kind(a);
    if (ka !== kind(b)) patch[k] = b;
    else if (ka === 'object') {
      const sub = createMergePatch(a as JsonObject, b as JsonObject);
      if (Object.keys(sub).length) patch[k] = sub;
    } else if (ka === 'array') {
      if (!equalInArray(a, b)) patch[k] = b;
    } else if (ka === 'number') {
      if (num(a) !== num(b)) patch[k] = b;
    } else if (a !== b) patch[k] = b;
  }
  for (const k of Object.keys(from)) if (!(k in to)) patch[k] = null;
  return patch;
}

/** Removes `null` object members and `null` array elements, recursively. */
export function prune(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.filter((e) => e !== null).map(prune);
  if (isObject(v)) {
    const o = newObject();
    for (const k of Object.keys(v)) {
      const e = v[k] ?? null;
      if (e !== null) o[k] = prune(e);
    }
    return o;
  }
  return v;
}

/**
 * Applies a merge patch to `target` (not modified) the way pvr's commit does: `null` deletes, two
 * objects merge recursively, anything else is replaced by the pruned patch value.
 */
export function applyMergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const out = newObject();
  for (const k of Object.keys(target)) out[k] = target[k] ?? null;
  for (const k of Object.keys(patch)) {
    const p = patch[k] ?? null;
    if (p === null) {
      delete out[k];
      continue;
    }
    const t = out[k];
    if (isObject(p) && isObject(t)) out[k] = applyMergePatch(t, p);
    else out[k] = prune(p);
  }
  return out;
}
