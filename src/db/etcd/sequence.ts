import { randomUUID } from 'node:crypto';
import type { SequenceClient } from '../../client/kinds/sequence.js';
import { fail, type Outcome } from '../../client/types.js';
import { etcdFailure } from './connection.js';
import { EtcdSession } from './session.js';

/**
 * Creates under the prefix `sequence/`: a txn that puts a fresh key only if it does not exist
 * (create revision 0); the number is the txn's revision, which becomes the key's create revision.
 */
export class EtcdSequenceClient extends EtcdSession implements SequenceClient {
  async create(): Promise<Outcome<number>> {
    const etcd = this.client;
    const key = `sequence/${randomUUID()}`;
    try {
      const r = await etcd.if(key, 'Create', '==', 0).then(etcd.put(key).value('')).commit();
      if (!r.succeeded) return fail(`${key} exists already`);
      return { type: 'ok', value: Number(r.header.revision) };
    } catch (err) {
      return etcdFailure(err, false);
    }
  }
}
