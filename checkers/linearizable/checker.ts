/**
 * The search: is one partition's history linearizable with respect to a model?
 *
 * Wing & Gong's tree search with Lowe's improvements, as in Porcupine. Call and return events
 * sit in a doubly linked list in real-time order. The search walks the list from the front:
 * at a call it tries to linearize the op now (step the model; on success "lift" the call and
 * its return out of the list and start again from the front); at a return whose op is not
 * linearized yet it is stuck and undoes the last linearization ("unlift", restore the state)
 * and tries the next candidate. Ops are thus linearized just in time: only ops pending before
 * the first open return are candidates. A cache of configurations (set of linearized ops,
 * state) already explored prunes the search: a configuration seen before failed before.
 *
 * What makes it fast:
 * - states are interned to small integers and transitions (state, op) memoised in a
 *   direct-mapped table, so configurations compare as (bitset, int) and models with few
 *   states (registers) are rarely stepped twice;
 * - the bitset's hash is kept incrementally (Zobrist: one random word per op, xored in and out);
 * - the cache is an open-addressing table over typed arrays, bitsets packed in one arena;
 * - reads first: read-only ops (model.isReadOnly) are tried before the others, and one that
 *   is legal is linearized at once and never reordered. Sound: if a configuration C can be
 *   completed, so can C plus a pending read r legal in C (drop r from C's completion and put
 *   it first: it changes no state, and moving it earlier breaks no real-time order). So when
 *   C plus r fails, C fails too, and the search backs up past C without trying alternatives.
 *
 * Ops whose outcome is unknown return at +infinity; they may be linearized anywhere after
 * their call, or never: the search succeeds once every op that completed `ok` is linearized.
 * They are never due, so the search tries them last, when no read and no completed op can go
 * next (just-in-time linearization of the ops that may wait). And they are optional, so a
 * configuration is dropped when a failed one had the same state and the same ops but for one
 * of them fewer: whatever completed this one would have completed that one.
 */
import type { Validity } from '../result.js';
import type { Partition } from './entries.js';
import { type Model, mix32 } from './model.js';

/** What a running search reports each time it pauses (the same object, updated). */
export interface SearchProgress<State> {
  /** Bytes held by the search's tables. */
  bytes: number;
  configurations: number;
  states: number;
  /** The longest partial linearizations so far. */
  partials: Partial<State>[];
}

/** A longest partial linearization: op ids in order, and the state after each op. */
export interface Partial<State> {
  ops: number[];
  states: State[];
  /** The state at the end (the initial state when `ops` is empty). */
  end: State;
  /** The op whose return was reached before it could be linearized (-1 on success). */
  stuckAt: number;
}

/** What the search found for one partition. */
export interface SearchOutcome<State> {
  valid: Validity;
  /** Why the verdict is `unknown`. */
  reason?: string;
  /** On success one full linearization; otherwise the longest partial ones. */
  partials: Partial<State>[];
  /** Configurations explored (cache entries). */
  configurations: number;
  /** Distinct model states met. */
  states: number;
}

/** Kinds of ops, in the order the search tries them. */
const READ = 0;
const WRITE = 1;
const UNKNOWN = 2;

const HEAD = 0;
const END = -1;
const ILLEGAL = -1;
const UNSET = -0x80000000;

/** Search steps between pauses, so a driver can share time and check limits (a power of two). */
export const STEPS_PER_PAUSE = 0x4000;
const PAUSE_EVERY = STEPS_PER_PAUSE - 1;

/**
 * Checks one partition. A generator: it pauses every few thousand steps, yielding its
 * progress, so that the caller can interleave partitions, enforce time and memory limits,
 * and stop it (the verdict is then the caller's `unknown`). Returns `true` or `false`.
 */
