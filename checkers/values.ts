/**
 * Small helpers the set, queue, counter, unique-ids and bank checkers share: reading op
 * values that may come from JSON or from EDN (our codec writes sets as `{"#set": [...]}` and
 * maps with non-keyword keys as `{"#map": [[k, v], ...]}`; edn-data's default shapes,
 * `{key}`, `{set}`, `{list}`, `{map}`, are understood too), comparing elements by value,
 * and summarising numbers.
 */

/** A Map key that identifies a value: numbers and strings as themselves, anything else as JSON. */
export type ElementKey = number | string;

/** The key under which `value` is counted, so that `[1, 2]` and `[1, 2]` are one element. */
export function elementKey(value: unknown): ElementKey {
  if (typeof value === 'number' || typeof value === 'string') return value;
  const p = plain(value);
  if (typeof p === 'number' || typeof p === 'string') return p;
  // A control character keeps JSON of compound values apart from plain strings.
  return `\u0001${JSON.stringify(p, jsonSafe)}`;
}

function jsonSafe(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

/**
 * Turns the tagged shapes of EDN values into plain JSON-like values: keywords and symbols
 * become their names, sets and lists become arrays, maps become `Map`s, safe bigints become
 * numbers.
 * Everything else is returned as is.
 */
export function plain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    if (Array.isArray(o['#set'])) return o['#set'];
    if (Array.isArray(o['#map'])) return mapOf(o['#map']);
    if (typeof o.key === 'string') return o.key;
    if (typeof o.sym === 'string') return o.sym;
    if (Array.isArray(o.set)) return o.set;
    if (Array.isArray(o.list)) return o.list;
    if (Array.isArray(o.map)) return mapOf(o.map);
  }
  return value;
}

function mapOf(entries: unknown[]): unknown {
  if (!entries.every((e) => Array.isArray(e) && e.length === 2)) return entries;
  return new Map((entries as [unknown, unknown][]).map(([k, v]) => [plain(k), v]));
}

/** The elements of a collection value (array, typed array, Set, EDN set/list), or undefined. */
export function asCollection(value: unknown): ArrayLike<unknown> | undefined {
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return value as unknown as ArrayLike<unknown>;
  if (value instanceof Set) return [...value];
  const p = plain(value);
  return Array.isArray(p) ? p : undefined;
}

/** The entries of a map value (Map, JSON object, EDN map), keys made plain; or undefined. */
export function asEntries(value: unknown): [unknown, unknown][] | undefined {
  const p = plain(value);
  if (p instanceof Map) return [...p.entries()].map(([k, v]) => [plain(k), plain(v)]);
  if (p !== null && typeof p === 'object' && !Array.isArray(p) && !ArrayBuffer.isView(p)) {
    return Object.entries(p).map(([k, v]) => [k, plain(v)]);
  }
  return undefined;
}

/** A field of a map value, by name (`from` also finds an EDN `:from`). */
export function field(value: unknown, name: string): unknown {
  const p = plain(value);
  if (p instanceof Map) {
    if (p.has(name)) return plain(p.get(name));
    for (const [k, v] of p) if (plain(k) === name) return plain(v);
    return undefined;
  }
  if (p !== null && typeof p === 'object') return plain((p as Record<string, unknown>)[name]);
  return undefined;
}

/** Sorts elements for display: numbers numerically, then everything else by its key. */
export function sortElements<T>(values: T[]): T[] {
  return values.sort((a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (typeof a === 'number') return -1;
    if (typeof b === 'number') return 1;
    const ka = String(elementKey(a));
    const kb = String(elementKey(b));
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/**
 * Quantiles of a sample, labelled `min`, `p50`, `p95`, `p99`, `max` (for the default points);
 * undefined when the sample is empty. Takes the element at ⌊n·q⌋, as Jepsen does.
 */
export function quantiles(
  sample: Float64Array,
  points: readonly number[] = [0, 0.5, 0.95, 0.99, 1],
): Record<string, number> | undefined {
  if (sample.length === 0) return undefined;
  const sorted = sample.slice().sort();
  const out: Record<string, number> = {};
  for (const q of points) {
    const label = q === 0 ? 'min' : q === 1 ? 'max' : `p${Math.round(q * 1000) / 10}`;
    out[label] = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
  }
  return out;
}

/**
 * Integer elements as compact ranges, `"1..5 7 9..10"`, for summaries of large sets; other
 * elements are appended by their JSON.
 */
export function rangesText(values: readonly unknown[]): string {
  const ints = values.filter((v): v is number => Number.isInteger(v)).sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < ints.length; ) {
    let j = i;
    while (j + 1 < ints.length && ints[j + 1]! <= ints[j]! + 1) j++;
    parts.push(ints[i] === ints[j] ? String(ints[i]) : `${ints[i]}..${ints[j]}`);
    i = j + 1;
  }
  for (const v of values) if (!Number.isInteger(v)) parts.push(JSON.stringify(v) ?? String(v));
  return parts.join(' ');
}

/** Nanoseconds to milliseconds, kept to microsecond precision. */
export function nsToMs(ns: number): number {
  return Math.round(ns / 1e3) / 1e3;
}

/** `valid`, `INVALID` or `unknown`, for explanations. */
export function verdictWord(valid: unknown): string {
  return valid === true ? 'valid' : valid === false ? 'INVALID' : 'unknown';
}

/** `1 element`, `2 elements`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The first `limit` values as JSON, comma-separated, saying how many more there are. */
export function listed(values: readonly unknown[], limit = 20): string {
  const shown = values.slice(0, limit).map((v) => JSON.stringify(v) ?? String(v));
  return shown.join(', ') + (values.length > limit ? `, … (${values.length - limit} more)` : '');
}
