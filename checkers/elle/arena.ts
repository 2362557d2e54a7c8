/**
 * Typed arrays carved from one big buffer. V8 runs a full garbage collection every time
 * fresh ArrayBuffer memory grows by a few tens of MiB; over a history of a million
 * transactions (a heap of ~1 GiB) each costs most of a second. Taking the memory once per
 * check turns a dozen such collections into one.
 */

let buffer: ArrayBuffer | undefined;
let used = 0;

function take(bytes: number, align: number): number {
  if (!buffer) return -1;
  const at = Math.ceil(used / align) * align;
  if (at + bytes > buffer.byteLength) return -1;
  used = at + bytes;
  return at;
}

/** A zeroed Int32Array, from the arena when it has room. */
export function int32(length: number): Int32Array {
  const at = take(length * 4, 4);
  return at < 0 ? new Int32Array(length) : new Int32Array(buffer!, at, length);
}

/** A zeroed Uint8Array, from the arena when it has room. */
export function uint8(length: number): Uint8Array {
  const at = take(length, 1);
  return at < 0 ? new Uint8Array(length) : new Uint8Array(buffer!, at, length);
}

/** A zeroed Float64Array, from the arena when it has room. */
export function float64(length: number): Float64Array {
  const at = take(length * 8, 8);
  return at < 0 ? new Float64Array(length) : new Float64Array(buffer!, at, length);
}

/**
 * Runs `body` with an arena of `bytes` (nothing for small sizes); arrays taken inside stay
 * valid afterwards, the arena is simply no longer handed out. Not re-entrant across awaits:
 * `body` must be synchronous.
 */
export function withArena<T>(bytes: number, body: () => T): T {
  if (bytes < 64 * 2 ** 20 || buffer) return body();
  try {
    buffer = new ArrayBuffer(bytes);
  } catch {
    return body(); // no room for one block: allocate piecemeal
  }
  used = 0;
  try {
    return body();
  } finally {
    buffer = undefined;
  }
}