export function* searchPartition<State>(
  model: Model<State>,
  partition: Partition,
  maxPartials = 4,
): Generator<SearchProgress<State>, SearchOutcome<State>, void> {
  const { ops, events } = partition;
  const n = ops.length;
  const words = Math.max(1, (n + 31) >>> 5);

  // --- the event list: node 0 is the head, node k + 1 is events[k]
  const size = events.length + 1;
  const next = new Int32Array(size);
  const prev = new Int32Array(size);
  const nodeOp = new Int32Array(size);
  const isCall = new Uint8Array(size);
  const match = new Int32Array(size);
  const callNode = new Int32Array(n);
  for (let k = 0; k < events.length; k++) {
    const node = k + 1;
    const ev = events[k]!;
    const op = ev >>> 1;
    nodeOp[node] = op;
    prev[node] = node - 1;
    next[node - 1] = node;
    if ((ev & 1) === 0) {
      isCall[node] = 1;
      callNode[op] = node;
    } else match[callNode[op]!] = node;
  }
  next[size - 1] = END;

  // --- per-op facts
  const known = new Uint8Array(n);
  const readOnly = new Uint8Array(n);
  const kind = new Uint8Array(n);
  const zobrist = new Int32Array(n);
  let seed = 0x9e3779b9;
  let remaining = 0;
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    known[i] = op.known ? 1 : 0;
    remaining += known[i]!;
    readOnly[i] = model.isReadOnly?.(op) ? 1 : 0;
    kind[i] = readOnly[i] ? READ : op.known ? WRITE : UNKNOWN;
    seed = (seed + 0x6d2b79f5) | 0;
    zobrist[i] = mix32(seed);
  }

  const states = new StateTable(model);
  const optional = new Uint32Array(words);
  for (let i = 0; i < n; i++) if (!ops[i]!.known) optional[i >>> 5]! |= 1 << (i & 31);
  const cache = new ConfigCache(words, ops.some((op) => !op.known) ? optional : undefined, zobrist);
  // Sized to the partition: small partitions should not pay for a big table.
  const memo = new TransitionMemo(Math.min(1 << 20, 1 << Math.ceil(Math.log2(256 * n + 256))));
  const choiceLists: Int32Array[] = [];

  const transition = (s: number, op: number): number => {
    const memoised = memo.get(s, op);
    if (memoised !== UNSET) return memoised;
    let v: number;
    if (model.nondeterministic) {
      const ids = [...new Set(model.step(states.at(s), ops[op]!).map((x) => states.intern(x)))];
      if (ids.length === 0) v = ILLEGAL;
      else if (ids.length === 1) v = ids[0]!;
      else v = -2 - (choiceLists.push(Int32Array.from(ids)) - 1);
    } else {
      const x = model.step(states.at(s), ops[op]!);
      v = x === undefined || x === false ? ILLEGAL : states.intern(x);
    }
    memo.set(s, op, v);
    return v;
  };

  // --- the search
  const bits = new Uint32Array(words);
  let bitsHash = 0;
  const stackNode = new Int32Array(n);
  const stackState = new Int32Array(n);
  const stackChoice = new Int32Array(n);
  const stackEntry = new Int32Array(n);
  let sp = 0;
  let state = states.intern(model.init());
  let iterations = 0;
  const partials: Partial<State>[] = [];
  const partialEnds: number[] = [];
  let best = -1;

  const lift = (c: number): void => {
    next[prev[c]!] = next[c]!;
    prev[next[c]!] = prev[c]!;
    const r = match[c]!;
    next[prev[r]!] = next[r]!;
    if (next[r] !== END) prev[next[r]!] = prev[r]!;
  };
  const unlift = (c: number): void => {
    const r = match[c]!;
    next[prev[r]!] = r;
    if (next[r] !== END) prev[next[r]!] = r;
    next[prev[c]!] = c;
    prev[next[c]!] = c;
  };
  const snapshot = (stuckAt: number): Partial<State> => {
    const linearized: number[] = [];
    const after: State[] = [];
    for (let i = 0; i < sp; i++) {
      linearized.push(nodeOp[stackNode[i]!]!);
      after.push(states.at(i + 1 < sp ? stackState[i + 1]! : state));
    }
    return { ops: linearized, states: after, end: states.at(state), stuckAt };
  };
  const outcome = (valid: Validity): SearchOutcome<State> => ({
    valid,
    partials,
    configurations: cache.size,
    states: states.size,
  });
  const progress: SearchProgress<State> = { bytes: 0, configurations: 0, states: 0, partials };

  if (remaining === 0) return success();
  // Candidates of a configuration: the calls before the first return, in list order, in three
  // passes. Reads first: a legal one is linearized at once and never reordered. Then the ops
  // that completed. Last the ops whose outcome is unknown: they are never due (their return is
  // at +infinity), so they are linearized only when nothing else will do: just in time.
  const firstPass = kind.includes(READ) ? READ : WRITE;
  const lastPass = kind.includes(UNKNOWN) ? UNKNOWN : WRITE;
  let pass = firstPass;
  let node = next[HEAD]!;
  let choice = 0;

  for (;;) {
    if ((++iterations & PAUSE_EVERY) === 0) {
      progress.bytes = cache.bytes() + memo.bytes() + states.bytes();
      progress.configurations = cache.size;
      progress.states = states.size;
      yield progress;
    }

    let stuck = false;
    if (isCall[node] === 1) {
      const op = nodeOp[node]!;
      if (kind[op] !== pass) {
        // Not this pass' kind of op.
        node = next[node]!;
        continue;
      }
      const t = transition(state, op);
      if (t !== ILLEGAL) {
        const word = op >>> 5;
        const bit = 1 << (op & 31);
        bits[word]! |= bit;
        bitsHash ^= zobrist[op]!;
        let target = -1;
        let entry = -1;
        if (t >= 0) {
          if (choice === 0) {
            entry = cache.add(bitsHash ^ stateHash(t), bits, t);
            if (entry >= 0) target = t;
          }
        } else {
          const list = choiceLists[-2 - t]!;
          for (let c = choice; c < list.length; c++) {
            const s = list[c]!;
            entry = cache.add(bitsHash ^ stateHash(s), bits, s);
            if (entry >= 0) {
              target = s;
              choice = c;
              break;
            }
          }
        }
        if (target >= 0) {
          stackNode[sp] = node;
          stackState[sp] = state;
          stackChoice[sp] = choice;
          stackEntry[sp] = entry;
          sp++;
          state = target;
          remaining -= known[op]!;
          lift(node);
          if (remaining === 0) return success();
          node = next[HEAD]!;
          pass = firstPass;
          choice = 0;
          continue;
        }
        bits[word]! &= ~bit;
        bitsHash ^= zobrist[op]!;
        // A legal read that leads to a failed configuration: this configuration fails too.
        stuck = readOnly[op] === 1;
      }
      if (!stuck) {
        node = next[node]!;
        choice = 0;
        continue;
      }
    } else if (pass !== lastPass) {
      // Nothing of this kind can be linearized now: try the next kind.
      pass++;
      node = next[HEAD]!;
      continue;
    } else if (sp >= best) {
      // A return whose op is not linearized: this configuration is a dead end.
      recordPartial(sp, node);
    }

    // Backtrack: undo the last linearization and try the next candidate after it. Undoing a
    // read-only op means the configuration before it failed as well, so keep undoing.
    for (;;) {
      if (sp === 0) return outcome(false);
      sp--;
      const c = stackNode[sp]!;
      const op = nodeOp[c]!;
      state = stackState[sp]!;
      bits[op >>> 5]! &= ~(1 << (op & 31));
      bitsHash ^= zobrist[op]!;
      remaining += known[op]!;
      unlift(c);
      cache.failed(stackEntry[sp]!);
      if (readOnly[op] === 1) continue;
      node = c;
      pass = kind[op]!;
      choice = stackChoice[sp]! + 1;
      break;
    }
  }

  function success(): SearchOutcome<State> {
    partials.length = 0;
    partials.push(snapshot(-1));
    return outcome(true);
  }

  function recordPartial(depth: number, returnNode: number): void {
    if (depth > best) {
      best = depth;
      partials.length = 0;
      partialEnds.length = 0;
    } else if (partials.length >= maxPartials || partialEnds.includes(state)) {
      // Keep partials that end in different states: they are the states the op could have seen.
      return;
    }
    partials.push(snapshot(nodeOp[returnNode]!));
    partialEnds.push(state);
  }
}

