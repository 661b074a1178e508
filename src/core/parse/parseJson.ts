import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';

export type { JsonNode };

/** More syntax errors than this in one file (say, a binary file) add nothing for the reader. */
const MAX_SYNTAX_ERRORS = 100;

/** Offset of the first bracket at the maximum nesting depth (strings skipped). */
function deepestOffset(text: string): number {
  let depth = 0;
  let max = 0;
  let at = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* backslash */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) {
        max = depth;
        at = i;
      }
    } else if (c === 125 || c === 93) depth--;
  }
  return at;
}

export interface JsonSyntaxError {
  start: number;
  end: number;
  message: string;
}

export interface ParsedJson {
  text: string;
  /** Undefined only when the text holds no value at all. */
  root: JsonNode | undefined;
  errors: JsonSyntaxError[];
}

/**
 * Parses strict JSON (no comments, no trailing commas) keeping every node's offsets.
 * jsonc-parser recovers from errors, so a broken file still yields a partial tree to check.
 */
export function parseJson(text: string): ParsedJson {
  const raw: ParseError[] = [];
  // A UTF-8 BOM decodes to U+FEFF; Pantavisor's and pvr's parsers reject it, so report it.
  const bomErrors: JsonSyntaxError[] =
    text.charCodeAt(0) === 0xfeff
      ? [{ start: 0, end: 1, message: 'Byte order mark is not allowed in JSON' }]
      : [];
  const body = bomErrors.length ? ' ' + text.slice(1) : text;
  let root: JsonNode | undefined;
  try {
    root = parseTree(body, raw, {
      disallowComments: true,
      allowTrailingComma: false,
      allowEmptyContent: false,
    });
  } catch (e) {
    // jsonc-parser recurses per nesting level; absurdly deep input overflows the stack. Report it
    // instead of crashing; callers fall back to whole-file ranges.
    if (!(e instanceof RangeError)) throw e;
    const at = deepestOffset(body);
    return {
      text,
      root: undefined,
      errors: [
        ...bomErrors,
        { start: at, end: Math.min(at + 1, text.length), message: 'Nesting is too deep to analyse' },
      ],
    };
  }
  const errors = bomErrors.concat(
    raw.slice(0, MAX_SYNTAX_ERRORS).map((e) => ({
      start: Math.min(e.offset, text.length),
      // At the end of the text there is no character to underline; keep the range inside the text.
      end: Math.min(e.offset + Math.max(e.length, 1), text.length),
      message: describeParseError(printParseErrorCode(e.error)),
    })),
  );
  return { text, root, errors };
}

function describeParseError(code: string): string {
  switch (code) {
    case 'InvalidSymbol':
      return 'Invalid symbol';
    case 'InvalidNumberFormat':
      return 'Invalid number';
    case 'PropertyNameExpected':
      return 'Property name expected';
    case 'ValueExpected':
      return 'Value expected';
    case 'ColonExpected':
      return 'Colon expected';
    case 'CommaExpected':
      return 'Comma expected';
    case 'CloseBraceExpected':
      return 'Closing brace expected';
    case 'CloseBracketExpected':
      return 'Closing bracket expected';
    case 'EndOfFileExpected':
      return 'End of file expected';
    case 'InvalidCommentToken':
      return 'Comments are not allowed in JSON';
    case 'UnexpectedEndOfComment':
      return 'Unexpected end of comment';
    case 'UnexpectedEndOfString':
      return 'Unterminated string';
    case 'UnexpectedEndOfNumber':
      return 'Unexpected end of number';
    case 'InvalidUnicode':
      return 'Invalid unicode escape';
    case 'InvalidEscapeCharacter':
      return 'Invalid escape character';
    case 'InvalidCharacter':
      return 'Invalid character in string';
    default:
      return `Syntax error (${code})`;
  }
}

/** Returns the property node (key + value pair) named `key` of an object node. */
export function propertyNode(obj: JsonNode | undefined, key: string): JsonNode | undefined {
  if (!obj || obj.type !== 'object' || !obj.children) return undefined;
  for (const p of obj.children) {
    if (p.children?.[0]?.value === key) return p;
  }
  return undefined;
}

/** The value node of property `key`. */
export function valueNode(obj: JsonNode | undefined, key: string): JsonNode | undefined {
  return propertyNode(obj, key)?.children?.[1];
}

/** The key node of property `key`. */
export function keyNode(obj: JsonNode | undefined, key: string): JsonNode | undefined {
  return propertyNode(obj, key)?.children?.[0];
}

/**
 * Decodes a JSON Pointer (RFC 6901) into segments: split on `/`, then `~1` → `/` and `~0` → `~`,
 * each replaced globally and in that order.
 */
export function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Walks `segments` down from `root`. Returns the deepest node reached and whether the whole
 * path was found, so callers can fall back to the nearest existing ancestor.
 */
export function walk(
  root: JsonNode | undefined,
  segments: readonly string[],
): { node: JsonNode | undefined; complete: boolean } {
  let node = root;
  for (const seg of segments) {
    if (!node) return { node, complete: false };
    let next: JsonNode | undefined;
    if (node.type === 'object') next = valueNode(node, seg);
    else if (node.type === 'array' && /^\d+$/.test(seg)) next = node.children?.[Number(seg)];
    if (!next) return { node, complete: false };
    node = next;
  }
  return { node, complete: true };
}
