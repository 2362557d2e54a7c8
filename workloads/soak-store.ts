/**
 * The soak bench's system under test: an in-process store, linearizable by construction (one
 * thread, every op takes effect at once), holding cas-registers on rotating keys (as the
 * register workload uses them) and one grow-only set. It can plant rare violations that the
 * checkers must find: a read of a register that returns a value never written
 * (`staleReadEvery`), and an acknowledged set add that is dropped (`loseAddEvery`). It
 * remembers what it planted, so a bench can tell whether every violation was found.
 */
import type { Client, Completion, Invocation } from '../src/client/types.js';
import { type GenContext, type Generator, gen } from '../src/generator/index.js';

export interface SoakStoreOptions {
  /** Every n-th register read answers a value no write ever stored (0: never). */
  staleReadEvery?: number;
  /** Every n-th set add is acknowledged but dropped (0: never). */
  loseAddEvery?: number;
}

/** A value no register write stores (writes store 0..4). */
export const NEVER_WRITTEN = 99;

export class SoakStore {
  private readonly registers = new Map<number, number | null>();
  /** Set elements added (the workload adds 0, 1, 2, ...: a bitmap is enough). */
  private set = new Uint8Array(1 << 16);
  private highest = -1;
  private reads = 0;
  private adds = 0;
  /** Keys whose history got a planted impossible read. */
  readonly staleKeys = new Set<number>();
  /** Elements acknowledged and dropped. */
  readonly lostElements: number[] = [];

  constructor(private readonly options: SoakStoreOptions = {}) {}

  apply(op: Invocation): Completion {
    const every = (n: number | undefined, count: number): boolean =>
      n !== undefined && n > 0 && count % n === 0;
    if (op.f === 'add') {
      const e = op.value as number;
      if (every(this.options.loseAddEvery, ++this.adds)) {
        this.lostElements.push(e);
        return OK;
      }
      if (e >= this.set.length) {
        const grown = new Uint8Array(Math.max(this.set.length * 2, e + 1));
        grown.set(this.set);
        this.set = grown;
      }
      this.set[e] = 1;
      if (e > this.highest) this.highest = e;
      return OK;
    }
    if (op.f === 'read' && op.key === undefined) {
      const elements: number[] = [];
      for (let e = 0; e <= this.highest; e++) if (this.set[e]) elements.push(e);
      return { type: 'ok', value: elements };
    }
    const key = op.key as number;
    const value = this.registers.get(key) ?? null;
    switch (op.f) {
      case 'read':
        if (every(this.options.staleReadEvery, ++this.reads)) {
          this.staleKeys.add(key);
          return { type: 'ok', value: NEVER_WRITTEN };
        }
        return { type: 'ok', value };
      case 'write':
        this.registers.set(key, op.value as number);
        return OK;
      case 'cas': {
        const [expected, next] = op.value as [number, number];
        if (value !== expected) return { type: 'fail', error: 'cas: value differs' };
        this.registers.set(key, next);
        return OK;
      }
    }
    return { type: 'fail', error: `unknown op ${op.f}` };
  }
}

const OK: Completion = Object.freeze({ type: 'ok' }) as Completion;

/** A client of the store: answers at once. */
export function soakClient(store: SoakStore): () => Client {
  return () => ({
    open: async () => undefined,
    invoke: (op) => Promise.resolve(store.apply(op)),
    close: async () => undefined,
  });
}

export interface SoakGeneratorOptions {
  /** Client ops in all (the main phase ends after them). */
  ops: number;
  /** Registers in use at once, and invocations per key before a fresh one replaces it. */
  keys?: number;
  opsPerKey?: number;
  /** Fraction of ops that are set adds (the rest are register read/write/cas). */
  setFraction?: number;
}

/**
 * `ops` ops: set adds of 0, 1, 2, ... and register read/write/cas on a rotating window of
 * keys (as the register workload), then nothing; the final phase reads the set.
 */
export function soakGenerator(options: SoakGeneratorOptions): Generator {
  const keys = options.keys ?? 8;
  const opsPerKey = options.opsPerKey ?? 100;
  const setFraction = options.setFraction ?? 0.2;
  const slots = Array.from({ length: keys }, (_, i) => ({ key: i, ops: 0 }));
  let nextKey = keys;
  let issued = 0;
  let element = 0;
  return gen((ctx: GenContext): Invocation | undefined => {
    if (issued++ >= options.ops) return undefined;
    if (ctx.random() < setFraction) return { f: 'add', value: element++ };
    const slot = slots[Math.floor(ctx.random() * slots.length)]!;
    const key = slot.key;
    if (++slot.ops >= opsPerKey) {
      slot.key = nextKey++;
      slot.ops = 0;
    }
    const r = ctx.random();
    const v = (): number => Math.floor(ctx.random() * 5);
    if (r < 1 / 3) return { f: 'read', value: null, key };
    if (r < 2 / 3) return { f: 'write', value: v(), key };
    return { f: 'cas', value: [v(), v()], key };
  });
}

/** The final phase: one read of the whole set. */
export function soakFinalRead(): Generator {
  return gen([{ f: 'read', value: null }]);
}
