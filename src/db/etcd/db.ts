import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import type { Remote } from '../../control/types.js';
import { DaemonError, startDaemon } from '../daemon.js';
import { DaemonDb, type DaemonPaths } from '../daemon-db.js';
import { awaitAllHealthy } from '../health.js';
import {
  initialMembers,
  membershipView,
  membersOption,
  recordJoin,
  recordLeave,
  resetMember,
} from '../members.js';
import { commonDbOptions, nodeDirName, parseOptions, port, positiveInt } from '../options.js';
import type { DbContext, HasMembers } from '../types.js';
import { ETCD_CLIENTS } from './clients.js';
import {
  addEtcdMember,
  agreedLeader,
  type EtcdMember,
  EtcdMembershipError,
  listEtcdMembers,
  nodeOfMember,
  removeEtcdMember,
} from './members.js';

/** etcd's options in a plan (`db.options`); all optional. */
export const etcdOptionsSchema = z
  .strictObject({
    ...commonDbOptions,
    ...membersOption,
    /** `--pre-vote` (etcd 3.4 defaults it to false: a partitioned minority then inflates the term). */
    preVote: z.boolean().default(false),
    /** `--snapshot-count`: applied entries between snapshots (etcd's default 100000). */
    snapshotCount: positiveInt.optional(),
    /** `--heartbeat-interval` in ms (etcd's default 100). */
    heartbeatInterval: positiveInt.optional(),
    /** `--election-timeout` in ms (etcd's default 1000); at least 5 heartbeats. */
    electionTimeout: positiveInt.optional(),
    clientPort: port.default(2379),
    peerPort: port.default(2380),
    /** A release tarball (etcd-vX.Y.Z-linux-amd64.tar.gz) on the controller, uploaded to each node instead of apt. */
    tarball: z.string().min(1).optional(),
    /** More `etcd` flags, appended as given. */
    extraArgs: z.array(z.string()).default([]),
  })
  .refine((o) => (o.electionTimeout ?? 1000) >= 5 * (o.heartbeatInterval ?? 100), {
    message: 'electionTimeout must be at least 5 times heartbeatInterval (etcd refuses to start otherwise)',
    path: ['electionTimeout'],
  });

export type EtcdOptions = z.output<typeof etcdOptionsSchema>;

/** Where an etcd node keeps its things, on the node. */
export interface EtcdPaths extends DaemonPaths {
  /** Where a release tarball is unpacked (unused with the Debian package). */
  dist: string;
  etcd: string;
  etcdctl: string;
}

/** Where nodes keep etcd unless the `dir` option says otherwise. */
export const ETCD_DEFAULT_DIR = '/var/lib/etcd/faultline';

export function etcdPaths(options: EtcdOptions, node: string): EtcdPaths {
  const home = `${options.dir ?? ETCD_DEFAULT_DIR}/${nodeDirName(node)}/etcd`;
  const dist = `${home}/dist`;
  return {
    home,
    data: `${home}/data`,
    log: `${home}/etcd.log`,
    pidFile: `${home}/etcd.pid`,
    dist,
    etcd: options.tarball ? `${dist}/etcd` : 'etcd',
    etcdctl: options.tarball ? `${dist}/etcdctl` : 'etcdctl',
  };
}

/**
 * The `etcd` command line for a node: `nodes` is its initial cluster, a new one (bootstrap) or,
 * for a member added later, the `existing` cluster it joins.
 */
export function etcdArgv(
  options: EtcdOptions,
  nodes: readonly string[],
  node: string,
  remote: Pick<Remote, 'address'>,
  clusterState: 'new' | 'existing' = 'new',
): string[] {
  const paths = etcdPaths(options, node);
  const address = remote.address(node);
  const peerUrl = (n: string) => `http://${remote.address(n)}:${options.peerPort}`;
  const argv = [
    paths.etcd,
    '--name',
    node,
    '--data-dir',
    paths.data,
    '--listen-peer-urls',
    peerUrl(node),
    '--initial-advertise-peer-urls',
    peerUrl(node),
    '--listen-client-urls',
    `http://${address}:${options.clientPort},http://127.0.0.1:${options.clientPort}`,
    '--advertise-client-urls',
    `http://${address}:${options.clientPort}`,
    '--initial-cluster',
    nodes.map((n) => `${n}=${peerUrl(n)}`).join(','),
    '--initial-cluster-state',
    clusterState,
    '--initial-cluster-token',
    `faultline-${createHash('sha256').update(nodes.join(',')).digest('hex').slice(0, 12)}`,
    '--logger',
    'zap',
    '--log-outputs',
    'stderr',
    `--pre-vote=${options.preVote}`,
  ];
  if (options.snapshotCount !== undefined) argv.push('--snapshot-count', String(options.snapshotCount));
  if (options.heartbeatInterval !== undefined)
    argv.push('--heartbeat-interval', String(options.heartbeatInterval));
  if (options.electionTimeout !== undefined) argv.push('--election-timeout', String(options.electionTimeout));
  argv.push(...options.extraArgs);
  return argv;
}

