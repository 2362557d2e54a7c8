import zookeeper from 'node-zookeeper-client';
import type { ClientContext } from '../../client/kind.js';
import { type SetClient, setElements } from '../../client/kinds/set.js';
import { type Done, OK, type Outcome } from '../../client/types.js';
import { zkChildren, zkCreate, zkFailure } from './connection.js';
import { ZkSession } from './session.js';

const ROOT = '/faultline-set';

/** A grow-only set, one znode `/faultline-set/<element>` per element; `read` lists the children. */
export class ZkSetClient extends ZkSession implements SetClient {
  constructor(ctx: ClientContext) {
    super(ctx, ROOT);
  }

  async add(element: number): Promise<Done> {
    try {
      const path = `${ROOT}/${element}`;
      await zkCreate(this.client, path, Buffer.alloc(0), zookeeper.CreateMode.PERSISTENT, this.timeoutMs);
      return OK;
    } catch (err) {
      return zkFailure(err, false);
    }
  }

  async read(): Promise<Outcome<number[]>> {
    try {
      return { type: 'ok', value: setElements(await zkChildren(this.client, ROOT, this.timeoutMs)) };
    } catch (err) {
      return zkFailure(err, true);
    }
  }
}
