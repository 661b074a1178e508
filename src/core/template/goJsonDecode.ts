import { JsonNumber, type GoMap, type GoValue } from './goValue';
import { GoJsonSyntaxError, readGoJson, type GoJsonMember, type GoJsonNode } from '../parse/goJson';

/**
 * src.json as pvr reads it: Go's `encoding/json` through the shared reader in `core/parse/goJson.ts`
 * (a syntax tree that keeps duplicates and byte offsets, because decoding into pvr's `Source`
 * struct, see `decodeSrcJson.ts`, treats duplicates differently per field).
 */

export type JsonNode = GoJsonNode;
export type JsonMember = GoJsonMember;
export { GoJsonSyntaxError };
export { byteLineCol, decodeRune, toUtf8Bytes } from '../parse/goJson';

/**
 * Reads the first JSON value of `input` the way Go's json.Decoder does. With `whole`, anything but
 * whitespace after the value is an error too (Go's `json.Unmarshal`/`json.Valid`).
 */
export const parseGoJson = readGoJson;

/** True if `text` is exactly one valid JSON value (as Go's `json.Valid` judges it). */
export function isValidGoJson(text: string | Uint8Array): boolean {
  try {
    readGoJson(text, true);
    return true;
  } catch (e) {
    if (e instanceof GoJsonSyntaxError) return false;
    throw e;
  }
}

/** Decodes a node as Go decodes into `interface{}` with UseNumber: within one object the later duplicate wins. */
export function nodeToGoValue(n: JsonNode): GoValue {
  switch (n.kind) {
    case 'literal':
      return n.value;
    case 'string':
      return n.value;
    case 'number':
      return new JsonNumber(n.text);
    case 'array':
      return n.items.map(nodeToGoValue);
    case 'object': {
      const m: GoMap = new Map();
      for (const mem of n.members) m.set(mem.key, nodeToGoValue(mem.value));
      return m;
    }
  }
}
