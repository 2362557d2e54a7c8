/**
 * EDN values <-> JSON-like values, as documented at the top of `edn.ts`.
 *
 * Reading has two paths: a fast path for the shapes that make up nearly every history line
 * (maps with keyword keys, keywords, strings, numbers, nil, booleans, vectors and lists),
 * and the general path, the `edn-data` parser, for everything else (sets, tags, chars,
 * symbols, comments, maps with other keys, big integers). The fast path gives up (FAIL)
 * rather than guess, so both paths agree on every input.
 */
import { parseEDNString } from 'edn-data';
import { intern, setField } from './record.js';
import { MAX_VALUE_NESTING } from './value-limits.js';

/**
 * Brackets the readers follow before refusing a form: an op map, its value, and the value's
 * own {@link MAX_VALUE_NESTING} levels (checked exactly once the op is built). Keeps the
 * recursive parsers (ours and edn-data's) far from the stack's limit.
 */
export const MAX_FORM_NESTING = MAX_VALUE_NESTING + 2;

/** The fast path could not handle this text; use the general parser. */
export const FAIL: unique symbol = Symbol('fail');

const SET = '#set';
const MAP = '#map';

// Character codes.
const SPACE = 32;
const COMMA = 44;
const TAB = 9;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const BACKSLASH = 92;
const SEMICOLON = 59;
const COLON = 58;
const HASH = 35;
const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

function isBlank(c: number): boolean {
  return c === SPACE || c === COMMA || c === LF || c === TAB || c === CR || c === 12;
}

function isDelimiter(c: number): boolean {
  return (
    isBlank(c) ||
    c === OPEN_PAREN ||
    c === CLOSE_PAREN ||
    c === OPEN_BRACKET ||
    c === CLOSE_BRACKET ||
    c === OPEN_BRACE ||
    c === CLOSE_BRACE ||
    c === QUOTE ||
    c === SEMICOLON
  );
}

/** Offset of the first character at or after `i` that ends a token. */
export function tokenEnd(text: string, i: number): number {
  const n = text.length;
  while (i < n && !isDelimiter(text.charCodeAt(i))) i++;
  return i;
}

/** Skips blanks, commas and `;` comments. */
export function skipBlank(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isBlank(c)) i++;
    else if (c === SEMICOLON) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
    } else break;
  }
  return i;
}

// The number syntax edn-data reads as a plain number; anything else goes to it.
const NUMBER = /^[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?(?:0|[1-9][0-9]*))?$/;

const ESCAPES: Record<number, string> = {
  116: '\t',
  114: '\r',
  110: '\n',
  98: '\b',
  102: '\f',
  92: '\\',
  34: '"',
};

/** The fast path: a small reader over `text` from `pos`; every method returns a value or FAIL. */
export class FastEdnReader {
  text = '';
  pos = 0;
  /** Open brackets around `pos`; past MAX_FORM_NESTING the general path decides (and refuses). */
  private depth = 0;

  /** Reads one value at `pos` (after blanks), leaving `pos` just after it. */
  value(): unknown {
    const t = this.text;
    let i = this.pos;
    const n = t.length;
    while (i < n && isBlank(t.charCodeAt(i))) i++;
    if (i >= n) return FAIL;
    const c = t.charCodeAt(i);
    switch (c) {
      case OPEN_BRACE:
        return this.map(i + 1);
      case OPEN_BRACKET:
        return this.seq(i + 1, CLOSE_BRACKET);
      case OPEN_PAREN:
        return this.seq(i + 1, CLOSE_PAREN);
      case QUOTE:
        return this.string(i + 1);
      case COLON: {
        const end = tokenEnd(t, i + 1);
        if (end === i + 1 || t.charCodeAt(i + 1) === COLON) return FAIL;
        this.pos = end;
        return intern(t.slice(i + 1, end));
      }
      case HASH:
      case BACKSLASH:
      case SEMICOLON:
        return FAIL;
      default:
        return this.atom(i);
    }
  }

  private atom(i: number): unknown {
    const t = this.text;
    const end = tokenEnd(t, i);
    if (end === i) return FAIL;
    const token = t.slice(i, end);
    this.pos = end;
    switch (token) {
      case 'nil':
        return null;
      case 'true':
        return true;
      case 'false':
        return false;
    }
    return NUMBER.test(token) ? Number(token) : FAIL;
  }

