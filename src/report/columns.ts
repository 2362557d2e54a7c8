/**
 * The compact column encoding of a report's history: integers as LEB128 varints (signed ones
 * zigzag-mapped), base64 in the page. Times are microseconds, each the difference from the
 * row before, so a row of a ten-million-op run costs a dozen bytes, not forty. Writing is
 * done in Node (data.ts); reading in the browser (and in tests), so this module uses only
 * what both have (`atob`, typed arrays).
 */
import type { Scatter, TimelineColumns } from './data.js';

/** Appends varints to a growing byte buffer. */
export class VarintWriter {
  private bytes: Uint8Array;
  private used = 0;

  constructor(expectedValues = 1024) {
    this.bytes = new Uint8Array(Math.max(16, expectedValues * 2));
  }

  /** A non-negative safe integer. */
  unsigned(value: number): void {
    if (this.used + 8 > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    // Arithmetic, not bit operators: values may pass 2^31 (microseconds of a long run).
    let v = value;
    while (v >= 128) {
      this.bytes[this.used++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.bytes[this.used++] = v;
  }

  /** A safe integer of either sign (zigzag: 0, -1, 1, -2 … as 0, 1, 2, 3 …). */
  signed(value: number): void {
    this.unsigned(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  /** The bytes written so far (a view, not a copy). */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.used);
  }
}

/** The browser's own base64 decoder, where it has one (Chromium 140+, Firefox 133+, Safari 18.2+). */
const fromBase64 = (Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array }).fromBase64;

/** Bytes from base64. */
export function base64Bytes(text: string): Uint8Array {
  if (fromBase64) return fromBase64(text);
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** `count` varints from base64; `signed` undoes zigzag, `deltas` sums them as it goes. */
export function readVarints(text: string, count: number, signed: boolean, deltas = false): Float64Array {
  const bytes = base64Bytes(text);
  const out = new Float64Array(count);
  let at = 0;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    // Up to four bytes (28 bits) with integer operations, the common case; beyond, arithmetic.
    let b = bytes[at++] ?? 0;
    let value = b & 127;
    if (b & 128) {
      b = bytes[at++] ?? 0;
      value |= (b & 127) << 7;
      if (b & 128) {
        b = bytes[at++] ?? 0;
        value |= (b & 127) << 14;
        if (b & 128) {
          b = bytes[at++] ?? 0;
          value |= (b & 127) << 21;
          let scale = 2 ** 28;
          while (b & 128) {
            b = bytes[at++] ?? 0;
            value += (b & 127) * scale;
            scale *= 128;
          }
        }
      }
    }
    if (signed) value = value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    if (deltas) {
      sum += value;
      value = sum;
    }
    out[i] = value;
  }
  return out;
}

/** The timeline's columns, decoded; op indices are decoded on first use (only details need them). */
export interface TimelineArrays {
  /** Seconds since the test began; `end` is NaN for an op that never completed. */
  start: Float64Array;
  end: Float64Array;
  /** -1: the nemesis. */
  process: Int32Array;
  type: Uint8Array;
  f: Uint32Array;
  /** `op.index` of the invocation and of the completion (-1: none). */
  readonly inv: Int32Array;
  readonly cmp: Int32Array;
}

/** Outcome code of a never-completed op (the `open` of TYPE_CODES in data.ts). */
const OPEN = 3;

/** Decodes {@link TimelineColumns}. */
export function decodeTimeline(tl: TimelineColumns): TimelineArrays {
  const n = tl.rows;
  const startUs = readVarints(tl.start, n, true, true);
  const latencyUs = readVarints(tl.latency, n, true);
  const type = base64Bytes(tl.type);
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    start[i] = startUs[i]! / 1e6;
    end[i] = type[i] === OPEN ? Number.NaN : (startUs[i]! + latencyUs[i]!) / 1e6;
  }
  let indices: { inv: Int32Array; cmp: Int32Array } | undefined;
  const indicesOnce = (): { inv: Int32Array; cmp: Int32Array } => {
    if (!indices) {
      const inv = Int32Array.from(readVarints(tl.invokeIndex, n, true, true));
      const gap = readVarints(tl.completionGap, n, true);
      const cmp = new Int32Array(n);
      for (let i = 0; i < n; i++) cmp[i] = type[i] === OPEN ? -1 : inv[i]! + gap[i]!;
      indices = { inv, cmp };
    }
    return indices;
  };
  return {
    start,
    end,
    process: Int32Array.from(readVarints(tl.process, n, true)),
    type,
    f: Uint32Array.from(readVarints(tl.f, n, false)),
    get inv() {
      return indicesOnce().inv;
    },
    get cmp() {
      return indicesOnce().cmp;
    },
  };
}

/** The latency scatter's points, decoded: seconds, milliseconds and outcome codes, by time. */
export interface ScatterArrays {
  time: Float64Array;
  latency: Float64Array;
  type: Uint8Array;
}

/** Decodes a {@link Scatter}. */
export function decodeScatter(sc: Scatter): ScatterArrays {
  const time = readVarints(sc.time, sc.points, true, true);
  const latency = readVarints(sc.latency, sc.points, false);
  for (let i = 0; i < sc.points; i++) {
    time[i] = time[i]! / 1e6;
    latency[i] = latency[i]! / 1e3;
  }
  return { time, latency, type: base64Bytes(sc.type) };
}
