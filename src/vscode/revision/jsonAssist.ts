import { getLanguageService, type JSONSchema, type LanguageService } from 'vscode-json-languageservice';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { absolutizeRefs, REVISION_SCHEMAS, SCHEMA_BASE } from '../../core/schema/schemaSet';
import { FILE_KINDS, type FileKind } from '../../core/revision/fileKinds';

/**
 * Completion and hover from our schemas, through Microsoft's JSON language service run in-process.
 * We do not contribute the schemas with `jsonValidation`: a file-name match cannot tell a revision's
 * run.json from any other run.json, and VS Code's validation would duplicate ours.
 */
let service: LanguageService | undefined;

function ls(): LanguageService {
  if (service) return service;
  service = getLanguageService({
    // Every schema is registered below; nothing is ever fetched.
    schemaRequestService: (uri) => Promise.reject(new Error(`schema ${uri} is not bundled`)),
  });
  service.configure({
    validate: false,
    allowComments: false,
    schemas: Object.entries(REVISION_SCHEMAS).map(([name, schema]) => ({
      uri: SCHEMA_BASE + name,
      schema: absolutizeRefs(schema) as JSONSchema,
      fileMatch: [`pvkit-kind-${name}`],
    })),
  });
  return service;
}

function docFor(kind: FileKind, text: string, version: number): TextDocument | undefined {
  const schema = FILE_KINDS[kind].schema;
  if (!schema) return undefined;
  return TextDocument.create(`pvkit:/revision/pvkit-kind-${schema}`, 'json', version, text);
}

export interface AssistCompletion {
  label: string;
  kind?: number;
  insertText?: string;
  isSnippet: boolean;
  documentation?: string;
  detail?: string;
  filterText?: string;
  sortText?: string;
  /** Replacement range as offsets. */
  range?: { start: number; end: number };
}

export async function complete(
  kind: FileKind,
  text: string,
  offset: number,
  version = 0,
): Promise<AssistCompletion[]> {
  const doc = docFor(kind, text, version);
  if (!doc) return [];
  const s = ls();
  const list = await s.doComplete(doc, doc.positionAt(offset), s.parseJSONDocument(doc));
  return (list?.items ?? []).map((i) => {
    const edit = i.textEdit && 'range' in i.textEdit ? i.textEdit : undefined;
    const doc2 = typeof i.documentation === 'string' ? i.documentation : i.documentation?.value;
    return {
      label: i.label,
      ...(i.kind !== undefined ? { kind: i.kind } : {}),
      insertText: edit?.newText ?? i.insertText ?? i.label,
      isSnippet: i.insertTextFormat === 2,
      ...(doc2 ? { documentation: doc2 } : {}),
      ...(i.detail ? { detail: i.detail } : {}),
      ...(i.filterText ? { filterText: i.filterText } : {}),
      ...(i.sortText ? { sortText: i.sortText } : {}),
      ...(edit
        ? { range: { start: doc.offsetAt(edit.range.start), end: doc.offsetAt(edit.range.end) } }
        : {}),
    };
  });
}

export async function hover(
  kind: FileKind,
  text: string,
  offset: number,
  version = 0,
): Promise<{ markdown: string; start: number; end: number } | undefined> {
  const doc = docFor(kind, text, version);
  if (!doc) return undefined;
  const s = ls();
  const h = await s.doHover(doc, doc.positionAt(offset), s.parseJSONDocument(doc));
  if (!h) return undefined;
  const parts = (Array.isArray(h.contents) ? h.contents : [h.contents])
    .map((c) => (typeof c === 'string' ? c : c.value))
    .filter((c) => c.trim() !== '');
  if (!parts.length) return undefined;
  return {
    markdown: parts.join('\n\n'),
    start: h.range ? doc.offsetAt(h.range.start) : offset,
    end: h.range ? doc.offsetAt(h.range.end) : offset,
  };
}