// Installs etcd from Debian unless present; a fresh install on a systemd host would start the
// packaged service on our ports, so it is stopped and disabled.
const INSTALL_SCRIPT = `
set -eu
command -v etcd >/dev/null && command -v etcdctl >/dev/null && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q etcd-server etcd-client >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q etcd-server etcd-client >/dev/null; }
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl disable --now etcd >/dev/null 2>&1 || true; fi
`;

// Unpacks an uploaded release tarball unless the same one (by sha256) is already unpacked.
const UNPACK_SCRIPT = `
set -eu
tarball=$1 dist=$2 sha=$3
[ -f "$dist/.sha256" ] && [ "$(cat "$dist/.sha256")" = "$sha" ] && [ -x "$dist/etcd" ] && exit 0
rm -rf -- "$dist"
mkdir -p -- "$dist"
tar -xzf "$tarball" -C "$dist" --strip-components=1
echo "$sha" >"$dist/.sha256"
rm -f -- "$tarball"
`;

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A member's own id and the leader it knows, as decimal strings (uint64: too big for a JS number). */
export interface EtcdMemberStatus {
  memberId: string;
  leaderId: string;
  raftTerm: number;
}

/**
 * Parses a maintenance status: the HTTP gateway's JSON (uint64 as strings) or
 * `etcdctl endpoint status -w json` (uint64 as bare numbers).
 */
export function parseEtcdStatus(json: string): EtcdMemberStatus | null {
  // Regexes, not JSON.parse: bare uint64 ids would be rounded.
  const memberId = /"member_id":"?(\d+)/.exec(json)?.[1];
  const leaderId = /"leader":"?(\d+)/.exec(json)?.[1];
  const raftTerm = /"raft_term":"?(\d+)/.exec(json)?.[1];
  if (!memberId || !leaderId) return null;
  return { memberId, leaderId, raftTerm: Number(raftTerm ?? 0) };
}

/**
 * etcd (Debian's etcd-server 3.4 by default, or a release tarball), one member per node,
 * listening on the node's address and on 127.0.0.1. Everything lives under
 * `<dir>/<node>/etcd/`: `data/` (member/wal, member/snap), `etcd.log`, `etcd.pid`. A wiped member
 * of a running cluster cannot rejoin on its own (its old member id is still in the cluster): it
 * rejoins as a new member, `removeMember` then `addMember`.
 */
export class EtcdDb extends DaemonDb<EtcdOptions, EtcdPaths> implements HasMembers {
  readonly name: string = 'etcd';
  readonly clients = ETCD_CLIENTS;
  /** zap's panic/fatal levels, Go runtime crashes, and etcd's words for corrupt data. */
  readonly logPatterns = [
    '"level":"(panic|dpanic|fatal)"',
    '^panic: ',
    '^fatal error: ',
    'crc mismatch|checksum mismatch|found data inconsistency|\\bcorrupted\\b|"alarm":"CORRUPT"',
  ];
  protected readonly comm = 'etcd';

  options(ctx: DbContext): EtcdOptions {
    return parseOptions(this.name, etcdOptionsSchema, ctx);
  }

  paths(ctx: DbContext, node: string): EtcdPaths {
    return etcdPaths(this.options(ctx), node);
  }

