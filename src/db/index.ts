import { Registry } from '../registry.js';
import { etcd } from './etcd/index.js';
import { nats } from './nats/index.js';
import type { Db } from './types.js';
import { zookeeper } from './zookeeper/index.js';

export { DaemonError } from './daemon.js';
export { EtcdDb, type EtcdOptions, etcd } from './etcd/index.js';
export { NotHealthyError } from './health.js';
export { type CollectedLogs, collectLogs } from './logs.js';
export {
  CAPABILITY_NAMES,
  type Capabilities,
  type Capability,
  capabilitiesOf,
  type Db,
  type DbContext,
  type HasDataFiles,
  type HasLogFiles,
  type HasMembers,
  type HasPrimaries,
  hasCapability,
  hasDataFiles,
  hasLogFiles,
  hasMembers,
  hasPrimaries,
  isKillable,
  isPausable,
  type Killable,
  MissingCapabilityError,
  type Pausable,
  requireCapability,
} from './types.js';
export { ZookeeperDb, type ZookeeperMode, type ZookeeperOptions, zookeeper } from './zookeeper/index.js';

/** Every db adapter faultline ships, by the name a plan or `--db` uses. `DBS.get(name)` throws on field `db`. */
export const DBS = new Registry<Db>('db', [
  ['etcd', etcd],
  ['zookeeper', zookeeper],
  ['nats', nats],
]);
