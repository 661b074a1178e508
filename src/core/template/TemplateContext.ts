import type { PvrSource } from './decodeSrcJson';
import { goText, isGoMap, JsonNumber, sortedKeys, truthy, type GoMap, type GoValue } from './goValue';

/** A problem pvr's template reports ("template: ...: error calling ..."): pvr exits 3 and writes nothing. */
export class TemplateError extends Error {}

export type TemplateCompat = 'fixed' | 'pvr037';

/** Something the user should know about the rendered files; `code` is stable. */
export interface TemplateWarning {
  code: string;
  message: string;
}

/** Everything the two templates read, decoded once. */
export class TemplateContext {
  /** `args` of src.json (`{}` when absent or null). */
  readonly args: GoMap;
  /** The docker view D: `docker_config` with the non-null members of `config` laid over it. */
  readonly docker: GoMap;
  readonly warnings: TemplateWarning[] = [];

  constructor(
    readonly name: string,
    readonly source: PvrSource,
    readonly effectiveGroup: string | undefined,
    readonly compat: TemplateCompat,
  ) {
    this.args = source.args ?? new Map<string, GoValue>();
    this.docker = new Map(source.dockerConfig ?? []);
    for (const [k, v] of source.config ?? []) if (v !== null) this.docker.set(k, v);
  }

  arg(key: string): GoValue | undefined {
    return this.args.get(key);
  }

  warn(code: string, message: string): void {
    if (!this.warnings.some((w) => w.code === code && w.message === message))
      this.warnings.push({ code, message });
  }

  /**
   * The config gate: false for data containers (`PV_RUNLEVEL` "data") and mounted-only ones
   * (`PV_STATUS_GOAL` "MOUNTED"). Go's `and` stops at the first false operand, so PV_STATUS_GOAL is
   * only compared (and can only fail) when the runlevel is not "data".
   */
  gate(): boolean {
    const rl = this.arg('PV_RUNLEVEL');
    if (textEquals(rl ?? '__null__', 'data', 'args.PV_RUNLEVEL')) return false;
    const sg = this.arg('PV_STATUS_GOAL');
    return !textEquals(sg ?? '__null__', 'MOUNTED', 'args.PV_STATUS_GOAL');
  }
}

/**
 * text/template `eq`/`ne` against a string constant: strings and json.Numbers (a string kind in Go)
 * compare by text; booleans, arrays and objects are "incompatible types for comparison".
 */
export function textEquals(v: GoValue, s: string, what: string): boolean {
  if (typeof v === 'string') return v === s;
  if (v instanceof JsonNumber) return v.text === s;
  if (v === null) return false;
  throw new TemplateError(
    `${what}: incompatible types for comparison (${describe(v)} compared with "${s}"; use a string)`,
  );
}

/**
 * text/template `range` over a value: an array's items, an object's values in key order. Strings,
 * numbers and `true` cannot be iterated (pvr: "range can't iterate over ...").
 */
export function iterate(v: GoValue | undefined, what: string): (GoValue | undefined)[] {
  if (Array.isArray(v)) return v;
  if (isGoMap(v)) return sortedKeys(v).map((k) => v.get(k));
  if (!truthy(v)) return [];
  throw new TemplateError(`${what}: range can't iterate over ${goText(v)} (write a JSON array)`);
}

/** A value that must be a string (sprig functions with a `string` parameter). */
export function requireString(v: GoValue | undefined, what: string): string {
  if (typeof v === 'string') return v;
  throw new TemplateError(
    `${what}: wrong type for value; expected string; got ${describe(v)} (write a JSON string)`,
  );
}

export function describe(v: GoValue | undefined): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return `boolean ${String(v)}`;
  if (v instanceof JsonNumber) return `number ${v.text}`;
  if (Array.isArray(v)) return 'an array';
  return 'an object';
}
