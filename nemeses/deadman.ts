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
 * Each switch has an owner token: the first line of `owner` on the node (the second says who,
 * for people). A node whose faults belong to another live run (its watchdog runs and has
 * snippets) is refused unless forced; disarming never touches another owner's watchdog.
 *
 * A renewal that fails means the controller can no longer vouch for the node's faults: it
 * stops renewing that node (so its watchdog surely heals it within N s) and reports the
 * loss through `onLeaseLost`, which the combined nemesis records in the history as the end of
 * those faults.
 *
 * Layout on the node, under `<baseDir>/<node>/`: `lease`, `owner`, `watchdog.pid`,
 * `faultline-watchdog.sh`, `heal.d/<family>.sh`, `heal.log`.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Remote } from '../src/control/types.js';
import { InputError } from '../src/errors.js';

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
  /** Who this switch works for, in words (default: pid, host, start time, command line). */
  owner?: string;
  /** Take over nodes whose faults belong to another live run (`--force`). */
  force?: boolean;
  /** Told when a renewal of `node` failed: its `families` faults end (the node heals itself). */
  onLeaseLost?: (node: string, families: readonly string[], why: string) => void;
}

/** The exit status of ARM_SCRIPT when another live run owns the node. */
const FOREIGN_OWNER_STATUS = 3;

/** Another live run has faults on these nodes; `owners` says whose, per node. Bad input (254). */
export class ForeignOwnerError extends InputError {
  readonly owners: ReadonlyMap<string, string>;
  constructor(owners: ReadonlyMap<string, string>) {
    const list = [...owners].map(([node, who]) => `${node} (${who})`).join('; ');
    super(
      `nodes with faults of another live faultline run: ${list}; wait for it to end, ` +
        'run `faultline heal` if it is gone, or pass --force to take the nodes over',
      { field: 'nodes' },
    );
    this.name = 'ForeignOwnerError';
    this.owners = owners;
  }
}

/** A default owner description: enough for a person to find the other run. */
export function describeOwner(): string {
  const command = process.argv.slice(2).join(' ');
  const short = command.length > 120 ? `${command.slice(0, 117)}...` : command;
  return `pid ${process.pid} on ${hostname()} since ${new Date().toISOString()}: faultline ${short}`.trim();
}

/**
 * Prints `foreign <who>` when another owner than $2 has live faults on the node (its
 * watchdog runs and heal snippets are left), else `free`. Args: dir, token.
 */
export const OWNER_SCRIPT = `dir=$1; token=$2
owner=$(sed -n 1p "$dir/owner" 2>/dev/null)
if [ -n "$owner" ] && [ "$owner" != "$token" ] && ls "$dir"/heal.d/*.sh >/dev/null 2>&1; then
  pid=$(cat "$dir/watchdog.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && grep -qa "$dir/faultline-watchdog.sh" "/proc/$pid/cmdline" 2>/dev/null; then
    echo "foreign $(sed -n 2p "$dir/owner")"; exit 0
  fi
fi
echo free
`;

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
    rm -f "$dir/watchdog.pid" "$dir/owner"
    exit 0
  fi
done
`;

/**
 * Installs a family's heal snippet and makes sure the watchdog runs, as owner $6 (described
 * by $7). Refuses (exit 3, prints `foreign <who>`) when another owner has live faults there,
 * unless $8 is 1. Args: dir, timeout, family, snippet, watchdog body, token, who, force.
 * Prints `started PID` or `running PID`.
 */
export const ARM_SCRIPT = `set -e
dir=$1; timeout=$2; family=$3; snippet=$4; body=$5; token=$6; who=$7; force=$8
mkdir -p "$dir/heal.d"
owner=$(sed -n 1p "$dir/owner" 2>/dev/null || true)
if [ -n "$owner" ] && [ "$owner" != "$token" ] && [ "$force" != 1 ] && ls "$dir"/heal.d/*.sh >/dev/null 2>&1; then
  pid=$(cat "$dir/watchdog.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && grep -qa "$dir/faultline-watchdog.sh" "/proc/$pid/cmdline" 2>/dev/null; then
    echo "foreign $(sed -n 2p "$dir/owner")"; exit ${FOREIGN_OWNER_STATUS}
  fi
fi
printf '%s\\n%s\\n' "$token" "$who" > "$dir/owner"
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
 * Touches nothing on a node another owner holds. Args: dir, family, token. Prints
 * `stopped PID`, `idle`, `armed` or `foreign`.
 */
