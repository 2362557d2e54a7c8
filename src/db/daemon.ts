import type { ExecResult, Remote } from '../control/types.js';

/**
 * A server process on a node, tracked by a pidfile. `comm` (the kernel's process name, as in
 * /proc/PID/comm) guards against a recycled pid: a pidfile whose pid now names another
 * program counts as "not running".
 */
export interface DaemonRef {
  pidFile: string;
  comm: string;
}

/** How to start a daemon: detached (setsid + nohup) so the SSH command returns at once. */
export interface DaemonLaunch {
  argv: readonly string[];
  logFile: string;
  cwd: string;
}

/** A failed action on a node's daemon, with what the node said. */
export class DaemonError extends Error {
  readonly node: string;
  constructor(node: string, message: string) {
    super(`${node}: ${message}`);
    this.name = 'DaemonError';
    this.node = node;
  }
}

// One script for every action, so that "is it running" means the same everywhere. All values
// arrive as positional parameters; nothing is interpolated into the script text.
const DAEMON_SCRIPT = String.raw`
set -u
action=$1 pidfile=$2 comm=$3
shift 3
running_pid() {
  local p state
  p=$(cat -- "$pidfile" 2>/dev/null) || return 1
  [[ $p =~ ^[0-9]+$ ]] || return 1
  [[ $(cat "/proc/$p/comm" 2>/dev/null) == "$comm" ]] || return 1
  state=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$p/stat" 2>/dev/null) || return 1
  # A zombie is dead: only its parent's wait is missing.
  [[ $state != Z && $state != X ]] || return 1
  echo "$p"
}
await_exit() { # $1: seconds
  local i
  for ((i = 0; i < $1 * 20; i++)); do
    running_pid >/dev/null || return 0
    sleep 0.05
  done
  return 1
}
case $action in
pid)
  running_pid || true
  ;;
start)
  log=$1 cwd=$2
  shift 2
  if p=$(running_pid); then echo "$p"; exit 0; fi
  mkdir -p -- "$(dirname -- "$pidfile")" "$(dirname -- "$log")" "$cwd"
  cd -- "$cwd" || exit 1
  # Not a process-group leader, so setsid execs in place and $! is the server's own pid.
  setsid nohup "$@" >>"$log" 2>&1 </dev/null &
  p=$!
  echo "$p" >"$pidfile"
  for ((i = 0; i < 100; i++)); do
    [[ $(cat "/proc/$p/comm" 2>/dev/null) == "$comm" ]] && break
    sleep 0.02
  done
  sleep 0.2
  if ! running_pid >/dev/null; then
    echo "$comm exited right after start; last lines of $log:" >&2
    tail -n 15 -- "$log" >&2
    exit 1
  fi
  echo "$p"
  ;;
signal)
  if p=$(running_pid); then kill -s "$1" "$p" && echo "$p"; fi
  ;;
kill)
  # $2, when given: a directory to remove once the process is gone (the data dir).
  grace=$1
  shift
  wipe="$*"
  if p=$(running_pid); then
    if ((grace > 0)); then
      kill -s CONT "$p" 2>/dev/null
      kill -s TERM "$p" 2>/dev/null
      await_exit "$grace" || true
    fi
    running_pid >/dev/null && kill -s KILL "$p" 2>/dev/null
    if ! await_exit 10; then echo "pid $p still alive 10 s after SIGKILL" >&2; exit 1; fi
    echo "$p"
  fi
  rm -f -- "$pidfile"
  if [[ -n $wipe ]]; then rm -rf -- "$wipe" || exit 1; fi
  ;;
*)
  echo "unknown action $action" >&2
  exit 2
  ;;
esac
`;

async function run(
  remote: Remote,
  node: string,
  ref: DaemonRef,
  action: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<number | null> {
  const result: ExecResult = await remote.script(
    node,
    DAEMON_SCRIPT,
    [action, ref.pidFile, ref.comm, ...args],
    {
      timeoutMs,
      allowFailure: true,
    },
  );
  if (result.code !== 0) {
    const said =
      result.stderr.trim() || result.stdout.trim() || `exit status ${result.code ?? result.signal}`;
    throw new DaemonError(node, `${action} ${ref.comm} failed: ${said}`);
  }
  const pid = result.stdout.trim();
  return /^\d+$/.test(pid) ? Number(pid) : null;
}

/** Starts the daemon unless it already runs; resolves with its pid once it survived its first 0.2 s. */
export async function startDaemon(
  remote: Remote,
  node: string,
  ref: DaemonRef,
  launch: DaemonLaunch,
): Promise<number> {
  const pid = await run(remote, node, ref, 'start', [launch.logFile, launch.cwd, ...launch.argv], 30_000);
  if (pid === null) throw new DaemonError(node, `start ${ref.comm} printed no pid`);
  return pid;
}

/** The daemon's pid (in the node's PID namespace), or null when it is not running. */
export function daemonPid(remote: Remote, node: string, ref: DaemonRef): Promise<number | null> {
  return run(remote, node, ref, 'pid', [], 15_000);
}

/** Sends a signal to the running daemon; resolves with its pid, or null when it was not running. */
export function signalDaemon(
  remote: Remote,
  node: string,
  ref: DaemonRef,
  signal: 'STOP' | 'CONT' | 'TERM' | 'KILL',
): Promise<number | null> {
  return run(remote, node, ref, 'signal', [signal], 15_000);
}

/**
 * Ends the daemon and waits until it is gone. With `graceMs` it first gets SIGTERM (after a
 * SIGCONT, in case it is paused) and that long to exit; then, or right away, SIGKILL. With
 * `wipeDir`, that directory is then removed, in the same call on the node. Resolves with the
 * pid it ended, or null when nothing ran.
 */
export function killDaemon(
  remote: Remote,
  node: string,
  ref: DaemonRef,
  graceMs = 0,
  wipeDir?: string,
): Promise<number | null> {
  const graceSeconds = Math.ceil(graceMs / 1000);
  const args = [String(graceSeconds), ...(wipeDir ? [wipeDir] : [])];
  return run(remote, node, ref, 'kill', args, 30_000 + graceSeconds * 1000);
}
