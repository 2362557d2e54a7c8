/**
 * `faultline/ensemble`: the nodes. A {@link Remote} runs commands on nodes over SSH or Docker; the
 * local ensemble makes nodes out of Linux network namespaces (each with its own address and sshd)
 * or out of containers.
 */
// biome-ignore-all assist/source/organizeImports: exports are grouped by theme, each group under its comment

/** How faultline reaches the nodes, and its SSH implementation. */
export type { ExecOptions, ExecResult, Remote } from '../control/types.js';
export { SshRemote, type SshRemoteOptions } from '../control/ssh.js';
export {
  RemoteCommandError,
  RemoteConnectError,
  RemoteError,
  RemoteTimeoutError,
} from '../control/errors.js';
export { shellQuote } from '../control/quote.js';
/** A Remote for the given nodes and SSH settings, or for the local ensemble when no nodes are given. */
export { type NodeFlags, remoteFromOptions } from '../ensemble/connect.js';
/** The local ensemble: bring it up, down, ask its state, reach it. */
export {
  type EnsembleOptions,
  type EnsembleStatus,
  ensembleDown,
  ensembleStatus,
  ensembleUp,
} from '../ensemble/ensemble.js';
export { localRemote } from '../ensemble/local-remote.js';
/** Nodes in containers: a Remote over `docker exec`, and ensembles of containers (`cluster up --driver docker`). */
export { DockerRemote, type DockerRemoteOptions } from '../control/docker.js';
export { canFreezeNodes, type NodeFreezer } from '../control/freezer.js';
export {
  type DockerEnsembleOptions,
  type DockerEnsembleStatus,
  dockerEnsembleDown,
  dockerEnsembleRemote,
  dockerEnsembleStatus,
  dockerEnsembleUp,
} from '../ensemble/docker-ensemble.js';
