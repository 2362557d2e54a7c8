/** The NATS JetStream adapter and the clients it offers. */
export { NATS_CLIENTS } from './clients.js';
export { type NatsOptions, type NatsPaths, natsConf, parseNatsOptions } from './config.js';
export { NatsDb, nats } from './db.js';
