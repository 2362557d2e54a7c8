/** Errors of remote control. Every message names the node and, where there is one, the command. */

/** Base class: something went wrong talking to a node. */
export class RemoteError extends Error {
  readonly node: string;
  constructor(node: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RemoteError';
    this.node = node;
  }
}

/** A remote call did not finish in time. Its session on the node is killed in the background (best effort). */
export class RemoteTimeoutError extends RemoteError {
  readonly command: string;
  readonly timeoutMs: number;
  constructor(node: string, command: string, timeoutMs: number, phase: 'connect' | 'run') {
    const what = phase === 'connect' ? 'could not connect to run' : 'timed out running';
    super(node, `${node}: ${what} \`${command}\` within ${timeoutMs} ms`);
    this.name = 'RemoteTimeoutError';
    this.command = command;
    this.timeoutMs = timeoutMs;
  }
}

/** The node's sshd could not be reached or refused us (connection refused, auth failed, …). */
export class RemoteConnectError extends RemoteError {
  constructor(node: string, message: string, options?: { cause?: unknown }) {
    super(node, message, options);
    this.name = 'RemoteConnectError';
  }
}

/** The node's host key is unknown or has changed; the message says what to do. */
export class HostKeyError extends RemoteConnectError {
  constructor(node: string, message: string) {
    super(node, message);
    this.name = 'HostKeyError';
  }
}

/** A command exited non-zero (or by a signal) and the caller did not allow failure. */
export class RemoteCommandError extends RemoteError {
  readonly command: string;
  readonly code: number | null;
  readonly signal?: string;
  readonly stdout: string;
  readonly stderr: string;
  constructor(
    node: string,
    command: string,
    result: { code: number | null; signal?: string; stdout: string; stderr: string },
  ) {
    const status = result.code === null ? `signal ${result.signal ?? '?'}` : `exit status ${result.code}`;
    const detail = result.stderr.trim().split('\n').slice(-5).join('\n');
    super(node, `${node}: \`${command}\` failed with ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'RemoteCommandError';
    this.command = command;
    this.code = result.code;
    if (result.signal !== undefined) this.signal = result.signal;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
  }
}

/** Failures of a call run on several nodes at once; `results` holds the nodes that succeeded. */
export class MultiNodeError<T> extends AggregateError {
  readonly results: Map<string, T>;
  readonly failures: Map<string, unknown>;
  constructor(results: Map<string, T>, failures: Map<string, unknown>) {
    const lines = [...failures.values()].map((e) => (e instanceof Error ? e.message : String(e)));
    super(
      [...failures.values()],
      `${failures.size} of ${results.size + failures.size} nodes failed:\n${lines.join('\n')}`,
    );
    this.name = 'MultiNodeError';
    this.results = results;
    this.failures = failures;
  }
}
