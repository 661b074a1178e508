import type { CoreDiagnostic } from './diagnostics';
import { normalizeDiagnostics } from './diagnostics';
import { parseJson } from './parse/parseJson';
import { getNodeValue } from 'jsonc-parser';
import { ajvErrorsToDiagnostics } from './schema/ajvErrorsToDiagnostics';
import { SchemaSet } from './schema/schemaSet';
import { FILE_KINDS, type FileKind } from './revision/fileKinds';
import { modelFromCheckout, modelFromState, type CheckoutFile } from './revision/RevisionModel';
import { SYNTAX_SOURCE, validateRevision } from './revision/validateRevision';

export interface PantavisorService {
  /** A whole state in one file (`state.json`, `pvr json` output, `.pvr/json`). */
  validateState(file: string, text: string): CoreDiagnostic[];
  /** A pvr checkout: its files (JSON with text, objects without) and `.pvr/json`. */
  validateCheckout(
    root: string,
    files: readonly CheckoutFile[],
    pristine?: { file: string; text: string },
  ): CoreDiagnostic[];
  /** One revision file on its own, against the schema of `kind` (no cross-file rules). */
  validateFile(file: string, text: string, kind: FileKind): CoreDiagnostic[];
  readonly schemas: SchemaSet;
}

/** The core facade (house style 3): plain data in, plain data out, no I/O. */
export function createPantavisorService(schemas: SchemaSet = new SchemaSet()): PantavisorService {
  return {
    schemas,
    validateState: (file, text) => validateRevision(modelFromState(file, text), schemas),
    validateCheckout: (root, files, pristine) =>
      validateRevision(modelFromCheckout(root, files, pristine), schemas),
    validateFile(file, text, kind) {
      if (kind === 'state') return this.validateState(file, text);
      const parsed = parseJson(text);
      const out: CoreDiagnostic[] = parsed.errors.map((e) => ({
        file,
        start: e.start,
        end: e.end,
        severity: 'error',
        code: 'PV001',
        message: e.message,
        source: SYNTAX_SOURCE,
      }));
      const name = FILE_KINDS[kind].schema;
      if (name && parsed.root)
        out.push(
          ...ajvErrorsToDiagnostics(schemas.validate(name, getNodeValue(parsed.root)), parsed.root, file),
        );
      return normalizeDiagnostics(out);
    },
  };
}
