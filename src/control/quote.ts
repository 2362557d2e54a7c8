/**
 * Quoting for the remote POSIX shell. SSH sends a command as ONE string that the node's
 * login shell parses, so every argv element is quoted exactly once, here, and nowhere else.
 */

/** Thrown for an argument that no POSIX argv can carry (a NUL byte, a lone UTF-16 surrogate). */
export class UnquotableArgumentError extends TypeError {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnquotableArgumentError';
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one argument for a POSIX shell: inside single quotes nothing is special, and a
 * single quote itself is written as `'\''`. Plain words are left bare for readable logs.
 */
export function shellQuote(arg: string): string {
  if (arg.includes('\0'))
    throw new UnquotableArgumentError('argument contains a NUL byte; argv cannot carry it');
  if (LONE_SURROGATE.test(arg)) {
    throw new UnquotableArgumentError('argument contains a lone UTF-16 surrogate; it has no UTF-8 bytes');
  }
  if (SAFE.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Quotes an argv array into one command line for `sh -c`. */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new UnquotableArgumentError('empty argv: nothing to run');
  return argv.map(shellQuote).join(' ');
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** How to wrap a command line: working directory, environment, privilege. */
export interface CommandContext {
  cwd?: string;
  env?: Record<string, string>;
  /** Wrap in `sudo -n` (never prompts: fails at once when a password would be needed). */
  sudo?: boolean;
}

/**
 * The full command line sent over SSH for `argv`: `cd DIR && exec env K=V argv…`, wrapped in
 * `sudo -n -- sh -c '…'` when asked. User values only ever appear inside quotes.
 */
export function remoteCommandLine(argv: readonly string[], context: CommandContext = {}): string {
  const envPairs = Object.entries(context.env ?? {}).map(([name, value]) => {
    if (!ENV_NAME.test(name))
      throw new UnquotableArgumentError(`bad environment variable name: ${JSON.stringify(name)}`);
    return `${name}=${value}`;
  });
  const command = envPairs.length > 0 ? ['env', ...envPairs, ...argv] : [...argv];
  let line = shellCommand(command);
  if (context.cwd !== undefined) line = `cd ${shellQuote(context.cwd)} && ${line}`;
  if (context.sudo) line = `sudo -n -- sh -c ${shellQuote(line)}`;
  return line;
}
