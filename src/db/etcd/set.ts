import { type SetClient, setElements } from '../../client/kinds/set.js';
import { type Done, OK, type Outcome } from '../../client/types.js';
import { etcdFailure } from './connection.js';
import { EtcdSession } from './session.js';

const PREFIX = 'set/';

/** A grow-only set, one etcd key `set/<element>` per element; `read` is a prefix range (`serializable` option). */
export class EtcdSetClient extends EtcdSession implements SetClient {
  async add(element: number): Promise<Done> {
    try {
      await this.client.put(`${PREFIX}${element}`).value('');
      return OK;
    } catch (err) {
      return etcdFailure(err, false);
    }
  }

  async read(): Promise<Outcome<number[]>> {
    try {
      const keys = await this.client.getAll().prefix(PREFIX).serializable(this.serializable).keys();
      return { type: 'ok', value: setElements(keys.map((k) => k.slice(PREFIX.length))) };
    } catch (err) {
      return etcdFailure(err, true);
    }
  }
}
