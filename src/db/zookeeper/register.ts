import type { ClientContext } from '../../client/kind.js';
import {
  decodeValue,
  encodeValue,
  type RegisterClient,
  registerValueSize,
} from '../../client/kinds/register.js';
import { flag } from '../../client/options.js';
import { type Done, fail, OK, type Outcome } from '../../client/types.js';
import { zkFailure, zkGet, zkSet, zkSyncBarrier, zkUpsert } from './connection.js';
import { ZkSession } from './session.js';

const ROOT = '/faultline-register';

/**
 * Registers as znodes `/faultline-register/<key>`: `read` is getData (after a leader round
 * trip with the `sync` option, default true); `write` setData (the first write creates the
 * znode); `cas` getData, then setData with the version read.
 */
export class ZkRegisterClient extends ZkSession implements RegisterClient {
  private readonly sync: boolean;
  private readonly valueSize: number;

  constructor(ctx: ClientContext) {
    super(ctx, ROOT);
    this.sync = flag(ctx.options, 'sync', true);
    this.valueSize = registerValueSize(ctx.options);
  }

  private data(v: number): Buffer {
    return Buffer.from(encodeValue(v, this.valueSize));
  }

  async read(key: number): Promise<Outcome<number | null>> {
    const zk = this.client;
    try {
      if (this.sync) await zkSyncBarrier(zk, `${ROOT}/sync`, this.timeoutMs);
      const got = await zkGet(zk, `${ROOT}/${key}`, this.timeoutMs);
      return { type: 'ok', value: got ? decodeValue(got.data.toString()) : null };
    } catch (err) {
      return zkFailure(err, true);
    }
  }

  async write(key: number, value: number): Promise<Done> {
    try {
      await zkUpsert(this.client, `${ROOT}/${key}`, this.data(value), this.timeoutMs);
      return OK;
    } catch (err) {
      return zkFailure(err, false);
    }
  }

  async cas(key: number, expected: number, next: number): Promise<Done> {
    const zk = this.client;
    const path = `${ROOT}/${key}`;
    try {
      const got = await zkGet(zk, path, this.timeoutMs);
      if (!got || decodeValue(got.data.toString()) !== expected) return fail('value differs');
      await zkSet(zk, path, this.data(next), got.stat.version, this.timeoutMs);
      return OK;
    } catch (err) {
      return zkFailure(err, false);
    }
  }
}