function stateHash(id: number): number {
  return mix32(Math.imul(id + 1, 0x9e3779b1));
}

/** Interns model states as small integers, using the model's hash and equality. */
class StateTable<State> {
  private readonly model: Model<State>;
  private readonly states: State[] = [];
  /** Open addressing; slot i holds [hash, id + 1] at 2i, 2i + 1 (0: empty), one cache line per probe. */
  private slots = new Int32Array(256);

  constructor(model: Model<State>) {
    this.model = model;
  }

  get size(): number {
    return this.states.length;
  }

  at(id: number): State {
    return this.states[id]!;
  }

  /** A rough count: the table plus an estimate of the states themselves. */
  bytes(): number {
    return this.slots.byteLength + this.states.length * 96;
  }

  intern(state: State): number {
    const h = this.model.hash(state) | 0;
    const slots = this.slots;
    const mask = (slots.length >>> 1) - 1;
    let slot = mix32(h) & mask;
    for (;;) {
      const e = slots[2 * slot + 1]!;
      if (e === 0) break;
      if (slots[2 * slot] === h && this.model.equal(this.states[e - 1]!, state)) return e - 1;
      slot = (slot + 1) & mask;
    }
    const id = this.states.length;
    this.states.push(state);
    slots[2 * slot] = h;
    slots[2 * slot + 1] = id + 1;
    if (this.states.length * 4 > slots.length) this.slots = regrow(slots, (x) => mix32(x));
    return id;
  }
}

