/** Small helpers every client of a real db uses: deadlines and short error texts. */

/** Resolves with `p`, or rejects with a timeout error after `ms` (the op is then indefinite). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout: ${what} after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The first line of an error, bounded in length. */
export function shortError(err: unknown): string {
  const line = errorText(err).split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** An error's class and message (or the thrown value as text). */
export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.constructor.name}: ${err.message}`;
  return String(err);
}
