/**
 * The workload: adds of 1 and reads of one counter, then a final read; the shipped `counter`
 * checker judges it. It names the client it needs (a CounterClient) and knows no database.
 */
import {
  type Completion,
  clientKind,
  type Done,
  gen,
  type Invocation,
  mix,
  type Outcome,
  type Session,
  type Workload,
} from 'faultline';

/** What a db must offer to run this workload. */
export interface CounterClient extends Session {
  add(delta: number): Promise<Done>;
  read(): Promise<Outcome<number>>;
}

export const COUNTER_CLIENT = clientKind<CounterClient>('toy-counter', 'add to and read one counter');

const READ: Invocation = { f: 'read', value: null };

export const workload: Workload<CounterClient> = {
  name: 'toy-counter',
  description: 'adds and reads of one counter',
  client: COUNTER_CLIENT,
  async invoke(client, op): Promise<Completion> {
    if (op.f === 'add') {
      const done = await client.add(op.value as number);
      return done.type === 'ok' ? { type: 'ok', value: op.value } : done;
    }
    if (op.f === 'read') return client.read();
    return { type: 'fail', error: `unknown op ${op.f}` };
  },
  generator: () => mix([() => ({ f: 'add', value: 1 }), () => READ]),
  final: () => gen([READ]),
  checkers: () => ({ counter: {} }),
};
