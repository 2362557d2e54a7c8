/**
 * `faultline/db`: what a system under test is. A {@link Db} is driven over SSH through a
 * {@link Remote}; {@link DaemonDb} does the common part for a server run as one daemon per node.
 */
// biome-ignore-all assist/source/organizeImports: exports are grouped by theme, each group under its comment

/** A system under test, and what it is told (remote, nodes, options from the plan). */
export type { Db, DbContext, ExpectedLogLines } from '../db/types.js';
/** Capabilities beyond the core (Jepsen's Kill, Pause, Primary, LogFiles): nemeses ask for them. */
export {
  CAPABILITY_NAMES,
  type Capabilities,
  type Capability,
  capabilitiesOf,
  type HasDataFiles,
  type HasLogFiles,
  type HasLossyDataDir,
  type HasMembers,
  type HasProcess,
  type HasPrimaries,
  hasCapability,
  hasDataFiles,
  hasLogFiles,
  hasLossyDataDir,
  hasMembers,
  hasPrimaries,
  isKillable,
  isPausable,
  type Killable,
  MissingCapabilityError,
  type Pausable,
  requireCapability,
} from '../db/types.js';
/** The `lossyDataDir` db option: a data dir on lossyfs, which the power nemesis can roll back. */
export { type LossyDataDirSettings, lossyDataDirOption, lossySettings } from '../db/lossyfs/options.js';
/** The base of adapters whose server is one daemon per node, tracked by a pidfile. */
export { DaemonDb, type DaemonPaths } from '../db/daemon-db.js';
/** Start, signal and find such daemons on a node (detached, pidfile-tracked). */
export {
  type DaemonLaunch,
  DaemonError,
  type DaemonRef,
  daemonPid,
  killDaemon,
  signalDaemon,
  startDaemon,
} from '../db/daemon.js';
/** Wait until every node answers a probe; a clear error names the ones that did not. */
export { awaitAllHealthy, type NodeProbe, NotHealthyError } from '../db/health.js';
/** The adapters faultline ships, by name (`etcd`, `zookeeper`); `DBS.register` adds one. */
export { DBS } from '../db/index.js';
