/** The clients NATS offers to workloads, one per client kind. */
import { offer, offers } from '../../client/kind.js';
import { QUEUE_CLIENT, REGISTER_CLIENT, SET_CLIENT } from '../../client/kinds/index.js';
import { NatsQueueClient } from './queue.js';
import { NatsRegisterClient } from './register.js';
import { NatsSetClient } from './set.js';

export const NATS_CLIENTS = offers(
  offer(REGISTER_CLIENT, (ctx) => new NatsRegisterClient(ctx)),
  offer(SET_CLIENT, (ctx) => new NatsSetClient(ctx)),
  offer(QUEUE_CLIENT, (ctx) => new NatsQueueClient(ctx)),
);