  private string(start: number): unknown {
    const t = this.text;
    const n = t.length;
    let out = '';
    let from = start;
    let escaped = false;
    for (let j = start; j < n; j++) {
      const c = t.charCodeAt(j);
      if (c === QUOTE) {
        this.pos = j + 1;
        return escaped ? out + t.slice(from, j) : t.slice(start, j);
      }
      if (c !== BACKSLASH) continue;
      escaped = true;
      out += t.slice(from, j);
      const e = t.charCodeAt(j + 1);
      if (e === 117) {
        const hex = t.slice(j + 2, j + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return FAIL;
        out += String.fromCharCode(Number.parseInt(hex, 16));
        j += 5;
      } else {
        const s = ESCAPES[e];
        if (s === undefined) return FAIL;
        out += s;
        j += 1;
      }
      from = j + 1;
    }
    return FAIL;
  }

  private seq(i: number, closer: number): unknown {
    if (this.depth >= MAX_FORM_NESTING) return FAIL;
    this.depth++;
    const v = this.seqItems(i, closer);
    this.depth--;
    return v;
  }

  private seqItems(i: number, closer: number): unknown {
    const t = this.text;
    const n = t.length;
    const items: unknown[] = [];
    this.pos = i;
    for (;;) {
      let j = this.pos;
      while (j < n && isBlank(t.charCodeAt(j))) j++;
      if (j >= n) return FAIL;
      if (t.charCodeAt(j) === closer) {
        this.pos = j + 1;
        return items;
      }
      this.pos = j;
      const v = this.value();
      if (v === FAIL) return FAIL;
      items.push(v);
    }
  }

  private map(i: number): unknown {
    if (this.depth >= MAX_FORM_NESTING) return FAIL;
    this.depth++;
    const v = this.mapEntries(i);
    this.depth--;
    return v;
  }

  private mapEntries(i: number): unknown {
    const t = this.text;
    const n = t.length;
    const out: Record<string, unknown> = {};
    this.pos = i;
    for (;;) {
      let j = this.pos;
      while (j < n && isBlank(t.charCodeAt(j))) j++;
      if (j >= n) return FAIL;
      if (t.charCodeAt(j) === CLOSE_BRACE) {
        this.pos = j + 1;
        return out;
      }
      this.pos = j;
      const k = this.value();
      if (typeof k !== 'string') return FAIL;
      const v = this.value();
      if (v === FAIL || Object.hasOwn(out, k)) return FAIL;
      setField(out, k, v);
    }
  }
}

/** A structural error found while delimiting a form: where and why. */
export class EdnSyntaxError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Finds where the form that starts at `i` (a non-blank character) ends, checking that its
 * brackets match and its strings end. Returns -1 if the text ends first; `unclosed` then
 * tells which bracket or string was left open.
 */
export class FormScanner {
  /** Offset of the innermost bracket (or string) left open when `end` returned -1. */
  unclosed = -1;
  /** The last key read in the outermost map, to name the field a truncated op stopped in. */
  lastKey: string | undefined;

  end(t: string, i: number): number {
    const n = t.length;
    const closers: number[] = [];
    const openedAt: number[] = [];
    let items = 0; // complete items at depth 1
    this.lastKey = undefined;
    for (;;) {
      i = skipBlank(t, i);
      if (i >= n) {
        this.unclosed = openedAt.length > 0 ? openedAt[openedAt.length - 1]! : i;
        return -1;
      }
      const c = t.charCodeAt(i);
      const start = i;
      if (
        closers.length >= MAX_FORM_NESTING &&
        (c === OPEN_BRACE || c === OPEN_BRACKET || c === OPEN_PAREN || c === HASH)
      ) {
        if (c !== HASH || t.charCodeAt(i + 1) === OPEN_BRACE) {
          throw new EdnSyntaxError(i, `nested deeper than ${MAX_VALUE_NESTING} levels`);
        }
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET || c === OPEN_PAREN) {
        closers.push(c === OPEN_BRACE ? CLOSE_BRACE : c === OPEN_BRACKET ? CLOSE_BRACKET : CLOSE_PAREN);
        openedAt.push(i);
        i++;
        continue;
      }
      if (c === HASH) {
        const d = t.charCodeAt(i + 1);
        if (d === OPEN_BRACE) {
          closers.push(CLOSE_BRACE);
          openedAt.push(i);
          i += 2;
        } else if (d === 95 /* _ discards the next form */) i += 2;
        else i = tokenEnd(t, i + 1); // a tag: the tagged form follows
        continue;
      }
      if (c === CLOSE_BRACE || c === CLOSE_BRACKET || c === CLOSE_PAREN) {
        if (closers.pop() !== c) throw new EdnSyntaxError(i, `unexpected ${String.fromCharCode(c)}`);
        openedAt.pop();
        i++;
      } else if (c === QUOTE) {
        i = stringEnd(t, i + 1);
        if (i < 0) {
          this.unclosed = start;
          return -1;
        }
      } else if (c === BACKSLASH) {
        i = tokenEnd(t, Math.min(i + 2, n)); // a character literal such as \a, \( or \newline
      } else {
        i = tokenEnd(t, i);
      }
      if (closers.length === 0) return i;
      if (closers.length === 1) {
        if (closers[0] === CLOSE_BRACE && items % 2 === 0 && c === COLON)
          this.lastKey = t.slice(start + 1, i);
        items++;
      }
    }
  }
}

function stringEnd(t: string, i: number): number {
  const n = t.length;
  for (; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) i++;
  }
  return -1;
}

