/** The result of one remote command. */
export interface ExecResult {
  /** Exit status; null when the command was killed by a signal. */
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Give up after this long (default 30 s): the call rejects with a RemoteTimeoutError. */
  timeoutMs?: number;
  /** Bytes written to the command's stdin. */
  stdin?: string | Buffer;
  /** Run through sudo when the SSH user is not root (default true). */
  sudo?: boolean;
  /** Resolve with a non-zero exit status instead of rejecting (default false). */
  allowFailure?: boolean;
  /** Working directory on the node. */
  cwd?: string;
  /** Extra environment for the command. */
  env?: Record<string, string>;
}

/**
 * How faultline reaches the nodes: only `src/control` implements it. `argv` is an array;
 * quoting is done once, inside the implementation, never by callers.
 */
export interface Remote {
  /** Node names, as given by the user (host names or addresses). */
  readonly nodes: readonly string[];
  exec(node: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Runs a bash script on the node (`bash -c SCRIPT bash ARGS…`: stdin stays free), args as `$1…`, quoted safely. */
  script(node: string, script: string, args?: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Runs the same argv on every node (or the given ones) at once. */
  onAll(
    argv: readonly string[],
    options?: ExecOptions & { nodes?: readonly string[] },
  ): Promise<Map<string, ExecResult>>;
  upload(node: string, localPath: string, remotePath: string): Promise<void>;
  download(node: string, remotePath: string, localPath: string): Promise<void>;
  /** The address clients use to reach a node's services (its IP on the ensemble's network). */
  address(node: string): string;
  close(): Promise<void>;
}
