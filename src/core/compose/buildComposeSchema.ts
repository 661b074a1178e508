import { BALENA_LABELS, describeOutcome, fieldsAt, type ComposeFieldInfo } from './mapping';

/**
 * Builds balena's compose dialect as a JSON Schema (draft-07) from the mapping table, so the
 * schema, the hover texts and the converter share one source. `scripts/genComposeSchema.ts` writes
 * the result to `schemas/balena-compose.schema.json`; a unit test keeps the file in sync.
 *
 * The schema knows every compose field, including the ones balena rejects: those are reported by
 * the balena rules with a reason, while the schema catches misspelled fields and wrong types.
 */
export function buildComposeSchema(): Record<string, unknown> {
  const ext = { '^x-': {} };
  const describe = (f: ComposeFieldInfo): Record<string, unknown> => ({
    ...f.schema,
    markdownDescription: `${f.balena}${f.status !== 'supported' ? ` **balena: ${f.status}**.` : ''}\n\nPantavisor: ${describeOutcome(f.pantavisor)}`,
  });
  const props = (level: string): Record<string, unknown> =>
    Object.fromEntries(fieldsAt(level).map((f) => [f.key.slice(level.length + 1), describe(f)]));

  const labelProps = Object.fromEntries(
    BALENA_LABELS.map((l) => [
      l.label,
      {
        type: ['string', 'number', 'boolean'],
        markdownDescription: `${l.balena}${l.default !== undefined ? ` Default \`${l.default}\`.` : ''}\n\nPantavisor: ${describeOutcome(l.pantavisor)}`,
        ...(l.valueType === 'flag' ? { examples: ['1'] } : {}),
        ...(l.values ? { examples: [...l.values] } : {}),
      },
    ]),
  );
  const labels = {
    type: ['object', 'array'],
    items: { type: 'string' },
    properties: labelProps,
    additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
    markdownDescription: 'Container labels. `io.balena.*` labels turn on balena features.',
  };

  const serviceProps = props('service');
  serviceProps['build'] = {
    ...(serviceProps['build'] as object),
    properties: props('service.build'),
    patternProperties: ext,
    additionalProperties: false,
  };
  serviceProps['labels'] = labels;

  const service = {
    type: 'object',
    properties: serviceProps,
    patternProperties: ext,
    additionalProperties: false,
  };
  const top = props('top');
  top['services'] = { ...(top['services'] as object), patternProperties: ext, additionalProperties: service };
  top['volumes'] = {
    ...(top['volumes'] as object),
    patternProperties: ext,
    additionalProperties: {
      type: ['object', 'null'],
      properties: props('volume'),
      patternProperties: ext,
      additionalProperties: false,
    },
  };
  top['networks'] = {
    ...(top['networks'] as object),
    patternProperties: ext,
    additionalProperties: {
      type: ['object', 'null'],
      properties: props('network'),
      patternProperties: ext,
      additionalProperties: false,
    },
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://pvkit.dev/schemas/balena-compose.schema.json',
    title: 'balena docker-compose.yml',
    markdownDescription:
      'balena’s compose dialect: compose file format 2.x as accepted by balena’s builder and supervisor. Generated from `src/core/compose/mapping.ts`.',
    type: 'object',
    properties: top,
    patternProperties: ext,
    additionalProperties: false,
  };
}
