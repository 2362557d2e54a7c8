import { AckPolicy, type Consumer, type JsMsg, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { QueueClient } from '../../client/kinds/queue.js';
import type { Done, Outcome } from '../../client/types.js';
import { NatsSession, natsErrorText, natsFailure } from './session.js';

/** The work-queue stream and the durable consumer every process pulls from. */
export const QUEUE_STREAM = 'faultline-queue';
const QUEUE_SUBJECT = 'faultline.queue';
const QUEUE_CONSUMER = 'faultline-workers';
/** The shortest wait NATS takes for a pull. */
const PULL_MS = 1000;

/**
 * A queue as a JetStream work-queue stream (file storage, `replicas` replicas) and one durable
 * pull consumer shared by all processes, acks explicit. `enqueue` publishes and waits for the
 * stream's ack. `dequeue` pulls one message and acks it with a confirmed ack (`ackAck`): only
 * then is the message removed from the stream, so `ok` means taken; a pull that brought
 * nothing took nothing (`fail`), and an ack the server did not confirm is `info` (taken, or
 * redelivered after `ack_wait`). `drain` takes messages until the stream's leader reports the
 * stream empty, or until the consumer has had nothing pending for two ack_waits (then `ok`
 * with a remark naming what the stream still holds: stranded messages). An element dequeued twice with both acks confirmed is a duplicate beyond
 * at-least-once delivery only when the first ack came within `ack_wait` (3 call timeouts).
 */
export class NatsQueueClient extends NatsSession implements QueueClient {
  private workers: Consumer | undefined;

  protected async prepare(): Promise<void> {
    await this.ensureStream({
      name: QUEUE_STREAM,
      subjects: [QUEUE_SUBJECT],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
    });
    const config = {
      durable_name: QUEUE_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(3 * this.timeoutMs),
      num_replicas: this.replicas,
    };
    await this.jsm.consumers.add(QUEUE_STREAM, config).catch(async (err: unknown) => {
      // Made concurrently by another process: the same consumer is there.
      await this.jsm.consumers.info(QUEUE_STREAM, QUEUE_CONSUMER).catch(() => Promise.reject(err));
    });
    this.workers = await this.js.consumers.get(QUEUE_STREAM, QUEUE_CONSUMER);
  }

  private get consumer(): Consumer {
    if (!this.workers) throw new Error('NATS queue used before open');
    return this.workers;
  }

  async enqueue(element: number): Promise<Done> {
    try {
      await this.js.publish(QUEUE_SUBJECT, String(element), { timeout: this.timeoutMs });
      return { type: 'ok' };
    } catch (err) {
      return natsFailure(err, false);
    }
  }

  async dequeue(): Promise<Outcome<number | null>> {
    let m: JsMsg | null;
    try {
      m = await this.consumer.next({ expires: PULL_MS });
    } catch (err) {
      // Unacknowledged, a message pulled and lost on the way comes back after ack_wait.
      return natsFailure(err, true);
    }
    if (!m) return { type: 'fail', error: 'no message' };
    return this.take(m);
  }

  /** Acks `m`; its element when the server confirmed the ack. */
  private async take(m: JsMsg): Promise<Outcome<number>> {
    const element = Number(m.string());
    try {
      if (await m.ackAck({ timeout: this.timeoutMs })) return { type: 'ok', value: element };
      return { type: 'info', error: `ack of ${element} not confirmed` };
    } catch (err) {
      return { type: 'info', error: `ack of ${element}: ${natsErrorText(err)}` };
    }
  }

  async drain(): Promise<Outcome<number[]>> {
    const taken: number[] = [];
    const giveUpAt = Date.now() + 2 * 3 * this.timeoutMs + PULL_MS;
    try {
      while (true) {
        const batch = await this.consumer.fetch({ max_messages: 256, expires: PULL_MS });
        const messages: JsMsg[] = [];
        for await (const m of batch) messages.push(m);
        if (messages.length === 0) {
          const info = await this.jsm.streams.info(QUEUE_STREAM);
          if (info.state.messages === 0) return { type: 'ok', value: taken };
          // Delivered to another process and not acked yet: back after ack_wait. Past two
          // ack_waits, the consumer is not handing out what the stream holds: say so.
          if (Date.now() > giveUpAt) {
            const c = await this.jsm.consumers.info(QUEUE_STREAM, QUEUE_CONSUMER);
            const error =
              `stream holds ${info.state.messages} messages (seq ${info.state.first_seq}..${info.state.last_seq}) ` +
              `the consumer does not deliver: pending ${c.num_pending}, ack pending ${c.num_ack_pending}, ` +
              `delivered up to seq ${c.delivered.stream_seq}, ack floor seq ${c.ack_floor.stream_seq}`;
            // Nothing pending for the consumer: it will deliver nothing more, so for the
            // workers the queue is empty (what the stream still holds is stranded).
            if (c.num_pending === 0 && c.num_ack_pending === 0) return { type: 'ok', value: taken, error };
            return taken.length > 0 ? { type: 'info', error } : { type: 'fail', error };
          }
          continue;
        }
        for (const outcome of await Promise.all(messages.map((m) => this.take(m)))) {
          if (outcome.type !== 'ok')
            return { type: 'info', error: `${outcome.error} (after taking ${taken.length})` };
          taken.push(outcome.value);
        }
      }
    } catch (err) {
      // Elements taken before the error are out of the queue but unreported: in doubt.
      return taken.length > 0 ? { type: 'info', error: natsErrorText(err) } : natsFailure(err, true);
    }
  }
}
