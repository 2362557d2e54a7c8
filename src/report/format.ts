/** Number formatting shared by the report page (browser code) and the server-side wording. */

/** A number with as many decimals as its size needs (or `d`); a dash for none. */
export function fmt(x: number | null | undefined, d?: number): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '\u2013';
  if (typeof x !== 'number') return String(x);
  if (d !== undefined) return x.toFixed(d);
  const a = Math.abs(x);
  return a >= 1000
    ? Math.round(x).toLocaleString('en-US')
    : a >= 10
      ? x.toFixed(1)
      : a >= 1
        ? x.toFixed(2)
        : x.toFixed(3);
}
