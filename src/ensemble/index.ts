/** The embedded local ensemble: network-namespace nodes with their own sshd, driven like VMs. */
export {
  type EnsembleDownReport,
  type EnsembleNodeStatus,
  type EnsembleOptions,
  type EnsembleStatus,
  ensembleDown,
  ensembleStatus,
  ensembleUp,
  PRIVATE_DIRS,
  statePaths,
} from './ensemble.js';
export {
  DEFAULT_ENSEMBLE,
  DEFAULT_NODE_COUNT,
  DEFAULT_SUBNET,
  type EnsembleLayout,
  type NodeLayout,
} from './layout.js';
export { localRemote } from './local-remote.js';
