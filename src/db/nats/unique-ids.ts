import { StorageType } from '@nats-io/jetstream';
import type { UniqueIdsClient } from '../../client/kinds/unique-ids.js';
import type { Outcome } from '../../client/types.js';
import { NatsSession, natsFailure } from './session.js';

/** The stream whose sequence numbers are the ids. */
export const IDS_STREAM = 'faultline-ids';
const IDS_SUBJECT = 'faultline.ids';

/**
 * Ids as the sequence numbers a JetStream stream (file storage, `replicas` replicas) assigns:
 * `generate` publishes an empty message and returns the sequence of its ack. A stream that
 * lost an acknowledged message and handed its sequence out again gives a duplicate id.
 */
export class NatsUniqueIdsClient extends NatsSession implements UniqueIdsClient {
  protected async prepare(): Promise<void> {
    await this.ensureStream({ name: IDS_STREAM, subjects: [IDS_SUBJECT], storage: StorageType.File });
  }

  async generate(): Promise<Outcome<number>> {
    try {
      const ack = await this.js.publish(IDS_SUBJECT, '', { timeout: this.timeoutMs });
      return { type: 'ok', value: ack.seq };
    } catch (err) {
      return natsFailure(err, false);
    }
  }
}
