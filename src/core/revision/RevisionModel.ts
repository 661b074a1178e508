import { parseJson, type JsonNode, type JsonSyntaxError, type ParsedJson } from '../parse/parseJson';
import { getNodeValue } from 'jsonc-parser';
import { kindOfKey, type FileKind } from './fileKinds';

/** One key of a revision: where it is written and what it holds. */
export interface RevisionEntry {
  key: string;
  kind: FileKind;
  /** Parsed value: inline JSON, the sha string of an object, or undefined for an object file on disk. */
  value: unknown;
  /** The file whose text holds this entry (the state file, or the entry's own file in a checkout). */
  file: string;
  /** The value node in `file`'s tree, for ranges. Undefined for object files in a checkout. */
  node?: JsonNode;
  /** The key node (state form only). */
  keyNode?: JsonNode;
  /** In a checkout: the entry is an object file that exists on disk (not inline JSON). */
  onDisk?: boolean;
}

export interface ParsedFile {
  file: string;
  text: string;
  root: JsonNode | undefined;
  errors: JsonSyntaxError[];
  /** The JSON type of the root value, known without building the tree. */
  rootType: string | undefined;
}

/**
 * A revision in either of its forms, reduced to what the rules need: every key with its value and
 * location. In the state form every entry lives in one file; in a checkout each JSON file is its own.
 */
export interface RevisionModel {
  form: 'state' | 'checkout';
  /** The state file, or the checkout root. */
  origin: string;
  entries: Map<string, RevisionEntry>;
  /** Where `#spec` comes from: the state itself, or `.pvr/json` in a checkout. */
  spec?: { value: unknown; file: string; node?: JsonNode; keyNode?: JsonNode; present: boolean };
  /** Every parsed file, for syntax errors and schema validation. */
  files: ParsedFile[];
}

/** Parses a state's tree only when a location is needed, and indexes its top-level properties. */
class LazyTree {
  private parsed: ParsedJson | undefined;
  private props: Map<string, JsonNode> | undefined;

  constructor(private readonly text: string) {}

  get value(): ParsedJson {
    this.parsed ??= parseJson(this.text);
    return this.parsed;
  }

  prop(key: string): JsonNode | undefined {
    if (!this.props) {
      this.props = new Map();
      const root = this.value.root;
      // Later duplicates win, as in JSON.parse, Go's decoder and Pantavisor's parser.
      if (root?.type === 'object')
        for (const p of root.children ?? [])
          if (typeof p.children?.[0]?.value === 'string') this.props.set(p.children[0].value, p);
    }
    return this.props.get(key);
  }
}

/**
 * Builds the model of a single state file (`state.json`, `pvr json` output, `.pvr/json`). Valid
 * JSON is read with JSON.parse and the syntax tree is built only if a diagnostic needs a location,
 * which keeps a clean 1,000-container state cheap to validate.
 */
export function modelFromState(file: string, text: string): RevisionModel {
  let whole: unknown;
  let ok = false;
  try {
    whole = JSON.parse(text);
    ok = true;
  } catch {
    ok = false;
  }
  const tree = new LazyTree(text);
  if (!ok || !whole || typeof whole !== 'object' || Array.isArray(whole)) return eagerModel(file, text);
  const parsedFile: ParsedFile = {
    file,
    text,
    errors: [],
    rootType: 'object',
    get root() {
      return tree.value.root;
    },
  };
  const model: RevisionModel = { form: 'state', origin: file, entries: new Map(), files: [parsedFile] };
  for (const [key, value] of Object.entries(whole as Record<string, unknown>)) {
    if (key === '#spec') {
      model.spec = {
        value,
        file,
        present: true,
        get node() {
          return tree.prop(key)?.children?.[1];
        },
        get keyNode() {
          return tree.prop(key)?.children?.[0];
        },
      };
      continue;
    }
    model.entries.set(key, {
      key,
      kind: kindOfKey(key, value),
      value,
      file,
      get node() {
        return tree.prop(key)?.children?.[1];
      },
      get keyNode() {
        return tree.prop(key)?.children?.[0];
      },
    });
  }
  model.spec ??= {
    value: undefined,
    file,
    present: false,
    get node() {
      return tree.value.root;
    },
  };
  return model;
}

/** The model of a state with syntax errors (or not an object): built from the recovering parser's tree. */
function eagerModel(file: string, text: string): RevisionModel {
  const parsed = parseJson(text);
  const model: RevisionModel = {
    form: 'state',
    origin: file,
    entries: new Map(),
    files: [{ file, ...parsed, rootType: parsed.root?.type }],
  };
  const root = parsed.root;
  if (!root || root.type !== 'object') return model;
  for (const prop of root.children ?? []) {
    const k = prop.children?.[0];
    const v = prop.children?.[1];
    if (!k || typeof k.value !== 'string') continue;
    const key = k.value;
    const value: unknown = v ? getNodeValue(v) : undefined;
    if (key === '#spec') {
      model.spec = { value, file, node: v, keyNode: k, present: true };
      continue;
    }
    model.entries.set(key, { key, kind: kindOfKey(key, value), value, file, node: v, keyNode: k });
  }
  model.spec ??= { value: undefined, file, node: root, present: false };
  return model;
}

export interface CheckoutFile {
  /** Revision key: path relative to the checkout root with `/` separators. */
  key: string;
  /** Path used in diagnostics (usually absolute). */
  file: string;
  /** Text for `*.json` files; undefined for object files (only their existence matters here). */
  text?: string;
}

/**
 * Builds the model of a pvr checkout from its files (the caller walks the disk). `pristine` is
 * `.pvr/json`, used for the root `#spec`.
 */
export function modelFromCheckout(
  root: string,
  files: readonly CheckoutFile[],
  pristine?: { file: string; text: string },
): RevisionModel {
  const model: RevisionModel = { form: 'checkout', origin: root, entries: new Map(), files: [] };
  for (const f of files) {
    if (f.text === undefined) {
      model.entries.set(f.key, {
        key: f.key,
        kind: kindOfKey(f.key),
        value: undefined,
        file: f.file,
        onDisk: true,
      });
      continue;
    }
    const parsed = parseJson(f.text);
    model.files.push({ file: f.file, ...parsed, rootType: parsed.root?.type });
    const value: unknown = parsed.root ? getNodeValue(parsed.root) : undefined;
    model.entries.set(f.key, {
      key: f.key,
      kind: kindOfKey(f.key, value),
      value,
      file: f.file,
      node: parsed.root,
    });
  }
  if (pristine) {
    const parsed = parseJson(pristine.text);
    const root = parsed.root;
    const prop =
      root?.type === 'object' ? root.children?.find((p) => p.children?.[0]?.value === '#spec') : undefined;
    model.spec = prop
      ? {
          value: prop.children?.[1] ? getNodeValue(prop.children[1]) : undefined,
          file: pristine.file,
          node: prop.children?.[1],
          keyNode: prop.children?.[0],
          present: true,
        }
      : { value: undefined, file: pristine.file, node: root, present: false };
    if (parsed.errors.length)
      model.files.push({ file: pristine.file, ...parsed, rootType: parsed.root?.type });
  }
  return model;
}

/** Containers of the revision: folders holding a `run.json`. */
export function containersOf(model: RevisionModel): Map<string, RevisionEntry> {
  const out = new Map<string, RevisionEntry>();
  for (const e of model.entries.values())
    if (e.kind === 'run') out.set(e.key.slice(0, -'/run.json'.length), e);
  return out;
}
