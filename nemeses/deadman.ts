/**
 * The node-side dead-man switch. When a fault is installed on a node, a small detached
 * watchdog (bash, started with setsid, its pid in a file on the node) waits for the
 * controller to renew a lease; if the lease does not change for N seconds (controller
 * killed, controller's network lost), the watchdog runs the heal snippets the fault families
 * left on the node (flush faultline's iptables chains, remove qdiscs, SIGCONT paused
 * processes) and exits.
 *
 * The lease is a counter the controller rewrites every N/3 s; the watchdog counts its own
 * one-second sleeps, so a clock fault on the node cannot fire or starve it.
 *
 * Layout on the node, under `<baseDir>/<node>/`: `lease`, `watchdog.pid`,
 * `faultline-watchdog.sh`, `heal.d/<family>.sh`, `heal.log`.
 */
import type { Remote } from '../src/control/types.js';

/** Default lease timeout, seconds. */
export const DEFAULT_DEADMAN_TIMEOUT_S = 10;
/** Default parent folder of the per-node state. */
export const DEFAULT_DEADMAN_BASE = '/run/faultline';

export interface DeadmanOptions {
  /** Seconds without a renewal after which a node heals itself (default 10). */
  timeoutS?: number;
  /** Parent folder on the nodes (default /run/faultline). */
  baseDir?: string;
  log?: (message: string) => void;
}

