/** The clients ZooKeeper offers to workloads, one per client kind. */
import { offer, offers } from '../../client/kind.js';
import {
  APPEND_CLIENT,
  ELECTION_CLIENT,
  EPHEMERAL_CLIENT,
  KV_CLIENT,
  LOCK_CLIENT,
  LOCK_SET_CLIENT,
  REGISTER_CLIENT,
  SEQUENCE_CLIENT,
  SET_CLIENT,
  WATCH_CLIENT,
  WR_CLIENT,
} from '../../client/kinds/index.js';
import { ZkEphemeralClient } from './ephemeral.js';
import { ZkKvClient } from './kv.js';
import { ZkElectionClient, ZkLockClient } from './lock.js';
import { ZkLockSetClient } from './lock-set.js';
import { ZkRegisterClient } from './register.js';
import { ZkSequenceClient } from './sequence.js';
import { ZkSetClient } from './set.js';
import { ZkTxnClient } from './txn.js';
import { ZkWatchClient } from './watch.js';

export const ZOOKEEPER_CLIENTS = offers(
  offer(REGISTER_CLIENT, (ctx) => new ZkRegisterClient(ctx)),
  offer(SET_CLIENT, (ctx) => new ZkSetClient(ctx)),
  offer(APPEND_CLIENT, (ctx) => new ZkTxnClient(ctx, 'append')),
  offer(WR_CLIENT, (ctx) => new ZkTxnClient(ctx, 'w')),
  offer(LOCK_CLIENT, (ctx) => new ZkLockClient(ctx)),
  offer(ELECTION_CLIENT, (ctx) => new ZkElectionClient(ctx)),
  offer(KV_CLIENT, (ctx) => new ZkKvClient(ctx)),
  offer(LOCK_SET_CLIENT, (ctx) => new ZkLockSetClient(ctx)),
  offer(WATCH_CLIENT, (ctx) => new ZkWatchClient(ctx)),
  offer(SEQUENCE_CLIENT, (ctx) => new ZkSequenceClient(ctx)),
  offer(EPHEMERAL_CLIENT, (ctx) => new ZkEphemeralClient(ctx)),
);