  /** Installs etcd on the node when missing (apt, or the configured tarball). */
  async install(ctx: DbContext, node: string): Promise<void> {
    const options = this.options(ctx);
    const paths = this.paths(ctx, node);
    if (options.tarball) {
      const sha = await sha256File(options.tarball);
      const have = await ctx.remote.exec(node, ['cat', `${paths.dist}/.sha256`], { allowFailure: true });
      if (have.code === 0 && have.stdout.trim() === sha) return;
      await ctx.remote.exec(node, ['mkdir', '-p', paths.home]);
      const remoteTarball = `${paths.home}/etcd-release.tar.gz`;
      await ctx.remote.upload(node, options.tarball, remoteTarball);
      await this.must(
        ctx,
        node,
        UNPACK_SCRIPT,
        [remoteTarball, paths.dist, sha],
        'unpacking the etcd tarball',
        120_000,
      );
    } else if (options.install) {
      await this.must(ctx, node, INSTALL_SCRIPT, [], 'installing etcd-server etcd-client', 600_000);
    }
  }

  /** Sets the node up as a bootstrap member, or (outside the initial membership) installs it only. */
  override async setup(ctx: DbContext, node: string): Promise<void> {
    resetMember(ctx, this.options(ctx).members, node);
    await super.setup(ctx, node);
  }

  /**
   * Starts a member: with the initial cluster, or, when it was added later, joining the cluster
   * it was added to. A node that is not a member runs no etcd: starting it does nothing.
   */
  async start(ctx: DbContext, node: string): Promise<void> {
    const options = this.options(ctx);
    const view = membershipView(ctx, options.members);
    if (!view.members.includes(node)) return;
    const joined = view.joinedWith.get(node);
    const paths = this.paths(ctx, node);
    await startDaemon(ctx.remote, node, this.ref(ctx, node), {
      argv: joined
        ? etcdArgv(options, joined, node, ctx.remote, 'existing')
        : etcdArgv(options, initialMembers(ctx.nodes, options.members), node, ctx.remote),
      logFile: paths.log,
      cwd: paths.home,
    });
  }

  /** Every member answers a quorum read (`etcdctl endpoint health`) on its own client URL. */
  async awaitHealthy(ctx: DbContext, timeoutMs: number): Promise<void> {
    const { members } = membershipView(ctx, this.options(ctx).members);
    await awaitAllHealthy(this.name, members, (node, budget) => this.probe(ctx, node, budget), timeoutMs);
  }

  private peerUrl(ctx: DbContext, node: string): string {
    return `http://${ctx.remote.address(node)}:${this.options(ctx).peerPort}`;
  }

  /** Client endpoints to ask about the cluster: the members the controller knows of, then the rest. */
  private askable(ctx: DbContext, except?: string): string[] {
    const { members } = membershipView(ctx, this.options(ctx).members);
    const others = ctx.nodes.filter((n) => !members.includes(n));
    return [...members, ...others].filter((n) => n !== except).map((n) => this.endpoint(ctx, n));
  }

  /** The members the cluster lists, as node names, sorted. */
  async members(ctx: DbContext): Promise<string[]> {
    const listed = await listEtcdMembers(this.askable(ctx));
    const url = (n: string) => this.peerUrl(ctx, n);
    return listed
      .map((m) => nodeOfMember(m, url, ctx.nodes))
      .filter((n): n is string => n !== undefined)
      .sort();
  }

  /**
   * `member add` with the node's peer URL, then starts it on an empty data dir with
   * `--initial-cluster-state existing` and the members the add returned. A node already listed is
   * not added again (only started).
   */
  async addMember(ctx: DbContext, node: string): Promise<void> {
    const options = this.options(ctx);
    const url = (n: string) => this.peerUrl(ctx, n);
    const endpoints = this.askable(ctx, node);
    let listed = await listEtcdMembers(endpoints);
    if (!listed.some((m) => nodeOfMember(m, url, ctx.nodes) === node)) {
      await this.killAndWipe(ctx, node);
      await this.awaitLeader(ctx, listed);
      listed = await addEtcdMember(endpoints, url(node));
    }
    const cluster = listed.map((m) => nodeOfMember(m, url, ctx.nodes)).filter((n) => n !== undefined);
    if (cluster.length !== listed.length) {
      throw new EtcdMembershipError(
        `the cluster lists members that are not test nodes: ${JSON.stringify(listed)}`,
      );
    }
    recordJoin(ctx, options.members, node, cluster);
    await this.start(ctx, node);
  }

  /** `member remove`, asked of the other members; then the node is stopped and its data wiped. */
  async removeMember(ctx: DbContext, node: string): Promise<void> {
    const url = (n: string) => this.peerUrl(ctx, n);
    const endpoints = this.askable(ctx, node);
    const listed = await listEtcdMembers(endpoints);
    const member = listed.find((m) => nodeOfMember(m, url, ctx.nodes) === node);
    if (member) {
      await this.awaitLeader(ctx, listed);
      await removeEtcdMember(endpoints, member.id);
    }
    recordLeave(ctx, this.options(ctx).members, node);
    await this.killAndWipe(ctx, node);
  }

