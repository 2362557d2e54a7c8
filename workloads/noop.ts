import { clientKind } from '../src/client/kind.js';
import type { Client, Completion, Invocation } from '../src/client/types.js';
import { gen, mix } from '../src/generator/index.js';
import type { CheckerSpec, Workload, WorkloadContext } from './types.js';

/** The in-process client: no db offers it; the workload brings its own. */
export const NOOP_CLIENT = clientKind<Client>('noop', 'an in-process register or set (no db)');

/**
 * An in-process workload for tests and the runner bench: reads and writes of one register
 * held in memory, so its history is linearizable. Options (all counts are per workload):
 * - `infoEvery: n` — every n-th op ends `info` (its process crashes);
 * - `throwEvery: n` — every n-th op makes the client throw;
 * - `hangEvery: n` — every n-th op never answers (the runner times it out);
 * - `openFailures: n` — the first n client opens fail;
 * - `latencyMs` — answer after this long (default: at once);
 * - `mode: set` — a grow-only set instead: unique `add`s, then a final read, checked by
 *   the `set` checker; with `loseEvery: n`, every n-th add is acknowledged but dropped.
 */
export const noop: Workload<Client> = {
  name: 'noop',
  description: 'in-process register (or set) in memory: no db, no network (tests and benchmarks)',
  client: NOOP_CLIENT,
  // With a db, the db is set up, faulted and torn down as usual; the client stays in process.
  localClient: (ctx) => new NoopClient(sharedState(ctx)),
  invoke: (client, op, context) => client.invoke(op, context),
  generator: (ctx) => {
    let next = 0;
    if (ctx.options.mode === 'set') return gen(() => ({ f: 'add', value: next++ }));
    return mix([gen(() => READ), gen(() => ({ f: 'write', value: next++ }))]);
  },
  final: () => gen([READ]),
  checkers: (ctx): CheckerSpec => (ctx.options.mode === 'set' ? { set: {} } : {}),
};

const READ: Invocation = { f: 'read', value: null };

interface NoopState {
  register: unknown;
  readonly set: unknown[];
  readonly setMode: boolean;
  readonly loseEvery: number;
  adds: number;
  ops: number;
  opens: number;
  readonly infoEvery: number;
  readonly throwEvery: number;
  readonly hangEvery: number;
  readonly openFailures: number;
  readonly latencyMs: number;
}

const states = new WeakMap<Readonly<Record<string, unknown>>, NoopState>();

/** One register per test: the clients of one test share the options object. */
function sharedState(ctx: WorkloadContext): NoopState {
  let state = states.get(ctx.options);
  if (!state) {
    const n = (k: string): number => (typeof ctx.options[k] === 'number' ? (ctx.options[k] as number) : 0);
    state = {
      register: null,
      set: [],
      setMode: ctx.options.mode === 'set',
      loseEvery: n('loseEvery'),
      adds: 0,
      ops: 0,
      opens: 0,
      infoEvery: n('infoEvery'),
      throwEvery: n('throwEvery'),
      hangEvery: n('hangEvery'),
      openFailures: n('openFailures'),
      latencyMs: n('latencyMs'),
    };
    states.set(ctx.options, state);
  }
  return state;
}

const OK: Completion = { type: 'ok' };

class NoopClient implements Client {
  constructor(private readonly state: NoopState) {}

  async open(_node: string): Promise<void> {
    if (this.state.opens++ < this.state.openFailures) throw new Error('noop: open refused (openFailures)');
  }

  invoke(op: Invocation): Promise<Completion> {
    const s = this.state;
    const n = ++s.ops;
    if (s.hangEvery > 0 && n % s.hangEvery === 0) return new Promise(() => undefined);
    if (s.throwEvery > 0 && n % s.throwEvery === 0)
      return Promise.reject(new Error('noop: thrown (throwEvery)'));
    if (s.infoEvery > 0 && n % s.infoEvery === 0)
      return Promise.resolve({ type: 'info', error: 'noop: infoEvery' });
    const answer = (): Completion => {
      if (op.f === 'read') return { type: 'ok', value: s.setMode ? [...s.set] : s.register };
      if (op.f === 'write') s.register = op.value;
      if (op.f === 'add' && !(s.loseEvery > 0 && ++s.adds % s.loseEvery === 0)) s.set.push(op.value);
      return OK;
    };
    if (s.latencyMs > 0) return new Promise((resolve) => setTimeout(() => resolve(answer()), s.latencyMs));
    return Promise.resolve(answer());
  }

  async close(): Promise<void> {}
}
