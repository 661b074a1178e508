import type { ErrorObject } from 'ajv';
import type { Document } from 'yaml';
import type { CoreDiagnostic, Severity } from '../diagnostics';
import { decodePointer } from '../parse/parseJson';
import { mapGet, walkYaml, type YamlNode } from '../parse/parseYaml';
import { schemaMessage } from '../schema/ajvErrorsToDiagnostics';

/**
 * Maps ajv errors onto YAML nodes with the project's error location policy (house style 7):
 * `required` → the key of the object missing the property (or its first character);
 * `additionalProperties` → the offending key; everything else → the value node.
 */
export function yamlSchemaDiagnostics(
  errors: readonly ErrorObject[],
  doc: Document,
  file: string,
  code: string,
  source: string,
): CoreDiagnostic[] {
  const out: CoreDiagnostic[] = [];
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    const segments = decodePointer(e.instancePath);
    const { node, keyNode } = walkYaml(doc, segments);
    let target: YamlNode | null | undefined = node;
    let start: number | undefined;
    let end: number | undefined;
    if (e.keyword === 'required') {
      target = keyNode;
      if (!target && node?.range) {
        start = node.range[0];
        end = node.range[0] + 1;
      }
    } else if (e.keyword === 'additionalProperties') {
      const name = (e.params as { additionalProperty: string }).additionalProperty;
      target = mapGet(doc, node, name)?.keyNode ?? node;
    }
    if (start === undefined && target?.range) {
      start = target.range[0];
      end = target.range[1];
    }
    const parent = (e.parentSchema ?? {}) as { 'x-severity'?: Severity };
    out.push({
      file,
      start: start ?? 0,
      end: Math.max(end ?? 0, (start ?? 0) + 1),
      severity: parent['x-severity'] ?? 'error',
      code,
      message: schemaMessage(e, segments),
      source,
    });
  }
  return out;
}
