import { type KV, Kvm } from '@nats-io/kv';
import type { ClientContext } from '../../client/kind.js';
import {
  decodeValue,
  encodeValue,
  type RegisterClient,
  registerValueSize,
} from '../../client/kinds/register.js';
import type { Done, Outcome } from '../../client/types.js';
import { NatsSession, natsFailure, natsFlag } from './session.js';

/** The KV bucket the register workload uses (its stream is `KV_faultline-register`). */
export const REGISTER_BUCKET = 'faultline-register';

/**
 * Registers as keys `r<key>` of a JetStream KV bucket with `replicas` replicas and a history
 * of 1. `write` is a put; `cas` a get, then an update guarded by the revision read (the server
 * refuses it if the key changed since: a definite `fail`).
 *
 * Reads: by default the bucket has `allow_direct` off, so a get is a `STREAM.MSG.GET` answered
 * by the stream's leader, not by any replica. That is not a Raft read: a deposed leader that
 * does not know it yet may still answer, which is what this workload is there to catch. With
 * the `directGet` workload option the bucket allows direct gets, answered by any replica
 * (NATS' own default for KV, and expected to be stale at times).
 */
export class NatsRegisterClient extends NatsSession implements RegisterClient {
  private readonly valueSize: number;
  private readonly directGet: boolean;
  private bucket: KV | undefined;

  constructor(ctx: ClientContext) {
    super(ctx);
    this.valueSize = registerValueSize(ctx.options);
    this.directGet = natsFlag(ctx.options, 'directGet', false);
  }

  protected async prepare(): Promise<void> {
    this.bucket = await new Kvm(this.nc).create(REGISTER_BUCKET, {
      replicas: this.replicas,
      history: 1,
      allow_direct: this.directGet,
      timeout: this.timeoutMs,
    });
  }

  private get kv(): KV {
    if (!this.bucket) throw new Error('NATS KV used before open');
    return this.bucket;
  }

  async read(key: number): Promise<Outcome<number | null>> {
    try {
      const entry = await this.kv.get(`r${key}`);
      const value = entry && entry.operation === 'PUT' ? decodeValue(entry.string()) : null;
      return { type: 'ok', value };
    } catch (err) {
      return natsFailure(err, true);
    }
  }

  async write(key: number, value: number): Promise<Done> {
    try {
      await this.kv.put(`r${key}`, encodeValue(value, this.valueSize));
      return { type: 'ok' };
    } catch (err) {
      return natsFailure(err, false);
    }
  }

  async cas(key: number, expected: number, next: number): Promise<Done> {
    let revision: number;
    try {
      const entry = await this.kv.get(`r${key}`);
      const value = entry && entry.operation === 'PUT' ? decodeValue(entry.string()) : null;
      if (!entry || value !== expected) return { type: 'fail', error: 'value differs' };
      revision = entry.revision;
    } catch (err) {
      return natsFailure(err, true);
    }
    try {
      await this.kv.update(`r${key}`, encodeValue(next, this.valueSize), revision);
      return { type: 'ok' };
    } catch (err) {
      return natsFailure(err, false);
    }
  }
}