  /**
   * Waits (at most `timeoutMs`, then goes on) until the members agree on a leader among them
   * (see {@link agreedLeader}): right after a leader is removed, a change proposed through a
   * member that still follows it is lost, and the call hangs until it times out (10 s).
   */
  private async awaitLeader(
    ctx: DbContext,
    members: readonly EtcdMember[],
    timeoutMs = 10_000,
  ): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const statuses = await this.statuses(ctx, 1000);
      if (agreedLeader(members, [...statuses.values()]) !== undefined) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async probe(ctx: DbContext, node: string, budgetMs: number): Promise<string | null> {
    const result = await ctx.remote.exec(
      node,
      [...this.etcdctl(ctx, node, budgetMs), 'endpoint', 'health', '-w', 'json'],
      {
        timeoutMs: budgetMs + 1000,
        allowFailure: true,
      },
    );
    if (result.code === 0 && /"health":\s*true/.test(result.stdout)) return null;
    const pid = await this.pid(ctx, node).catch(() => undefined);
    // etcdctl puts the endpoint's own error in its JSON, and only "unhealthy cluster" on stderr.
    const said =
      /"error":"([^"]+)"/.exec(result.stdout)?.[1] ??
      (result.stderr.trim() || `etcdctl exit status ${result.code ?? result.signal}`);
    if (pid === null) return `etcd not running; ${said}`;
    return pid === undefined ? said : `etcd pid ${pid} runs but does not serve: ${said}`;
  }

  /** `etcdctl` against the node's own 127.0.0.1 client URL, with timeouts within `budgetMs`. */
  private etcdctl(ctx: DbContext, node: string, budgetMs: number): string[] {
    const seconds = Math.max(1, Math.floor(budgetMs / 1000));
    return [
      this.paths(ctx, node).etcdctl,
      `--endpoints=http://127.0.0.1:${this.options(ctx).clientPort}`,
      '--dial-timeout=1s',
      `--command-timeout=${seconds}s`,
    ];
  }

  /**
   * The status each node reports for itself (null where it does not answer within
   * `timeoutMs`), from the controller over etcd's HTTP gateway (`/v3/maintenance/status`):
   * a dead node costs a refused connection, not an etcdctl dial timeout.
   */
  async statuses(ctx: DbContext, timeoutMs = 1000): Promise<Map<string, EtcdMemberStatus | null>> {
    const entries = await Promise.all(
      ctx.nodes.map(async (node) => {
        try {
          const response = await fetch(`http://${this.endpoint(ctx, node)}/v3/maintenance/status`, {
            method: 'POST',
            body: '{}',
            signal: AbortSignal.timeout(timeoutMs),
          });
          return [node, response.ok ? parseEtcdStatus(await response.text()) : null] as const;
        } catch {
          return [node, null] as const;
        }
      }),
    );
    return new Map(entries);
  }

  /** The nodes whose member id equals the leader id they report. */
  async primaries(ctx: DbContext): Promise<string[]> {
    const statuses = await this.statuses(ctx);
    return [...statuses].filter(([, s]) => s && s.memberId === s.leaderId).map(([node]) => node);
  }

  /** The node's WAL segments, raft snapshots and backend database (member/snap/db). */
  async dataFiles(ctx: DbContext, node: string): Promise<string[]> {
    const { data } = this.paths(ctx, node);
    const result = await ctx.remote.exec(
      node,
      // *.tmp is the next WAL segment, preallocated and not yet written.
      ['find', `${data}/member/wal`, `${data}/member/snap`, '-type', 'f', '!', '-name', '*.tmp'],
      { allowFailure: true },
    );
    return result.stdout.split('\n').filter(Boolean).sort();
  }

  /** E.g. `3.4.23`. */
  async version(ctx: DbContext, node: string): Promise<string> {
    const result = await ctx.remote.exec(node, [this.paths(ctx, node).etcd, '--version']);
    const version = /etcd Version:\s*(\S+)/.exec(result.stdout)?.[1];
    if (!version) throw new DaemonError(node, `cannot read the etcd version from: ${result.stdout.trim()}`);
    return version;
  }
}

/** The etcd adapter. */
export const etcd = new EtcdDb();