export const DISARM_SCRIPT = `dir=$1; family=$2; token=$3
owner=$(sed -n 1p "$dir/owner" 2>/dev/null)
if [ -n "$owner" ] && [ "$owner" != "$token" ]; then echo foreign; exit 0; fi
rm -f "$dir/heal.d/$family.sh"
if ls "$dir"/heal.d/*.sh >/dev/null 2>&1; then echo armed; exit 0; fi
rm -f "$dir/owner"
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
rm -f "$dir/watchdog.pid" "$dir/owner"
`;

/**
 * The controller's side of the switch: arms nodes (snippet + watchdog), renews their leases
 * every N/3 s while any family has a fault on them, and disarms them when healed.
 */
export class DeadmanSwitch {
  readonly timeoutS: number;
  readonly baseDir: string;
  /** This switch's owner token on the nodes. */
  readonly token = `fl-${randomBytes(8).toString('hex')}`;
  readonly owner: string;
  readonly force: boolean;
  private readonly onLeaseLost: DeadmanOptions['onLeaseLost'];
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
    this.owner = options.owner ?? describeOwner();
    this.force = options.force === true;
    this.onLeaseLost = options.onLeaseLost;
  }

  /** The nodes on which another live run has faults, with who that is. */
  async foreignOwners(nodes: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    await Promise.all(
      nodes.map(async (node) => {
        const r = await this.remote.script(node, OWNER_SCRIPT, [deadmanDir(node, this.baseDir), this.token], {
          allowFailure: true,
        });
        const said = r.stdout.trim();
        if (said.startsWith('foreign')) found.set(node, said.slice('foreign'.length).trim() || 'unknown run');
      }),
    );
    return found;
  }

  /** Refuses (ForeignOwnerError) when another live run has faults on any of `nodes`, unless forced. */
  async claim(nodes: readonly string[]): Promise<void> {
    const foreign = await this.foreignOwners(nodes);
    if (foreign.size === 0) return;
    if (!this.force) throw new ForeignOwnerError(foreign);
    this.log(`--force: taking over nodes of another run: ${[...foreign.keys()].join(', ')}`);
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
    const r = await this.remote.script(
      node,
      ARM_SCRIPT,
      [
        dir,
        String(this.timeoutS),
        family,
        snippet,
        WATCHDOG_SCRIPT,
        this.token,
        this.owner,
        this.force ? '1' : '0',
      ],
      { allowFailure: true },
    );
    if (r.code === FOREIGN_OWNER_STATUS) {
      throw new ForeignOwnerError(new Map([[node, r.stdout.trim().slice('foreign'.length).trim()]]));
    }
    if (r.code !== 0)
      throw new Error(`${node}: arming the dead-man switch failed: ${r.stderr.trim() || r.code}`);
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
    await this.remote.script(node, DISARM_SCRIPT, [dir, family, this.token], { allowFailure: true });
    const families = this.armed.get(node);
    families?.delete(family);
    if (families && families.size === 0) this.armed.delete(node);
    if (this.armed.size === 0) this.stopTimer();
  }

  /**
   * One renewal round: rewrites the lease counter on every armed node. A node whose renewal
   * fails is given up: no more renewals (its watchdog heals it within N s) and `onLeaseLost`.
   */
  async renew(): Promise<void> {
    if (this.renewing) return this.renewing;
    const nodes = this.armedNodes();
    if (nodes.length === 0) return;
    this.seq++;
    const seq = String(this.seq);
    this.renewing = Promise.all(
      nodes.map(async (node) => {
        let why: string | undefined;
        try {
          const r = await this.remote.exec(
            node,
            ['sh', '-c', 'echo "$1" > "$2"', 'sh', seq, `${deadmanDir(node, this.baseDir)}/lease`],
            { timeoutMs: Math.max(1000, (this.timeoutS * 1000) / 3), allowFailure: true },
          );
          if (r.code !== 0) why = r.stderr.trim() || `exit status ${r.code ?? r.signal}`;
        } catch (err) {
          why = (err as Error).message;
        }
        if (why !== undefined) this.leaseLost(node, why);
      }),
    ).then(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private leaseLost(node: string, why: string): void {
    const families = [...(this.armed.get(node) ?? [])].sort();
    if (families.length === 0) return;
    this.armed.delete(node);
    if (this.armed.size === 0) this.stopTimer();
    this.log(
      `deadman renew ${node} failed (${why}): no more renewals; it heals itself (${families.join(', ')}) within ${this.timeoutS} s`,
    );
    this.onLeaseLost?.(node, families, why);
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
