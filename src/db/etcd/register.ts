import type { ClientContext } from '../../client/kind.js';
import {
  decodeValue,
  encodeValue,
  type RegisterClient,
  registerValueSize,
} from '../../client/kinds/register.js';
import { type Done, fail, OK, type Outcome } from '../../client/types.js';
import { etcdFailure } from './connection.js';
import { EtcdSession } from './session.js';

/**
 * Registers as etcd keys `register/<key>`: `read` is a range get (member-local with the
 * `serializable` option); `write` a put; `cas` a txn comparing the value.
 */
export class EtcdRegisterClient extends EtcdSession implements RegisterClient {
  private readonly valueSize: number;

  constructor(ctx: ClientContext) {
    super(ctx);
    this.valueSize = registerValueSize(ctx.options);
  }

  async read(key: number): Promise<Outcome<number | null>> {
    try {
      const value = await this.client.get(`register/${key}`).serializable(this.serializable).string();
      return { type: 'ok', value: decodeValue(value) };
    } catch (err) {
      return etcdFailure(err, true);
    }
  }

  async write(key: number, value: number): Promise<Done> {
    try {
      await this.client.put(`register/${key}`).value(encodeValue(value, this.valueSize));
      return OK;
    } catch (err) {
      return etcdFailure(err, false);
    }
  }

  async cas(key: number, expected: number, next: number): Promise<Done> {
    const etcd = this.client;
    const k = `register/${key}`;
    try {
      const r = await etcd
        .if(k, 'Value', '==', encodeValue(expected, this.valueSize))
        .then(etcd.put(k).value(encodeValue(next, this.valueSize)))
        .commit();
      return r.succeeded ? OK : fail('compare failed');
    } catch (err) {
      return etcdFailure(err, false);
    }
  }
}
