import { type ConsumerMessages, StorageType } from '@nats-io/jetstream';
import type { SetClient } from '../../client/kinds/set.js';
import type { Done, Outcome } from '../../client/types.js';
import { NatsSession, natsFailure } from './session.js';

/** The stream the set workload publishes to. */
export const SET_STREAM = 'faultline-set';
const SET_SUBJECT = 'faultline.set';
/** Messages asked for at once while reading the whole stream. */
const BATCH = 1000;

/**
 * A grow-only set as a JetStream stream (file storage, `replicas` replicas): `add` publishes the
 * element and waits for the stream's ack (stored on a quorum); `read` reads the whole stream
 * from its first message to the last sequence the stream's leader reports, with an ordered
 * consumer. An acknowledged element missing from the final read is a lost write.
 */
export class NatsSetClient extends NatsSession implements SetClient {
  protected async prepare(): Promise<void> {
    await this.ensureStream({ name: SET_STREAM, subjects: [SET_SUBJECT], storage: StorageType.File });
  }

  async add(element: number): Promise<Done> {
    try {
      await this.js.publish(SET_SUBJECT, String(element), { timeout: this.timeoutMs });
      return { type: 'ok' };
    } catch (err) {
      return natsFailure(err, false);
    }
  }

  async read(): Promise<Outcome<number[]>> {
    try {
      const info = await this.jsm.streams.info(SET_STREAM);
      const last = info.state.last_seq;
      const elements: number[] = [];
      if (info.state.messages > 0) {
        const consumer = await this.js.consumers.get(SET_STREAM);
        let seen = 0;
        while (seen < last) {
          const batch: ConsumerMessages = await consumer.fetch({
            max_messages: BATCH,
            expires: this.timeoutMs,
          });
          let got = 0;
          for await (const m of batch) {
            got++;
            seen = m.seq;
            const n = Number(m.string());
            if (Number.isInteger(n)) elements.push(n);
          }
          if (got === 0) throw new Error(`read stopped at sequence ${seen} of ${last}`);
        }
        await consumer.delete().catch(() => undefined);
      }
      return { type: 'ok', value: elements.sort((a, b) => a - b) };
    } catch (err) {
      return natsFailure(err, true);
    }
  }
}
