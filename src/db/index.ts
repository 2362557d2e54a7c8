import { Registry } from '../registry.js';
import { etcd } from './etcd.js';
import { nats } from './nats/db.js';
import type { Db } from './types.js';
import { zookeeper } from './zookeeper.js';

export { DaemonError } from './daemon.js';
export { EtcdDb, type EtcdOptions, etcd } from './etcd.js';
export { NotHealthyError } from './health.js';
export { type CollectedLogs, collectLogs } from './logs.js';
export type { Db, DbContext } from './types.js';
export { ZookeeperDb, type ZookeeperMode, type ZookeeperOptions, zookeeper } from './zookeeper.js';

/** Every db adapter faultline ships, by the name a plan or `--db` uses. `DBS.get(name)` throws on field `db`. */
export const DBS = new Registry<Db>('db', [
  ['etcd', etcd],
  ['zookeeper', zookeeper],
  ['nats', nats],
]);
