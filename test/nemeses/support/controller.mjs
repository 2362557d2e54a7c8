/**
 * A stand-in controller for the dead-man test, run as a separate process: installs a
 * partition and a pause on the `flnem` ensemble (etcd), prints READY with what it applied,
 * then keeps renewing the leases until it is killed.
 * Args: ensemble name, dead-man timeout seconds. It runs the compiled tree (npm run build).
 */

import { DeadmanSwitch } from '../../../dist/nemeses/deadman.js';
import { partitionNemesis } from '../../../dist/nemeses/partition.js';
import { pauseNemesis } from '../../../dist/nemeses/pause.js';
import { etcd } from '../../../dist/src/db/etcd/index.js';
import { localRemote } from '../../../dist/src/ensemble/index.js';
import { seededRandom } from '../../../dist/src/generator/random.js';

const [ensemble = 'flnem', timeout = '6'] = process.argv.slice(2);
const remote = await localRemote(ensemble, { timeoutMs: 20_000 });
const deadman = new DeadmanSwitch(remote, { timeoutS: Number(timeout) });
const ctx = {
  remote,
  nodes: remote.nodes,
  db: etcd,
  dbContext: { remote, nodes: remote.nodes, options: {} },
  random: seededRandom(5),
  log: () => {},
  deadman,
};
const partition = await partitionNemesis().invoke(ctx, { f: 'start-partition', value: 'halves' });
const pause = await pauseNemesis().invoke(ctx, { f: 'pause', value: 'majority' });
process.stdout.write(`READY ${JSON.stringify({ partition: partition.value, pause: pause.value })}\n`);
// Renewals run on an unref'd timer: keep the process alive until it is killed.
setInterval(() => {}, 60_000);
