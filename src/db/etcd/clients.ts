/** The clients etcd offers to workloads, one per client kind. */
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
import { EtcdElectionClient } from './election.js';
import { EtcdEphemeralClient } from './ephemeral.js';
import { EtcdKvClient } from './kv.js';
import { EtcdLockClient } from './lock.js';
import { EtcdLockSetClient } from './lock-set.js';
import { EtcdRegisterClient } from './register.js';
import { EtcdSequenceClient } from './sequence.js';
import { EtcdSetClient } from './set.js';
import { EtcdTxnClient } from './txn.js';
import { EtcdWatchClient } from './watch.js';

export const ETCD_CLIENTS = offers(
  offer(REGISTER_CLIENT, (ctx) => new EtcdRegisterClient(ctx)),
  offer(SET_CLIENT, (ctx) => new EtcdSetClient(ctx)),
  offer(APPEND_CLIENT, (ctx) => new EtcdTxnClient(ctx, 'append')),
  offer(WR_CLIENT, (ctx) => new EtcdTxnClient(ctx, 'w')),
  offer(LOCK_CLIENT, (ctx) => new EtcdLockClient(ctx)),
  offer(ELECTION_CLIENT, (ctx) => new EtcdElectionClient(ctx)),
  offer(KV_CLIENT, (ctx) => new EtcdKvClient(ctx)),
  offer(LOCK_SET_CLIENT, (ctx) => new EtcdLockSetClient(ctx)),
  offer(WATCH_CLIENT, (ctx) => new EtcdWatchClient(ctx)),
  offer(SEQUENCE_CLIENT, (ctx) => new EtcdSequenceClient(ctx)),
  offer(EPHEMERAL_CLIENT, (ctx) => new EtcdEphemeralClient(ctx)),
);