/** The slot table (pairs [hash, id + 1]) at twice the size, every entry placed again. */
function regrow(old: Int32Array, place: (hash: number) => number): Int32Array<ArrayBuffer> {
  const slots = new Int32Array(old.length * 2);
  const mask = (slots.length >>> 1) - 1;
  for (let i = 0; i < old.length; i += 2) {
    const e = old[i + 1]!;
    if (e === 0) continue;
    const h = old[i]!;
    let slot = place(h) & mask;
    while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
    slots[2 * slot] = h;
    slots[2 * slot + 1] = e;
  }
  return slots;
}

/** The set of configurations explored: (bitset of linearized ops, state id), hashed. */
class ConfigCache {
  size = 0;
  private readonly words: number;
  /** Bits of the ops whose outcome is unknown, when there are any. */
  private readonly optional: Uint32Array | undefined;
  /** Open addressing; slot i holds [hash, entry + 1] at 2i, 2i + 1 (0: empty). */
  private slots = new Int32Array(1 << 11);
  private stateIds = new Int32Array(1 << 9);
  /** 1 once the entry's configuration is known to fail (its search is over). */
  private done = new Uint8Array(1 << 9);
  /** Each entry's bitset, `words` words apiece. */
  private arena: Uint32Array;

  private readonly zobrist: Int32Array;

  constructor(words: number, optional: Uint32Array | undefined, zobrist: Int32Array) {
    this.words = words;
    this.optional = optional;
    this.zobrist = zobrist;
    this.arena = new Uint32Array(words << 9);
  }

  bytes(): number {
    return this.slots.byteLength + this.stateIds.byteLength + this.done.byteLength + this.arena.byteLength;
  }

  /** Marks an entry's configuration as failed (fully explored). */
  failed(entry: number): void {
    this.done[entry] = 1;
  }

