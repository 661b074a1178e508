import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import stateSchema from '../../../schemas/pantavisor-state.schema.json';
import runSchema from '../../../schemas/pantavisor-run.schema.json';
import srcSchema from '../../../schemas/pantavisor-src.schema.json';
import servicesSchema from '../../../schemas/pantavisor-services.schema.json';
import bspRunSchema from '../../../schemas/pantavisor-bsp-run.schema.json';
import bspSrcSchema from '../../../schemas/pantavisor-bsp-src.schema.json';
import driversSchema from '../../../schemas/pantavisor-drivers.schema.json';
import deviceSchema from '../../../schemas/pantavisor-device.schema.json';
import groupsSchema from '../../../schemas/pantavisor-groups.schema.json';
import disksSchema from '../../../schemas/pantavisor-disks.schema.json';
import signatureSchema from '../../../schemas/pantavisor-signature.schema.json';
import dmSchema from '../../../schemas/pantavisor-dm.schema.json';
import mdevSchema from '../../../schemas/pantavisor-mdev.schema.json';

/** Every revision schema, keyed by file name under `schemas/`. Bundled, so core does no I/O. */
export const REVISION_SCHEMAS: Record<string, object> = {
  'pantavisor-state.schema.json': stateSchema,
  'pantavisor-run.schema.json': runSchema,
  'pantavisor-src.schema.json': srcSchema,
  'pantavisor-services.schema.json': servicesSchema,
  'pantavisor-bsp-run.schema.json': bspRunSchema,
  'pantavisor-bsp-src.schema.json': bspSrcSchema,
  'pantavisor-drivers.schema.json': driversSchema,
  'pantavisor-device.schema.json': deviceSchema,
  'pantavisor-groups.schema.json': groupsSchema,
  'pantavisor-disks.schema.json': disksSchema,
  'pantavisor-signature.schema.json': signatureSchema,
  'pantavisor-dm.schema.json': dmSchema,
  'pantavisor-mdev.schema.json': mdevSchema,
};

export const SCHEMA_BASE = 'https://pvkit.dev/schemas/';

/**
 * Annotation keywords our schemas carry for editors (VS Code's JSON service understands the
 * first ones) and for our error policy (`x-severity`, `x-code`). Declared so ajv's strict mode
 * still catches real typos in the schemas.
 */
export const ANNOTATION_KEYWORDS = [
  'markdownDescription',
  'enumDescriptions',
  'markdownEnumDescriptions',
  'defaultSnippets',
  'patternErrorMessage',
  'errorMessage',
  'deprecationMessage',
  'doNotSuggest',
  'suggestSortText',
  'x-severity',
  'x-code',
] as const;

export function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    verbose: true,
    validateFormats: false,
  });
  ajv.addVocabulary([...ANNOTATION_KEYWORDS]);
  return ajv;
}

/** Compiles schemas on first use; one instance is shared by every validation. */
export class SchemaSet {
  private ajv: Ajv | undefined;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly schemas: Record<string, object> = REVISION_SCHEMAS) {}

  private instance(): Ajv {
    if (!this.ajv) {
      this.ajv = createAjv();
      for (const s of Object.values(this.schemas)) this.ajv.addSchema(s);
    }
    return this.ajv;
  }

  /** Validates `value` against the schema file `name`; returns ajv's errors (empty when valid). */
  validate(name: string, value: unknown): ErrorObject[] {
    let fn = this.compiled.get(name);
    if (!fn) {
      const ajv = this.instance();
      fn = ajv.getSchema(SCHEMA_BASE + name);
      if (!fn) throw new Error(`unknown schema ${name}`);
      this.compiled.set(name, fn);
    }
    return fn(value) ? [] : [...(fn.errors ?? [])];
  }
}

/**
 * A copy of `schema` whose relative `$ref`s are absolute URIs under {@link SCHEMA_BASE}. ajv
 * resolves relative refs against `$id`, but vscode-json-languageservice only follows absolute ones
 * in schemas it is handed inline.
 */
export function absolutizeRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(absolutizeRefs);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] =
      k === '$ref' && typeof v === 'string' && !/^[a-z]+:/i.test(v) && !v.startsWith('#')
        ? new URL(v, SCHEMA_BASE).href
        : absolutizeRefs(v);
  }
  return out;
}
