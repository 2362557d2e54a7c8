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
 * - states are interned to small integers and transitions (state, op) memoised, so the model
 *   is stepped once per pair and configurations compare as (bitset, int);
 * - the bitset's hash is kept incrementally (Zobrist: one random word per op, xored in and out);
 * - the cache is an open-addressing table over typed arrays, bitsets packed in one arena;
 * - read-only ops (model.isReadOnly) are linearized as soon as they are legal and never
 *   reordered: a read that is legal now stays legal until the state changes, so if the
 *   configuration with it fails, the one without it fails too.
 *
 * Ops whose outcome is unknown return at +infinity; they may be linearized anywhere after
 * their call, or never: the search succeeds once every op that completed `ok` is linearized.
 */
import type { Validity } from '../result.js';
import type { Partition } from './entries.js';
import { type Model, mix32 } from './model.js';

/** Limits shared by every partition of one check. */
export interface SearchBudget {
  /** `Date.now()` after which the search gives up (`unknown`). */
  deadline: number;
  /** Bytes of search structures (and of the process' resident memory) not to exceed. */
  memoryLimitBytes: number;
  /** How many longest partial linearizations to keep. */
  maxPartials: number;
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

const HEAD = 0;
const END = -1;
const ILLEGAL = -1;
const UNSET = -0x80000000;
/** Memoise transitions of at most this many (state, op) pairs; beyond, step the model again. */
const MEMO_CELLS = 8 << 20;
const CHECK_EVERY = 0x3fff;

/** Checks one partition. Never throws for budget reasons: it returns `unknown` instead. */
export function searchPartition<State>(
  model: Model<State>,
  partition: Partition,
  budget: SearchBudget,
): SearchOutcome<State> {
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
  const zobrist = new Int32Array(n);
  let seed = 0x9e3779b9;
  let remaining = 0;
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    known[i] = op.known ? 1 : 0;
    remaining += known[i]!;
    readOnly[i] = model.isReadOnly?.(op) ? 1 : 0;
    seed = (seed + 0x6d2b79f5) | 0;
    zobrist[i] = mix32(seed);
  }

  const states = new StateTable(model);
  const cache = new ConfigCache(words);
  const rows: (Int32Array | undefined)[] = [];
  const choiceLists: Int32Array[] = [];
  let memoCells = 0;

  const transition = (s: number, op: number): number => {
    const row = rows[s];
    if (row !== undefined) {
      const v = row[op]!;
      if (v !== UNSET) return v;
    }
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
    if (row !== undefined) row[op] = v;
    else if (memoCells + n <= MEMO_CELLS) {
      const fresh = new Int32Array(n).fill(UNSET);
      fresh[op] = v;
      rows[s] = fresh;
      memoCells += n;
    }
    return v;
  };

  // --- the search
  const bits = new Uint32Array(words);
  let bitsHash = 0;
  const stackNode = new Int32Array(n);
  const stackState = new Int32Array(n);
  const stackChoice = new Int32Array(n);
  let sp = 0;
  let state = states.intern(model.init());
  let node = next[HEAD]!;
  let choice = 0;
  let iterations = 0;
  const partials: Partial<State>[] = [];
  const partialEnds: number[] = [];
  let best = -1;
  let checks = 0;

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
  const outcome = (valid: Validity, reason?: string): SearchOutcome<State> => ({
    valid,
    ...(reason === undefined ? {} : { reason }),
    partials,
    configurations: cache.size,
    states: states.size,
  });

