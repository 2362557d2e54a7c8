/** The toy db's CounterClient: HTTP to the primary (the first node). */
import { type ClientContext, type Done, fail, OK, type Outcome } from 'faultline';
import type { CounterClient } from './counter-workload.js';

const TIMEOUT_MS = 2000;

export class HttpCounterClient implements CounterClient {
  private base = '';

  constructor(private readonly ctx: ClientContext) {}

  async open(): Promise<void> {
    this.base = `http://${this.ctx.endpoint(this.ctx.nodes[0]!)}`;
  }

  async close(): Promise<void> {}

  async add(delta: number): Promise<Done> {
    try {
      const r = await fetch(`${this.base}/add/${delta}`, {
        method: 'POST',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await r.text();
      return r.ok ? OK : fail(`HTTP ${r.status}`);
    } catch (err) {
      // Refused: the add surely did not happen. Anything else (a timeout, a reset): it may have.
      return { type: refused(err) ? 'fail' : 'info', error: String((err as Error).cause ?? err) };
    }
  }

  async read(): Promise<Outcome<number>> {
    try {
      const r = await fetch(`${this.base}/counter`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      const text = await r.text();
      return r.ok ? { type: 'ok', value: Number(text) } : fail(`HTTP ${r.status}`);
    } catch (err) {
      return fail(String((err as Error).cause ?? err)); // a read changes nothing
    }
  }
}

function refused(err: unknown): boolean {
  return (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
}