/** edn-data's representation, with maps as pairs so that any key survives. */
function fromEdnData(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'bigint':
      return Number(v);
    case 'object':
      break;
    default:
      return v;
  }
  if (Array.isArray(v)) return v.map(fromEdnData);
  const o = v as Record<string, unknown>;
  if (Object.hasOwn(o, 'key')) return o.key;
  if (Object.hasOwn(o, 'sym')) return o.sym;
  if (Object.hasOwn(o, 'char')) return o.char;
  if (Object.hasOwn(o, 'list')) return (o.list as unknown[]).map(fromEdnData);
  if (Object.hasOwn(o, 'set')) return { [SET]: (o.set as unknown[]).map(fromEdnData) };
  if (Object.hasOwn(o, 'tag')) return fromEdnData(o.val);
  if (Object.hasOwn(o, 'map')) return mapFromPairs(o.map as [unknown, unknown][]);
  if (v instanceof Date) return v.toISOString();
  throw new Error(`unsupported EDN value ${String(v)}`);
}

function mapFromPairs(pairs: [unknown, unknown][]): unknown {
  const out: Record<string, unknown> = {};
  let plain = true;
  for (const [k, v] of pairs) {
    const name = typeof k === 'string' ? k : isKeyword(k) ? k.key : undefined;
    if (name === undefined || Object.hasOwn(out, name)) {
      plain = false;
      break;
    }
    setField(out, name, fromEdnData(v));
  }
  return plain ? out : { [MAP]: pairs.map(([k, v]) => [fromEdnData(k), fromEdnData(v)]) };
}

function isKeyword(x: unknown): x is { key: string } {
  return typeof x === 'object' && x !== null && Object.hasOwn(x, 'key');
}

const PARSE_OPTIONS = {
  mapAs: 'doubleArray',
  setAs: 'object',
  listAs: 'object',
  keywordAs: 'object',
  symbolAs: 'object',
  charAs: 'string',
  // Keep instants as the text they were written as (a JSON-able value).
  tagHandlers: { inst: (s: unknown) => s },
} as const;

/** Parses the text of one complete form with edn-data. Throws Error on bad syntax. */
export function parseEdnGeneral(form: string): unknown {
  return fromEdnData(parseEDNString(form, PARSE_OPTIONS));
}

const fast = new FastEdnReader();
const scanner = new FormScanner();

/**
 * Parses one EDN value (the whole text) into the JSON-like value documented in `edn.ts`.
 * Throws {@link EdnSyntaxError} (with an offset) for malformed text.
 */
export function parseEdnValue(text: string): unknown {
  const start = skipBlank(text, 0);
  if (start >= text.length) throw new EdnSyntaxError(start, 'expected a value, found nothing');
  fast.text = text;
  fast.pos = start;
  let v = fast.value();
  let end = fast.pos;
  fast.text = '';
  if (v === FAIL) {
    end = scanner.end(text, start);
    if (end < 0) throw new EdnSyntaxError(scanner.unclosed, 'unexpected end of input: unclosed form');
    try {
      v = parseEdnGeneral(text.slice(start, end));
    } catch (err) {
      throw new EdnSyntaxError(start, (err as Error).message);
    }
  }
  const rest = skipBlank(text, end);
  if (rest < text.length) throw new EdnSyntaxError(rest, 'unexpected text after the value');
  return v;
}

// ---------------------------------------------------------------------------------------
// Writing.

const KEYWORD_NAME = /^[A-Za-z_*!?<>=][A-Za-z0-9_*!?<>=.+-]*(?:\/[A-Za-z_*!?<>=][A-Za-z0-9_*!?<>=.+-]*)?$/;

/** True if `s` can be written as the keyword `:s` and read back as `s`. */
export function isKeywordName(s: string): boolean {
  return KEYWORD_NAME.test(s) && s !== 'nil' && s !== 'true' && s !== 'false';
}

/** `:name` when the name allows it, otherwise the string `"name"`. */
export function keywordOrString(s: string): string {
  return isKeywordName(s) ? `:${s}` : JSON.stringify(s);
}

/** Writes a JSON-like value as EDN text (the inverse of the mapping in `edn.ts`). */
export function toEdn(v: unknown): string {
  switch (typeof v) {
    case 'string':
      // JSON's escapes (\" \\ \n \r \t \b \f \uXXXX) are all EDN/Clojure string escapes.
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`cannot write ${v} as EDN`);
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return `${v}N`;
    case 'undefined':
      return 'nil';
    case 'object':
      break;
    default:
      throw new TypeError(`cannot write a ${typeof v} as EDN`);
  }
  if (v === null) return 'nil';
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += (i ? ' ' : '') + toEdn(v[i]);
    return `${s}]`;
  }
  if (v instanceof Set) return `#{${[...v].map(toEdn).join(' ')}}`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${toEdn(k)} ${toEdn(x)}`).join(', ')}}`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const only = o[keys[0]!];
    if (keys[0] === SET && Array.isArray(only)) return `#{${only.map(toEdn).join(' ')}}`;
    if (keys[0] === MAP && Array.isArray(only) && only.every((p) => Array.isArray(p) && p.length === 2)) {
      return `{${(only as [unknown, unknown][]).map(([k, x]) => `${toEdn(k)} ${toEdn(x)}`).join(', ')}}`;
    }
  }
  let s = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    s += `${i ? ', ' : ''}${keywordOrString(k)} ${toEdn(o[k])}`;
  }
  return `${s}}`;
}
