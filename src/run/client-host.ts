/**
 * Hosts each client in a process of its own (child_process.fork with IPC), so that the
 * `client-pause` nemesis can really stop it (see src/client/processes.ts). The runner sees an
 * ordinary {@link Client}; each `newClient()` forks one process, which makes the workload's
 * client on the db exactly as the runner would in process. Closing a client does not kill its
 * process: it finishes the ops it has in flight (also after a pause) and exits.
 * {@link ClientProcessPool.shutdown} ends every process this pool started, by pid.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClientProcesses, HostedClient } from '../client/processes.js';
import type { Client, Completion, Invocation, InvokeContext } from '../client/types.js';
import type { ClientWorkerInit, FromClientWorker, ToClientWorker } from './client-messages.js';

/** How long a closed or shut-down client process may take to finish and exit before SIGKILL. */
const EXIT_GRACE_MS = 10_000;

/** The compiled worker: next to this module in dist/, or dist/'s copy when running the sources. */
function workerFile(): string {
  const beside = fileURLToPath(new URL('./client-worker.js', import.meta.url));
  if (existsSync(beside)) return beside;
  const compiled = fileURLToPath(new URL('../../dist/src/run/client-worker.js', import.meta.url));
  if (existsSync(compiled)) return compiled;
  throw new Error(`client processes need the compiled worker ${beside}: run \`npm run build\``);
}

interface Pending {
  resolve(reply: { completion?: Completion; error?: string }): void;
}

/** One client process, as the runner's {@link Client}. */
class HostedClientProcess implements Client, HostedClient {
  readonly child: ChildProcess;
  readonly pid: number;
  process: number | null = null;
  holding = false;
  paused = false;
  closed = false;
  exited = false;
  readonly exit: Promise<void>;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private stderr = '';

  constructor(file: string, init: ClientWorkerInit) {
    this.child = fork(file, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    if (this.child.pid === undefined) throw new Error('could not start a client process');
    this.pid = this.child.pid;
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    this.child.on('message', (message: FromClientWorker) => this.onMessage(message));
    this.exit = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        const last = this.stderr.trim().split('\n').at(-1) ?? '';
        const why = `client process ${this.pid} exited (${signal ?? `code ${code}`})${last ? `: ${last}` : ''}`;
        for (const p of this.pending.values()) p.resolve({ error: why });
        this.pending.clear();
        resolve();
      });
    });
    // An error sending (the child is gone) shows up as its exit.
    this.child.on('error', () => undefined);
    this.send({ kind: 'init', init });
  }

  async open(node: string): Promise<void> {
    const reply = await this.request((id) => ({ kind: 'open', id, node }));
    if (reply.error !== undefined) {
      this.close();
      throw new Error(reply.error);
    }
  }

  async invoke(op: Invocation, context: InvokeContext): Promise<Completion> {
    this.process = context.process;
    // Only what the child needs of the op: the generator's extra fields stay here.
    const call: Invocation = { f: op.f, value: op.value, ...(op.key !== undefined ? { key: op.key } : {}) };
    const reply = await this.request((id) => ({ kind: 'invoke', id, op: call, process: context.process }));
    if (reply.completion) return reply.completion;
    throw new Error(reply.error ?? 'no answer from the client process');
  }

  /** Asks the process to finish its ops and exit; does not wait (a paused one may take long). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.send({ kind: 'close' });
  }

  private request(
    message: (id: number) => ToClientWorker,
  ): Promise<{ completion?: Completion; error?: string }> {
    if (this.exited) return Promise.resolve({ error: `client process ${this.pid} has exited` });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve });
      this.send(message(id));
    });
  }

  private send(message: ToClientWorker): void {
    if (this.exited || !this.child.connected) return;
    this.child.send(message, (err) => {
      if (err) this.child.kill('SIGKILL');
    });
  }

  private onMessage(message: FromClientWorker): void {
    if (message.kind === 'holding') {
      this.holding = message.held;
      return;
    }
    const p = this.pending.get(message.id);
    if (!p) return;
    this.pending.delete(message.id);
    p.resolve(message);
  }
}

/** The client processes of one run. */
export class ClientProcessPool implements ClientProcesses {
  private readonly all: HostedClientProcess[] = [];
  private readonly file = workerFile();

  constructor(private readonly init: ClientWorkerInit) {}

  /** A fresh client in a fresh process (the runner's `newClient`). */
  newClient(): Client {
    const client = new HostedClientProcess(this.file, this.init);
    this.all.push(client);
    void client.exit.then(() => {
      const at = this.all.indexOf(client);
      if (at >= 0 && client.closed) this.all.splice(at, 1);
    });
    return client;
  }

  list(): HostedClient[] {
    return this.all
      .filter((c) => !c.closed && !c.exited)
      .map(({ pid, process, holding, paused }) => ({ pid, process, holding, paused }));
  }

  pause(pid: number): boolean {
    const client = this.all.find((c) => c.pid === pid && !c.exited);
    if (!client) return false;
    client.child.kill('SIGSTOP');
    client.paused = true;
    return true;
  }

  resume(pid: number): boolean {
    const client = this.all.find((c) => c.pid === pid && !c.exited);
    if (!client?.paused) return false;
    client.child.kill('SIGCONT');
    client.paused = false;
    return true;
  }

  /** Every process this pool started: resumed, closed, and SIGKILLed if it has not exited after a grace time. */
  async shutdown(): Promise<void> {
    const running = this.all.filter((c) => !c.exited);
    for (const c of running) {
      if (c.paused) this.resume(c.pid);
      await c.close();
    }
    await Promise.all(
      running.map(async (c) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), EXIT_GRACE_MS);
        });
        if ((await Promise.race([c.exit, late])) === 'late') {
          c.child.kill('SIGKILL');
          await c.exit;
        }
        clearTimeout(timer);
      }),
    );
    this.all.length = 0;
  }
}
