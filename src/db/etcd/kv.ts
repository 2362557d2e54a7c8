import type { KvClient } from '../../client/kinds/kv.js';
import { type Done, OK, type Outcome } from '../../client/types.js';
import { etcdFailure } from './connection.js';
import { EtcdSession } from './session.js';

/** Keys `ycsb/<key>`: `read` is a range get (`serializable` option), `update` a put. */
export class EtcdKvClient extends EtcdSession implements KvClient {
  async read(key: number): Promise<Outcome<number | null>> {
    try {
      const v = await this.client.get(`ycsb/${key}`).serializable(this.serializable).string();
      return { type: 'ok', value: v === null ? null : v.length };
    } catch (err) {
      return etcdFailure(err, true);
    }
  }

  async update(key: number, value: string): Promise<Done> {
    try {
      await this.client.put(`ycsb/${key}`).value(value);
      return OK;
    } catch (err) {
      return etcdFailure(err, false);
    }
  }
}
