/** Remote control of nodes over SSH or Docker: the only part of faultline that talks to hosts. */

export { DockerRemote, type DockerRemoteOptions } from './docker.js';
export {
  HostKeyError,
  MultiNodeError,
  RemoteCommandError,
  RemoteConnectError,
  RemoteError,
  RemoteTimeoutError,
} from './errors.js';
export { canFreezeNodes, type NodeFreezer } from './freezer.js';
export { remoteCommandLine, shellCommand, shellQuote, UnquotableArgumentError } from './quote.js';
export { SshRemote, type SshRemoteOptions } from './ssh.js';
export type { ExecOptions, ExecResult, Remote } from './types.js';
