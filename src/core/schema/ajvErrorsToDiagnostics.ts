import type { ErrorObject } from 'ajv';
import type { CoreDiagnostic, Severity } from '../diagnostics';
import { decodePointer, keyNode, walk, type JsonNode } from '../parse/parseJson';

export const SCHEMA_SOURCE = 'pantavisor-schema';

interface Annotated {
  patternErrorMessage?: string;
  errorMessage?: string;
  'x-severity'?: Severity;
  'x-code'?: string;
  enum?: unknown[];
  const?: unknown;
  title?: string;
}

function pointerLabel(segments: string[]): string {
  return segments.length ? segments.join('.') : 'value';
}

function describeType(t: unknown): string {
  const list = Array.isArray(t) ? t.map(String) : [String(t)];
  return list
    .map((x) => (x === 'array' || x === 'object' || x === 'integer' ? `an ${x}` : `a ${x}`))
    .join(' or ');
}

function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** A short, user-facing message for one ajv error. */
export function schemaMessage(e: ErrorObject, segments: string[]): string {
  const base = baseMessage(e, segments);
  // A schema's errorMessage says what Pantavisor does with the value and how to fix it; the
  // generic text above says what is wrong, so for these keywords both are shown.
  const explain = (e.parentSchema as Annotated | undefined)?.errorMessage;
  return explain && EXPLAINED.has(e.keyword) ? `${base} ${explain}` : base;
}

const EXPLAINED = new Set(['required', 'type', 'enum', 'const']);

function baseMessage(e: ErrorObject, segments: string[]): string {
  const parent = (e.parentSchema ?? {}) as Annotated;
  const where = pointerLabel(segments);
  switch (e.keyword) {
    case 'required':
      return `Missing property "${String((e.params as { missingProperty: string }).missingProperty)}" in ${where}.`;
    case 'additionalProperties':
      return `Property "${String((e.params as { additionalProperty: string }).additionalProperty)}" is not allowed in ${where}.`;
    case 'type':
      return `${where} must be ${describeType((e.params as { type: unknown }).type)}, not ${jsonTypeOf(e.data)}.`;
    case 'enum': {
      const allowed = ((e.params as { allowedValues?: unknown[] }).allowedValues ?? parent.enum ?? []).map(
        (v) => JSON.stringify(v),
      );
      return `${where} must be one of ${allowed.join(', ')}; got ${JSON.stringify(e.data)}.`;
    }
    case 'const':
      return `${where} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}; got ${JSON.stringify(e.data)}.`;
    case 'pattern':
      return parent.patternErrorMessage
        ? `${where}: ${parent.patternErrorMessage}`
        : `${where} ${e.message ?? 'does not match'}.`;
    case 'anyOf':
    case 'oneOf':
      return parent.errorMessage
        ? `${where}: ${parent.errorMessage}`
        : `${where} does not match any allowed form.`;
    default:
      return parent.errorMessage
        ? `${where}: ${parent.errorMessage}`
        : `${where} ${e.message ?? 'is invalid'}.`;
  }
}

/**
 * Turns ajv errors into diagnostics on the JSON tree (house style 7): `required` on the parent's
 * key (or the object's first character), `additionalProperties` on the offending key, the rest on
 * the value. `rootKeyNode` is the key whose value `root` is, when the document is embedded in a
 * state (so a missing property is reported on `"x/run.json"` rather than on `{`).
 */
export function ajvErrorsToDiagnostics(
  errors: readonly ErrorObject[],
  root: JsonNode | undefined,
  file: string,
  opts: { rootKeyNode?: JsonNode; labelPrefix?: string[] } = {},
): CoreDiagnostic[] {
  // Errors inside a failing anyOf/oneOf branch only explain why that branch failed; keep the
  // anyOf/oneOf error itself unless a single branch is the obvious intent (then the branch errors
  // are more precise). We keep branch errors when exactly one branch has the same JSON type.
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const dropped = new Set<ErrorObject>();
  for (const c of combinators) {
    const branchErrors = errors.filter((e) => e !== c && e.schemaPath.startsWith(c.schemaPath + '/'));
    const typeMismatchBranches = new Set(
      branchErrors
        .filter((e) => e.keyword === 'type' && e.instancePath === c.instancePath)
        .map((e) => e.schemaPath),
    );
    const branches = new Set(
      branchErrors.map((e) => e.schemaPath.slice(c.schemaPath.length + 1).split('/')[0]),
    );
    const plausible = [...branches].filter(
      (b) => ![...typeMismatchBranches].some((p) => p.startsWith(`${c.schemaPath}/${b}/`)),
    );
    if (plausible.length === 1) {
      dropped.add(c);
      for (const e of branchErrors)
        if (!e.schemaPath.startsWith(`${c.schemaPath}/${plausible[0]}/`)) dropped.add(e);
    } else {
      for (const e of branchErrors) dropped.add(e);
    }
  }
  const out: CoreDiagnostic[] = [];
  for (const e of errors) {
    if (dropped.has(e) || e.keyword === 'if') continue;
    const segments = decodePointer(e.instancePath);
    const { node } = walk(root, segments);
    const parent = (e.parentSchema ?? {}) as Annotated;
    let target: JsonNode | undefined = node;
    if (e.keyword === 'required') {
      // The object that lacks the property is named by its key in the parent; point there.
      const parentNode = segments.length > 0 ? walk(root, segments.slice(0, -1)).node : undefined;
      const named =
        segments.length > 0 ? keyNode(parentNode, segments[segments.length - 1] ?? '') : opts.rootKeyNode;
      if (!named && node) {
        out.push(
          diag(file, node.offset, node.offset + 1, e, parent, [...(opts.labelPrefix ?? []), ...segments]),
        );
        continue;
      }
      target = named;
    } else if (e.keyword === 'additionalProperties') {
      const name = (e.params as { additionalProperty: string }).additionalProperty;
      target = keyNode(node, name) ?? node;
    }
    if (!target) {
      out.push(diag(file, 0, 0, e, parent, [...(opts.labelPrefix ?? []), ...segments]));
      continue;
    }
    out.push(
      diag(file, target.offset, target.offset + target.length, e, parent, [
        ...(opts.labelPrefix ?? []),
        ...segments,
      ]),
    );
  }
  return out;
}

function diag(
  file: string,
  start: number,
  end: number,
  e: ErrorObject,
  parent: Annotated,
  label: string[],
): CoreDiagnostic {
  return {
    file,
    start,
    end,
    severity: parent['x-severity'] ?? 'error',
    code: parent['x-code'] ?? `schema.${e.keyword}`,
    message: schemaMessage(e, label),
    source: SCHEMA_SOURCE,
  };
}
