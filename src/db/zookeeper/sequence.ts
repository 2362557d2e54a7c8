import zookeeper from 'node-zookeeper-client';
import type { ClientContext } from '../../client/kind.js';
import type { SequenceClient } from '../../client/kinds/sequence.js';
import type { Outcome } from '../../client/types.js';
import { zkCreate, zkFailure } from './connection.js';
import { ZkSession } from './session.js';

const ROOT = '/faultline-sequence';
const PREFIX = 'n-';

/** Persistent sequential znodes `/faultline-sequence/n-<10 digits>`; the number is the suffix ZooKeeper gave. */
export class ZkSequenceClient extends ZkSession implements SequenceClient {
  constructor(ctx: ClientContext) {
    super(ctx, ROOT);
  }

  async create(): Promise<Outcome<number>> {
    try {
      const mode = zookeeper.CreateMode.PERSISTENT_SEQUENTIAL;
      const path = await zkCreate(this.client, `${ROOT}/${PREFIX}`, Buffer.alloc(0), mode, this.timeoutMs);
      return { type: 'ok', value: Number(path.slice(ROOT.length + 1 + PREFIX.length)) };
    } catch (err) {
      return zkFailure(err, false);
    }
  }
}
