/** The clients NATS offers to workloads, one per client kind. */
import { offer, offers } from '../../client/kind.js';
import { QUEUE_CLIENT, REGISTER_CLIENT, SET_CLIENT, UNIQUE_IDS_CLIENT } from '../../client/kinds/index.js';
import { NatsQueueClient } from './queue.js';
import { NatsRegisterClient } from './register.js';
import { NatsSetClient } from './set.js';
import { NatsUniqueIdsClient } from './unique-ids.js';

export const NATS_CLIENTS = offers(
  offer(REGISTER_CLIENT, (ctx) => new NatsRegisterClient(ctx)),
  offer(SET_CLIENT, (ctx) => new NatsSetClient(ctx)),
  offer(QUEUE_CLIENT, (ctx) => new NatsQueueClient(ctx)),
  offer(UNIQUE_IDS_CLIENT, (ctx) => new NatsUniqueIdsClient(ctx)),
);
