import { describe, expect, it } from 'vitest';
import { type ClientContext, clientKind, NO_CLIENTS, offer, offers } from '../../src/client/kind.js';
import { REGISTER_CLIENT, type RegisterClient, SET_CLIENT } from '../../src/client/kinds/index.js';
import { OK, type Session } from '../../src/client/types.js';
import { etcd } from '../../src/db/etcd/index.js';
import { nats } from '../../src/db/nats/index.js';
import type { Db } from '../../src/db/types.js';
import { zookeeper } from '../../src/db/zookeeper/index.js';
import { EXIT, InputError } from '../../src/errors.js';
import { executePlan } from '../../src/run/execute.js';
import { validatePlan } from '../../src/run/plan.js';
import { bindClients, runsOn, WORKLOADS, workloadClientFactory } from '../../workloads/index.js';
import { noop } from '../../workloads/noop.js';
import { register } from '../../workloads/register.js';

/** A db that only offers `clients`; nothing here touches a host. */
function fakeDb(name: string, clients = NO_CLIENTS): Db {
  return {
    name,
    clients,
    setup: async () => undefined,
    teardown: async () => undefined,
    awaitHealthy: async () => undefined,
    endpoint: (_ctx, node) => node,
  };
}

const CTX: ClientContext = { options: {}, dbOptions: {}, concurrency: 1, nodes: ['n1'], endpoint: (n) => n };

/** An in-memory register: enough to see the workload drive the client's calls. */
class MemoryRegister implements RegisterClient {
  readonly values = new Map<number, number>();
  open = async (): Promise<void> => undefined;
  close = async (): Promise<void> => undefined;
  read = async (key: number) => ({ type: 'ok' as const, value: this.values.get(key) ?? null });
  write = async (key: number, value: number) => {
    this.values.set(key, value);
    return OK;
  };
  cas = async (key: number, expected: number, next: number) => {
    if (this.values.get(key) !== expected) return { type: 'fail' as const, error: 'differs' };
    this.values.set(key, next);
    return OK;
  };
}

describe('workload/db pairing', () => {
  it('etcd and ZooKeeper offer a client for every shipped workload but noop, which brings its own, and the stream workloads only NATS has', () => {
    const natsOnly = new Set(['queue', 'unique-ids']);
    for (const w of WORKLOADS.values()) {
      const expected = !natsOnly.has(w.name);
      expect(runsOn(w, etcd), `${w.name} on etcd`).toBe(expected);
      expect(runsOn(w, zookeeper), `${w.name} on zookeeper`).toBe(expected);
    }
    for (const name of natsOnly) expect(runsOn(WORKLOADS.get(name), nats), `${name} on nats`).toBe(true);
    expect(runsOn(noop, undefined)).toBe(true);
    expect(runsOn(register, undefined)).toBe(false);
  });

  it('refuses a pair without a client, naming the workload, the db, the kind and what the db offers', () => {
    const onlySets = fakeDb('toy', offers(offer(SET_CLIENT, () => ({}) as never)));
    const err = (() => {
      try {
        workloadClientFactory(register, onlySets);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).location.field).toBe('db');
    expect((err as Error).message).toMatch(
      /workload register has no client for db toy: it needs a register client/,
    );
    expect((err as Error).message).toMatch(/toy offers set$/);
    expect(() => workloadClientFactory(register, undefined)).toThrow(/register has no client for db none/);
  });

  it('executePlan refuses the pair before anything runs (exit 254 in the CLI)', async () => {
    const plan = validatePlan({ workload: 'register', db: 'none', timeLimit: 1 });
    await expect(executePlan(plan, { progress: false, out: () => undefined })).rejects.toThrow(
      /field db: workload register has no client for db none/,
    );
    expect(EXIT.badInput).toBe(254);
  });

  it('a db adapter offers a kind only with a client of that kind, and the workload drives its calls', async () => {
    const memory = new MemoryRegister();
    const toy = fakeDb('toy', offers(offer(REGISTER_CLIENT, () => memory)));
    const newClient = bindClients(register, toy, CTX);
    const client = newClient();
    await client.open('n1');
    const signal = new AbortController().signal;
    const at = { process: 0, signal };
    expect(await client.invoke({ f: 'write', value: 3, key: 7 }, at)).toEqual({ type: 'ok' });
    expect(await client.invoke({ f: 'cas', value: [3, 4], key: 7 }, at)).toEqual({ type: 'ok' });
    expect(await client.invoke({ f: 'cas', value: [3, 1], key: 7 }, at)).toMatchObject({ type: 'fail' });
    expect(await client.invoke({ f: 'read', value: null, key: 7 }, at)).toEqual({ type: 'ok', value: 4 });
    expect(await client.invoke({ f: 'explode', value: null, key: 7 }, at)).toMatchObject({ type: 'fail' });
    await client.close();
  });

  it('a kind offered twice is a programming error', () => {
    const kind = clientKind<Session>('x', 'x');
    const make = () => ({ open: async () => undefined, close: async () => undefined });
    expect(() => offers(offer(kind, make), offer(kind, make))).toThrow(/offered twice/);
  });
});