  for (;;) {
    if (remaining === 0) {
      partials.length = 0;
      partials.push(snapshot(-1));
      return outcome(true);
    }
    if ((++iterations & CHECK_EVERY) === 0) {
      if (Date.now() >= budget.deadline) {
        return outcome('unknown', `time limit reached after ${cache.size} configurations`);
      }
      const own = cache.bytes() + memoCells * 4 + states.size * 64;
      const rss = ++checks % 16 === 0 ? process.memoryUsage.rss() : 0;
      if (own > budget.memoryLimitBytes || rss > budget.memoryLimitBytes) {
        return outcome(
          'unknown',
          `memory budget of ${Math.round(budget.memoryLimitBytes / 2 ** 20)} MiB reached after ${cache.size} configurations`,
        );
      }
    }

    let stuck = false;
    if (isCall[node] === 1) {
      const op = nodeOp[node]!;
      const t = transition(state, op);
      if (t === ILLEGAL) {
        node = next[node]!;
        choice = 0;
        continue;
      }
      const word = op >>> 5;
      const bit = 1 << (op & 31);
      bits[word]! |= bit;
      bitsHash ^= zobrist[op]!;
      let target = -1;
      if (t >= 0) {
        if (choice === 0 && cache.add(bitsHash ^ stateHash(t), bits, t)) target = t;
      } else {
        const list = choiceLists[-2 - t]!;
        for (let c = choice; c < list.length; c++) {
          const s = list[c]!;
          if (cache.add(bitsHash ^ stateHash(s), bits, s)) {
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
        sp++;
        state = target;
        remaining -= known[op]!;
        lift(node);
        node = next[HEAD]!;
        choice = 0;
        continue;
      }
      bits[word]! &= ~bit;
      bitsHash ^= zobrist[op]!;
      // A legal read that leads to a failed configuration: this configuration fails too.
      stuck = readOnly[op] === 1;
      if (!stuck) {
        node = next[node]!;
        choice = 0;
        continue;
      }
    } else {
      // A return whose op is not linearized: this configuration is a dead end.
      if (sp >= best) recordPartial(sp, node);
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
      if (readOnly[op] === 1) continue;
      node = c;
      choice = stackChoice[sp]! + 1;
      break;
    }
  }

  function recordPartial(depth: number, returnNode: number): void {
    if (depth > best) {
      best = depth;
      partials.length = 0;
      partialEnds.length = 0;
    } else if (partials.length >= budget.maxPartials || partialEnds.includes(state)) {
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
  private hashes = new Int32Array(64);
  private slots = new Int32Array(128);

  constructor(model: Model<State>) {
    this.model = model;
  }

  get size(): number {
    return this.states.length;
  }

  at(id: number): State {
    return this.states[id]!;
  }

  intern(state: State): number {
    const h = this.model.hash(state) | 0;
    const mask = this.slots.length - 1;
    let slot = mix32(h) & mask;
    for (;;) {
      const e = this.slots[slot]!;
      if (e === 0) break;
      if (this.hashes[e - 1] === h && this.model.equal(this.states[e - 1]!, state)) return e - 1;
      slot = (slot + 1) & mask;
    }
    const id = this.states.length;
    this.states.push(state);
    if (id >= this.hashes.length) {
      const grown = new Int32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[id] = h;
    this.slots[slot] = id + 1;
    if (this.states.length * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.states.length; id++) {
      let slot = mix32(this.hashes[id]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

/** The set of configurations explored: (bitset of linearized ops, state id), hashed. */
class ConfigCache {
  size = 0;
  private readonly words: number;
  private slots = new Int32Array(1 << 10);
  private hashes = new Int32Array(1 << 9);
  private stateIds = new Int32Array(1 << 9);
  private arena: Uint32Array;

  constructor(words: number) {
    this.words = words;
    this.arena = new Uint32Array(words << 9);
  }

  bytes(): number {
    return this.slots.byteLength + this.hashes.byteLength + this.stateIds.byteLength + this.arena.byteLength;
  }

  /** Adds the configuration unless present; true when it was new. */
  add(hash: number, bits: Uint32Array, state: number): boolean {
    const { words, slots, hashes, stateIds, arena } = this;
    const mask = slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const e = slots[slot]!;
      if (e === 0) break;
      const id = e - 1;
      if (hashes[id] === hash && stateIds[id] === state) {
        let base = id * words;
        let same = true;
        for (let w = 0; w < words; w++, base++) {
          if (arena[base] !== bits[w]) {
            same = false;
            break;
          }
        }
        if (same) return false;
      }
      slot = (slot + 1) & mask;
    }
    const id = this.size++;
    if (id >= this.hashes.length) this.growEntries();
    this.hashes[id] = hash;
    this.stateIds[id] = state;
    this.arena.set(bits, id * words);
    this.slots[slot] = id + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
    return true;
  }

  private growEntries(): void {
    const cap = this.hashes.length * 2;
    const hashes = new Int32Array(cap);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const stateIds = new Int32Array(cap);
    stateIds.set(this.stateIds);
    this.stateIds = stateIds;
    const arena = new Uint32Array(cap * this.words);
    arena.set(this.arena);
    this.arena = arena;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = this.hashes[id]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}