/** The folder holding a node's dead-man state; the node name keeps nodes sharing a disk apart. */
export function deadmanDir(node: string, baseDir = DEFAULT_DEADMAN_BASE): string {
  return `${baseDir}/${node.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** The watchdog itself. Args: dir, timeout seconds. */
export const WATCHDOG_SCRIPT = `#!/bin/bash
# faultline dead-man switch: heals this node when the controller stops renewing the lease.
dir=$1; timeout=$2
echo $$ > "$dir/watchdog.pid"
last=$(cat "$dir/lease" 2>/dev/null); idle=0
while :; do
  sleep 1
  now=$(cat "$dir/lease" 2>/dev/null)
  if [ "$now" != "$last" ]; then last=$now; idle=0; else idle=$((idle + 1)); fi
  if [ "$idle" -ge "$timeout" ]; then
    echo "lease expired after \${timeout}s at $(date -u +%FT%TZ); healing" >> "$dir/heal.log"
    for f in "$dir"/heal.d/*.sh; do
      [ -f "$f" ] || continue
      bash "$f" >> "$dir/heal.log" 2>&1
      rm -f "$f"
    done
    rm -f "$dir/watchdog.pid"
    exit 0
  fi
done
`;

/**
 * Installs a family's heal snippet and makes sure the watchdog runs.
 * Args: dir, timeout, family, snippet, watchdog body. Prints `started PID` or `running PID`.
 */
export const ARM_SCRIPT = `set -e
dir=$1; timeout=$2; family=$3; snippet=$4; body=$5
mkdir -p "$dir/heal.d"
printf '%s\\n' "$snippet" > "$dir/heal.d/$family.sh.tmp"
mv "$dir/heal.d/$family.sh.tmp" "$dir/heal.d/$family.sh"
date +%s%N > "$dir/lease"
pid=$(cat "$dir/watchdog.pid" 2>/dev/null || true)
if [ -n "$pid" ] && grep -qa "$dir/faultline-watchdog.sh" "/proc/$pid/cmdline" 2>/dev/null; then
  echo "running $pid"; exit 0
fi
rm -f "$dir/watchdog.pid"
printf '%s' "$body" > "$dir/faultline-watchdog.sh"
setsid -f bash "$dir/faultline-watchdog.sh" "$dir" "$timeout" </dev/null >/dev/null 2>&1
for _ in $(seq 1 100); do [ -s "$dir/watchdog.pid" ] && break; sleep 0.02; done
echo "started $(cat "$dir/watchdog.pid")"
`;

/**
 * Removes a family's snippet (its faults are healed); stops the watchdog once none is left.
 * Args: dir, family. Prints `stopped PID`, `idle` or `armed`.
 */
export const DISARM_SCRIPT = `dir=$1; family=$2
rm -f "$dir/heal.d/$family.sh"
if ls "$dir"/heal.d/*.sh >/dev/null 2>&1; then echo armed; exit 0; fi
pid=$(cat "$dir/watchdog.pid" 2>/dev/null || true)
if [ -n "$pid" ] && grep -qa "$dir/faultline-watchdog.sh" "/proc/$pid/cmdline" 2>/dev/null; then
  kill "$pid" 2>/dev/null || true
  rm -f "$dir/watchdog.pid"
  echo "stopped $pid"
else
  echo idle
fi
`;

/**
 * What `faultline heal` runs: every leftover snippet (as the watchdog would), then stops the
 * watchdog. Args: dir. Prints what it did, one line each.
 */
export const HEAL_LEFTOVERS_SCRIPT = `dir=$1
[ -d "$dir" ] || { echo "no state"; exit 0; }
for f in "$dir"/heal.d/*.sh; do
  [ -f "$f" ] || continue
  bash "$f" >> "$dir/heal.log" 2>&1
  echo "ran $(basename "$f")"
  rm -f "$f"
done
pid=$(cat "$dir/watchdog.pid" 2>/dev/null || true)
if [ -n "$pid" ] && grep -qa "$dir/faultline-watchdog.sh" "/proc/$pid/cmdline" 2>/dev/null; then
  kill "$pid" 2>/dev/null || true
  echo "stopped watchdog $pid"
fi
rm -f "$dir/watchdog.pid"
`;

/**
 * The controller's side of the switch: arms nodes (snippet + watchdog), renews their leases
 * every N/3 s while any family has a fault on them, and disarms them when healed.
 */
export class DeadmanSwitch {
  readonly timeoutS: number;
  readonly baseDir: string;
  private readonly armed = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private renewing: Promise<void> | undefined;
  private readonly log: (message: string) => void;

  constructor(
    private readonly remote: Remote,
    options: DeadmanOptions = {},
  ) {
    this.timeoutS = options.timeoutS ?? DEFAULT_DEADMAN_TIMEOUT_S;
    this.baseDir = options.baseDir ?? DEFAULT_DEADMAN_BASE;
    this.log = options.log ?? (() => {});
  }

  /** Nodes with at least one armed family. */
  armedNodes(): string[] {
    return [...this.armed.keys()].sort();
  }

  /**
   * Leaves `snippet` (bash that heals `family`'s faults on the node) for the watchdog, and
   * starts the watchdog if it is not running. Call it before installing the fault, so a
   * controller dying mid-install still leaves a way back. Calling it again replaces the snippet.
   */
  async arm(node: string, family: string, snippet: string): Promise<void> {
    const dir = deadmanDir(node, this.baseDir);
    const r = await this.remote.script(node, ARM_SCRIPT, [
      dir,
      String(this.timeoutS),
      family,
      snippet,
      WATCHDOG_SCRIPT,
    ]);
    const said = r.stdout.trim();
    if (said.startsWith('started'))
      this.log(`dead-man switch on ${node}: watchdog ${said} (${this.timeoutS} s lease)`);
    let families = this.armed.get(node);
    if (!families) {
      families = new Set();
      this.armed.set(node, families);
    }
    families.add(family);
    this.startTimer();
  }

  /** Forgets `family`'s snippet on the node (its faults were healed); the last one stops the watchdog. */
  async disarm(node: string, family: string): Promise<void> {
    const dir = deadmanDir(node, this.baseDir);
    await this.remote.script(node, DISARM_SCRIPT, [dir, family], { allowFailure: true });
    const families = this.armed.get(node);
    families?.delete(family);
    if (families && families.size === 0) this.armed.delete(node);
    if (this.armed.size === 0) this.stopTimer();
  }

  /** One renewal round: rewrites the lease counter on every armed node. */
  async renew(): Promise<void> {
    if (this.renewing) return this.renewing;
    const nodes = this.armedNodes();
    if (nodes.length === 0) return;
    this.seq++;
    const seq = String(this.seq);
    this.renewing = Promise.all(
      nodes.map((node) =>
        this.remote
          .exec(
            node,
            ['sh', '-c', 'echo "$1" > "$2"', 'sh', seq, `${deadmanDir(node, this.baseDir)}/lease`],
            {
              timeoutMs: Math.max(1000, (this.timeoutS * 1000) / 3),
              allowFailure: true,
            },
          )
          .catch((err: unknown) => this.log(`deadman renew ${node} failed: ${(err as Error).message}`)),
      ),
    ).then(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /** Stops renewing (the nodes will heal themselves after N seconds). Does not touch the nodes. */
  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.renew(), (this.timeoutS * 1000) / 3);
    // Renewals must never keep a finished controller alive.
    this.timer.unref();
  }
}

/** Runs every leftover heal snippet on the node and stops its watchdog; returns what it did. */
export async function healLeftovers(
  remote: Remote,
  node: string,
  baseDir = DEFAULT_DEADMAN_BASE,
): Promise<string> {
  const r = await remote.script(node, HEAL_LEFTOVERS_SCRIPT, [deadmanDir(node, baseDir)], {
    allowFailure: true,
  });
  return r.stdout.trim();
}

const shared = new WeakMap<Remote, DeadmanSwitch>();

/** One switch per Remote, so every family arming the same cluster renews one lease per node. */
export function sharedDeadman(remote: Remote, options: DeadmanOptions = {}): DeadmanSwitch {
  let d = shared.get(remote);
  if (!d) {
    d = new DeadmanSwitch(remote, options);
    shared.set(remote, d);
  }
  return d;
}
