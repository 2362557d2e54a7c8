/**
 * What a value read from a history may be. Two limits keep a hostile or corrupt file from
 * crashing faultline later (a stack overflow in a checker, `Infinity` that no writer can
 * write): values nest at most {@link MAX_VALUE_NESTING} levels deep, and numbers are finite.
 * Jepsen's values are shallow (an Elle transaction is three levels), so the limit costs
 * nothing real.
 */

/**
 * How deep a value may nest: `[[1]]` is 2 levels. An op's `value`, `error`, `key` and extra
 * fields each get this many; deeper input is refused as bad input.
 */
export const MAX_VALUE_NESTING = 100;

/** A problem found in a value: why, and where inside it (`[2]`, `.x[0]`, or `''` for the value itself). */
export interface ValueProblem {
  reason: string;
  path: string;
}

/**
 * The first problem of a decoded value (JSON-like: null, boolean, number, string, array,
 * plain object), or `undefined` when it is fine. Recursion is bounded by the nesting limit,
 * so this never overflows the stack itself.
 */
export function valueProblem(value: unknown): ValueProblem | undefined {
  return walk(value, 0);
}

function walk(v: unknown, depth: number): ValueProblem | undefined {
  if (typeof v === 'number') {
    return Number.isFinite(v)
      ? undefined
      : { reason: `${v} is not a finite number (too large for a double?)`, path: '' };
  }
  if (typeof v !== 'object' || v === null) return undefined;
  if (depth >= MAX_VALUE_NESTING) {
    return { reason: `nested deeper than ${MAX_VALUE_NESTING} levels`, path: '' };
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'object' && typeof x !== 'number') continue;
      const p = walk(x, depth + 1);
      if (p) return { reason: p.reason, path: `[${i}]${p.path}` };
    }
    return undefined;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const x = o[k];
    if (typeof x !== 'object' && typeof x !== 'number') continue;
    const p = walk(x, depth + 1);
    if (p) return { reason: p.reason, path: `.${k}${p.path}` };
  }
  return undefined;
}
