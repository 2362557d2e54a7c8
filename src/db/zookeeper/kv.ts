import type { ClientContext } from '../../client/kind.js';
import type { KvClient } from '../../client/kinds/kv.js';
import { type Done, OK, type Outcome } from '../../client/types.js';
import { zkFailure, zkGet, zkUpsert } from './connection.js';
import { ZkSession } from './session.js';

const ROOT = '/faultline-ycsb';

/** Znodes `/faultline-ycsb/<key>`: `read` is getData (member-local), `update` setData (creating the znode). */
export class ZkKvClient extends ZkSession implements KvClient {
  constructor(ctx: ClientContext) {
    super(ctx, ROOT);
  }

  async read(key: number): Promise<Outcome<number | null>> {
    try {
      const got = await zkGet(this.client, `${ROOT}/${key}`, this.timeoutMs);
      return { type: 'ok', value: got ? got.data.length : null };
    } catch (err) {
      return zkFailure(err, true);
    }
  }

  async update(key: number, value: string): Promise<Done> {
    try {
      // The first update of a key creates it.
      await zkUpsert(this.client, `${ROOT}/${key}`, Buffer.from(value), this.timeoutMs);
      return OK;
    } catch (err) {
      return zkFailure(err, false);
    }
  }
}
