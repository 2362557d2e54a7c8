/**
 * A client process (forked by src/run/client-host.ts): makes the workload's client on the db
 * and performs the ops the runner sends it. When told to close, it first lets the ops in
 * flight finish — a client stopped in the middle of one (SIGSTOP) goes on with it when resumed,
 * as a GC-paused client would — then closes the client and exits. It exits at once when the
 * runner goes away.
 */

import { bindClients, WORKLOADS } from '../../workloads/index.js';
import type { Client, Completion } from '../client/types.js';
import { DBS } from '../db/index.js';
import type { ClientWorkerInit, FromClientWorker, ToClientWorker } from './client-messages.js';

let makeClient: Promise<() => Client> | undefined;
let client: Client | undefined;
const inFlight = new Set<Promise<unknown>>();
const never = new AbortController().signal;

/** As src/run/modules.ts says: a path, not a shipped name (kept here so as not to import it). */
function isModuleName(name: string): boolean {
  return name.startsWith('./') || name.startsWith('../') || name.startsWith('/');
}

function send(message: FromClientWorker): void {
  if (process.connected) process.send?.(message);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The plan's workload and db; the module loader (and all it imports) only for a user's own modules. */
async function factory(init: ClientWorkerInit): Promise<() => Client> {
  const own = isModuleName(init.workload) || isModuleName(init.db);
  const modules = own ? await import('./modules.js') : undefined;
  const workload = modules ? await modules.resolveWorkload(init.workload) : WORKLOADS.get(init.workload);
  const db = init.db === 'none' ? undefined : modules ? await modules.resolveDb(init.db) : DBS.get(init.db);
  return bindClients(workload, db, {
    options: init.options,
    dbOptions: init.dbOptions,
    concurrency: init.concurrency,
    nodes: init.nodes,
    endpoint: (node) => init.endpoints[node] ?? node,
  });
}

async function handle(message: ToClientWorker): Promise<void> {
  switch (message.kind) {
    case 'init':
      makeClient = factory(message.init);
      makeClient.catch(() => undefined);
      return;
    case 'open':
      try {
        if (!makeClient) throw new Error('client process not initialised');
        client = (await makeClient)();
        await client.open(message.node);
        send({ kind: 'reply', id: message.id });
      } catch (err) {
        send({ kind: 'reply', id: message.id, error: errorText(err) });
      }
      return;
    case 'invoke': {
      const call = invoke(message.op, message.process).then(
        (completion) => send({ kind: 'reply', id: message.id, completion }),
        (err: unknown) => send({ kind: 'reply', id: message.id, error: errorText(err) }),
      );
      inFlight.add(call);
      void call.finally(() => inFlight.delete(call));
      return;
    }
    case 'close':
      await Promise.allSettled([...inFlight]);
      await client?.close().catch(() => undefined);
      process.exit(0);
  }
}

function invoke(op: Parameters<Client['invoke']>[0], processNumber: number): Promise<Completion> {
  if (!client) return Promise.reject(new Error('client not open'));
  return client.invoke(op, {
    process: processNumber,
    signal: never,
    holding: (held) => send({ kind: 'holding', held }),
  });
}

process.on('message', (message: ToClientWorker) => void handle(message));
process.on('disconnect', () => process.exit(0));
