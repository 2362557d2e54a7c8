/**
 * The connection plumbing every NATS client shares: ONE connection to one server (no
 * reconnects, no discovery of the other servers: a process talks to its node or fails), the
 * JetStream handles, and how an error becomes `fail` or `info`.
 */
import {
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, RequestError } from '@nats-io/transport-node';
import type { ClientContext } from '../../client/kind.js';
import type { Failed, Session } from '../../client/types.js';
import { InputError } from '../../errors.js';
import { natsReplicas, parseNatsOptions } from './config.js';

/** The `callTimeoutMs` workload option: the deadline of every call (default 3000 ms). */
export function natsCallTimeoutMs(options: Readonly<Record<string, unknown>>): number {
  const v = options.callTimeoutMs;
  if (v === undefined) return 3000;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new InputError(`expected a positive number, got ${JSON.stringify(v)}`, {
      field: 'workloadOptions.callTimeoutMs',
    });
  }
  return v;
}

/** A boolean workload option, or `fallback` when absent. */
export function natsFlag(
  options: Readonly<Record<string, unknown>>,
  key: string,
  fallback: boolean,
): boolean {
  const v = options[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') {
    throw new InputError(`expected true or false, got ${JSON.stringify(v)}`, {
      field: `workloadOptions.${key}`,
    });
  }
  return v;
}

/**
 * JetStream API errors after which the write surely was not stored: the server checked it and
 * refused it before proposing it to the stream's Raft group.
 */
const REFUSED = new Set([
  10071, // wrong last sequence (a KV update's revision check)
  10164, // wrong last sequence, unknown
  10059, // stream not found
  10039, // JetStream not enabled for the account
]);

/** The error's text, one line. */
export function natsErrorText(err: unknown): string {
  if (err instanceof JetStreamApiError) return `${err.message} (err_code ${err.code})`;
  const text = err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err);
  return text.split('\n')[0]!.slice(0, 200);
}

/** True when no server had interest in the request's subject: nothing received it. */
function noResponders(err: unknown): boolean {
  if (err instanceof RequestError && err.isNoResponders()) return true;
  return err instanceof Error && err.constructor.name === 'JetStreamNotEnabled';
}

/**
 * `fail` when the call surely did not take effect (`readOnly` calls change nothing; a write
 * the server refused; a request nobody received), else `info`: a timeout or a lost connection
 * says nothing about whether a write was stored.
 */
export function natsFailure(err: unknown, readOnly: boolean): Failed {
  const error = natsErrorText(err);
  if (readOnly) return { type: 'fail', error };
  if (err instanceof JetStreamApiError && REFUSED.has(err.code)) return { type: 'fail', error };
  if (noResponders(err)) return { type: 'fail', error };
  return { type: 'info', error };
}

/** Resolves with `p`, or rejects after `ms` (a paused server never answers a close). */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * A client of one NATS server. `prepare` (run once per `open`) makes the stream, bucket or
 * consumer the client works on, idempotently: every process makes the same one.
 */
export abstract class NatsSession implements Session {
  private connection: NatsConnection | undefined;
  private jsClient: JetStreamClient | undefined;
  private jsManager: JetStreamManager | undefined;
  protected readonly timeoutMs: number;
  /** Replicas of what the client makes (the db's `replicas` option). */
  protected readonly replicas: number;

  constructor(protected readonly ctx: ClientContext) {
    this.timeoutMs = natsCallTimeoutMs(ctx.options);
    this.replicas = natsReplicas(
      parseNatsOptions({ options: { ...ctx.dbOptions } }).replicas,
      ctx.nodes.length,
    );
  }

  async open(node: string): Promise<void> {
    const nc = await connect({
      servers: this.ctx.endpoint(node),
      reconnect: false,
      ignoreClusterUpdates: true,
      timeout: this.timeoutMs,
      name: 'faultline',
    });
    try {
      this.connection = nc;
      this.jsManager = await jetstreamManager(nc, { timeout: this.timeoutMs });
      this.jsClient = jetstream(nc, { timeout: this.timeoutMs });
      await this.prepare();
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Makes (or finds) what the client works on. */
  protected abstract prepare(): Promise<void>;

  protected get nc(): NatsConnection {
    if (!this.connection) throw new Error('NATS client used before open or after close');
    return this.connection;
  }

  protected get js(): JetStreamClient {
    if (!this.jsClient) throw new Error('NATS client used before open or after close');
    return this.jsClient;
  }

  protected get jsm(): JetStreamManager {
    if (!this.jsManager) throw new Error('NATS client used before open or after close');
    return this.jsManager;
  }

  /** Makes stream `config.name` unless it exists (a stream made by another process is fine). */
  protected async ensureStream(config: Parameters<JetStreamManager['streams']['add']>[0]): Promise<void> {
    try {
      await this.jsm.streams.add({ ...config, num_replicas: this.replicas });
    } catch (err) {
      // 10058: the name is in use, by the same stream made concurrently by another process.
      if (!(err instanceof JetStreamApiError && err.code === 10058)) throw err;
      await this.jsm.streams.info(config.name!);
    }
  }

  async close(): Promise<void> {
    const nc = this.connection;
    this.connection = undefined;
    this.jsClient = undefined;
    this.jsManager = undefined;
    await within(nc?.close().catch(() => undefined) ?? Promise.resolve(), this.timeoutMs);
  }
}
