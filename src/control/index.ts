/** Remote control of nodes over SSH: the only part of faultline that talks to hosts. */
export {
  HostKeyError,
  MultiNodeError,
  RemoteCommandError,
  RemoteConnectError,
  RemoteError,
  RemoteTimeoutError,
} from './errors.js';
export { remoteCommandLine, shellCommand, shellQuote, UnquotableArgumentError } from './quote.js';
export { SshRemote, type SshRemoteOptions } from './ssh.js';
export type { ExecOptions, ExecResult, Remote } from './types.js';
