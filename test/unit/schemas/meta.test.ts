import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REVISION_SCHEMAS, SCHEMA_BASE, SchemaSet } from '../../../src/core/schema/schemaSet';
import { FILE_KINDS } from '../../../src/core/revision/fileKinds';
import { ROOT } from '../../support/corpus';

/**
 * The schemas are a product of their own: hover and completion must teach the format, so every
 * property says what it is, every enum explains each value, and every warning says what
 * Pantavisor does.
 */

type Schema = Record<string, unknown>;

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Resolves a `$ref` (relative file name and/or `#/json/pointer`) against the schema `file`. */
function resolveRef(file: string, ref: string): { file: string; schema: Schema } {
  const [target, pointer = ''] = ref.split('#');
  const targetFile = target ? target : file;
  let node: unknown = REVISION_SCHEMAS[targetFile];
  assert.ok(node, `${file}: $ref ${ref} names an unknown schema file`);
  for (const seg of pointer.split('/').filter(Boolean)) node = (node as Schema)[seg];
  assert.ok(isSchema(node), `${file}: $ref ${ref} does not resolve`);
  return { file: targetFile, schema: node };
}

function describedBy(file: string, s: Schema): boolean {
  if (typeof s['description'] === 'string' && s['description'].length > 0) return true;
  if (typeof s['$ref'] === 'string') {
    const r = resolveRef(file, s['$ref']);
    return describedBy(r.file, r.schema);
  }
  return false;
}

interface Visit {
  file: string;
  path: string;
  schema: Schema;
  /** Set when the schema is the value of a named property, pattern property or definition. */
  named: boolean;
  /** Inside `if` or `not`: a condition, never shown to users. */
  condition: boolean;
}

/** One JSON-pointer segment, escaped for use in a `$ref`/`getSchema` URI fragment. */
function seg(key: string): string {
  return encodeURIComponent(key.replace(/~/g, '~0').replace(/\//g, '~1'));
}

function* walk(file: string, s: unknown, path: string, named: boolean, condition: boolean): Generator<Visit> {
  if (!isSchema(s)) return;
  yield { file, path, schema: s, named, condition };
  for (const key of ['properties', 'patternProperties', 'definitions', 'dependencies'] as const) {
    const m = s[key];
    if (isSchema(m))
      for (const [k, v] of Object.entries(m))
        yield* walk(file, v, `${path}/${key}/${seg(k)}`, key !== 'dependencies', condition);
  }
  for (const key of [
    'additionalProperties',
    'items',
    'not',
    'if',
    'then',
    'else',
    'contains',
    'propertyNames',
  ] as const) {
    const v = s[key];
    const cond = condition || key === 'if' || key === 'not';
    if (Array.isArray(v))
      for (const [i, x] of v.entries()) yield* walk(file, x, `${path}/${key}/${i}`, true, cond);
    else yield* walk(file, v, `${path}/${key}`, key === 'additionalProperties' || key === 'items', cond);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const v = s[key];
    if (Array.isArray(v))
      for (const [i, x] of v.entries()) yield* walk(file, x, `${path}/${key}/${i}`, false, condition);
  }
}

function allVisits(): Visit[] {
  return Object.entries(REVISION_SCHEMAS)
    .flatMap(([file, s]) => [...walk(file, s, '#', true, false)])
    .filter((v) => !v.condition);
}

/** `properties: { x: true }` only marks a property as known for a `required` next to it. */
function isPresenceMarker(v: Visit): boolean {
  return Object.keys(v.schema).length === 0;
}

test('the schema table lists every file in schemas/ and every FILE_KINDS schema', () => {
  // The balena compose and balena.yml schemas describe YAML files, not revision files; they are
  // checked in test/unit/core/compose.
  const files = readdirSync(join(ROOT, 'schemas')).filter(
    (f) => f.endsWith('.schema.json') && !f.startsWith('balena-'),
  );
  assert.deepEqual(Object.keys(REVISION_SCHEMAS).sort(), files.sort());
  for (const info of Object.values(FILE_KINDS))
    if (info.schema) assert.ok(REVISION_SCHEMAS[info.schema], `${info.kind}: ${info.schema} missing`);
});

test('each schema has a stable, unique $id, a unique title and draft-07', () => {
  const ids = new Set<string>();
  const titles = new Set<string>();
  for (const [file, s] of Object.entries(REVISION_SCHEMAS) as [string, Schema][]) {
    assert.equal(s['$id'], SCHEMA_BASE + file, `${file}: $id`);
    assert.equal(s['$schema'], 'http://json-schema.org/draft-07/schema#', `${file}: $schema`);
    assert.ok(typeof s['title'] === 'string' && s['title'], `${file}: title`);
    assert.ok(describedBy(file, s), `${file}: description`);
    assert.ok(!ids.has(s['$id']) && !titles.has(s['title']), `${file}: duplicate $id or title`);
    ids.add(s['$id']);
    titles.add(s['title']);
  }
});

test('every property, pattern property, definition and item has a description', () => {
  const missing = allVisits()
    .filter((v) => v.named && !isPresenceMarker(v) && !describedBy(v.file, v.schema))
    .map((v) => `${v.file}${v.path}`);
  assert.deepEqual(missing, []);
});

test('every enum has enumDescriptions of the same length', () => {
  const bad = allVisits()
    .filter((v) => Array.isArray(v.schema['enum']))
    .filter((v) => {
      const d = v.schema['enumDescriptions'];
      return !Array.isArray(d) || d.length !== (v.schema['enum'] as unknown[]).length || d.some((x) => !x);
    })
    .map((v) => `${v.file}${v.path}`);
  assert.deepEqual(bad, []);
});

test('every tolerated failure says what Pantavisor does (x-severity comes with a message)', () => {
  const bad = allVisits()
    .filter((v) => v.schema['x-severity'] !== undefined)
    .filter(
      (v) =>
        !['error', 'warning', 'info'].includes(v.schema['x-severity'] as string) ||
        (typeof v.schema['errorMessage'] !== 'string' && typeof v.schema['patternErrorMessage'] !== 'string'),
    )
    .map((v) => `${v.file}${v.path}`);
  assert.deepEqual(bad, []);
});

test('every pattern has a patternErrorMessage', () => {
  const bad = allVisits()
    .filter(
      (v) => typeof v.schema['pattern'] === 'string' && typeof v.schema['patternErrorMessage'] !== 'string',
    )
    .map((v) => `${v.file}${v.path}`);
  assert.deepEqual(bad, []);
});

test('the walk sees a substantial, fully described vocabulary', () => {
  const props = allVisits().filter(
    (v) => /\/(properties|patternProperties)\/[^/]+$/.test(v.path) && !isPresenceMarker(v),
  );
  // A floor, so that a walk that silently stops descending cannot pass the checks above.
  assert.ok(props.length >= 200, `only ${props.length} properties seen`);
});

test('every default and example is valid against its own subschema', () => {
  const schemasSet = new SchemaSet();
  const bad: string[] = [];
  for (const v of allVisits()) {
    const samples = [
      ...(v.schema['default'] !== undefined ? [v.schema['default']] : []),
      ...(Array.isArray(v.schema['examples']) ? (v.schema['examples'] as unknown[]) : []),
    ];
    if (!samples.length) continue;
    const ref = `${v.file}${v.path}`;
    for (const sample of samples) {
      // Only the subschema's own keywords matter here; a warning-level failure is still a bad default.
      if (schemasSet.validate(ref, sample).length) bad.push(`${ref}: ${JSON.stringify(sample)}`);
    }
  }
  assert.deepEqual(bad, []);
});