  /**
   * Adds the configuration and returns its entry, or -1 when it is known to fail: it was
   * seen before, or a failed one had the same state and the same ops but for one of unknown
   * outcome fewer. (Such ops are optional: whatever completes this configuration completes
   * that one too, leaving the extra op out.)
   */
  add(hash: number, bits: Uint32Array, state: number): number {
    const slot = this.find(hash, bits, state);
    if (this.slots[2 * slot + 1] !== 0) return -1;
    const optional = this.optional;
    if (optional !== undefined) {
      for (let w = 0; w < this.words; w++) {
        let m = bits[w]! & optional[w]!;
        while (m !== 0) {
          const low = m & -m;
          m ^= low;
          const op = w * 32 + (31 - Math.clz32(low));
          bits[w]! ^= low;
          const other = this.slots[2 * this.find(hash ^ this.zobrist[op]!, bits, state) + 1]!;
          bits[w]! ^= low;
          if (other !== 0 && this.done[other - 1] === 1) return -1;
        }
      }
    }
    const id = this.size++;
    if (id >= this.stateIds.length) this.growEntries();
    this.stateIds[id] = state;
    const words = this.words;
    const target = this.arena;
    for (let w = 0, base = id * words; w < words; w++, base++) target[base] = bits[w]!;
    this.slots[2 * slot] = hash;
    this.slots[2 * slot + 1] = id + 1;
    if (this.size * 4 > this.slots.length) this.slots = regrow(this.slots, (x) => x);
    return id;
  }

  /** The slot holding the configuration, or the empty slot where it would go. */
  private find(hash: number, bits: Uint32Array, state: number): number {
    const { words, slots, stateIds, arena } = this;
    const mask = (slots.length >>> 1) - 1;
    let slot = hash & mask;
    for (;;) {
      const e = slots[2 * slot + 1]!;
      if (e === 0) return slot;
      if (slots[2 * slot] === hash && stateIds[e - 1] === state) {
        let base = (e - 1) * words;
        let same = true;
        for (let w = 0; w < words; w++, base++) {
          if (arena[base] !== bits[w]) {
            same = false;
            break;
          }
        }
        if (same) return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  private growEntries(): void {
    const cap = this.stateIds.length * 2;
    const stateIds = new Int32Array(cap);
    stateIds.set(this.stateIds);
    this.stateIds = stateIds;
    const done = new Uint8Array(cap);
    done.set(this.done);
    this.done = done;
    const arena = new Uint32Array(cap * this.words);
    arena.set(this.arena);
    this.arena = arena;
  }
}
/**
 * Memoised transitions: (state id, op id) -> next state id, ILLEGAL, or a choice list. A
 * direct-mapped cache of fixed size: a collision overwrites, so it never grows, and models
 * with few states (registers) hit almost always while models whose states rarely recur pay
 * one probe.
 */
class TransitionMemo {
  private readonly mask: number;
  private readonly keyState: Int32Array;
  private readonly keyOp: Int32Array;
  private readonly values: Int32Array;

  constructor(slots: number) {
    this.mask = slots - 1;
    this.keyState = new Int32Array(slots).fill(-1);
    this.keyOp = new Int32Array(slots);
    this.values = new Int32Array(slots);
  }

  bytes(): number {
    return this.keyState.byteLength * 3;
  }

  /** The memoised transition, or UNSET. */
  get(state: number, op: number): number {
    const slot = mix32(Math.imul(state, 0x9e3779b1) ^ op) & this.mask;
    return this.keyState[slot] === state && this.keyOp[slot] === op ? this.values[slot]! : UNSET;
  }

  set(state: number, op: number, value: number): void {
    const slot = mix32(Math.imul(state, 0x9e3779b1) ^ op) & this.mask;
    this.keyState[slot] = state;
    this.keyOp[slot] = op;
    this.values[slot] = value;
  }
}
