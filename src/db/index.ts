import { InputError } from '../errors.js';
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

/** Every db adapter, by the name a plan or `--db` uses. */
export const DBS: Readonly<Record<string, Db>> = Object.freeze({
  etcd,
  zookeeper,
  nats,
});

/** The adapter called `name`; an {@link InputError} on field `db` lists the known ones otherwise. */
export function dbByName(name: string): Db {
  const db = Object.hasOwn(DBS, name) ? DBS[name] : undefined;
  if (!db)
    throw new InputError(`unknown db "${name}" (known: ${Object.keys(DBS).join(', ')})`, { field: 'db' });
  return db;
}
