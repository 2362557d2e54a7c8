import { z } from 'zod';
import type { Remote } from '../../control/types.js';
import { DaemonError, startDaemon } from '../daemon.js';
import { DaemonDb, type DaemonPaths } from '../daemon-db.js';
import { awaitAllHealthy, oneLine } from '../health.js';
import { membershipView, membersOption, recordJoin, recordLeave, resetMember } from '../members.js';
import { commonDbOptions, nodeDirName, parseOptions, port, positiveInt } from '../options.js';
import type { DbContext, ExpectedLogLines, HasMembers } from '../types.js';
import { ZOOKEEPER_CLIENTS } from './clients.js';
import { parseZookeeperServers, reconfigCommand, zookeeperServerLine } from './members.js';
import { type ReconfigChange, sendReconfig } from './reconfig.js';

/** ZooKeeper's options in a plan (`db.options`); all optional. */
export const zookeeperOptionsSchema = z.strictObject({
  ...commonDbOptions,
  ...membersOption,
  /** `tickTime` in ms: the unit of ZooKeeper's timeouts (default 2000). */
  tickTime: positiveInt.default(2000),
  /** `initLimit` in ticks: how long followers may take to connect and sync to a leader (default 10). */
  initLimit: positiveInt.default(10),
  /** `syncLimit` in ticks: how far a follower may lag behind the leader (default 5). */
  syncLimit: positiveInt.default(5),
  clientPort: port.default(2181),
  quorumPort: port.default(2888),
  electionPort: port.default(3888),
  /** The java binary on the nodes. */
  java: z.string().min(1).default('java'),
  /** Where the jars are on the nodes (Debian: /usr/share/java). */
  javaDir: z.string().startsWith('/', 'must be an absolute path').default('/usr/share/java'),
  /** More JVM flags, e.g. `-Xmx256m`. */
  jvmOpts: z.array(z.string()).default([]),
  /** More `zoo.cfg` lines, `key: value`. */
  extraConfig: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

export type ZookeeperOptions = z.output<typeof zookeeperOptionsSchema>;

/** Where a ZooKeeper node keeps its things, on the node. */
export interface ZookeeperPaths extends DaemonPaths {
  conf: string;
  /** `dataDir`: myid, and version-2/ with transaction logs and snapshots. */
  data: string;
}

/** Where nodes keep ZooKeeper unless the `dir` option says otherwise. */
export const ZOOKEEPER_DEFAULT_DIR = '/var/lib/zookeeper/faultline';

export function zookeeperPaths(options: ZookeeperOptions, node: string): ZookeeperPaths {
  const home = `${options.dir ?? ZOOKEEPER_DEFAULT_DIR}/${nodeDirName(node)}/zookeeper`;
  return {
    home,
    conf: `${home}/conf`,
    data: `${home}/data`,
    log: `${home}/zookeeper.log`,
    pidFile: `${home}/zookeeper.pid`,
  };
}

/** The four-letter words faultline uses (and a few handy ones for people reading a node). */
const FOUR_LETTER_WORDS = ['srvr', 'stat', 'ruok', 'mntr', 'conf', 'cons', 'envi', 'wchs', 'isro'];

/** A node's server id: its 1-based position in the node list. */
export function zookeeperMyId(nodes: readonly string[], node: string): number {
  const i = nodes.indexOf(node);
  if (i < 0) throw new Error(`${node} is not one of the test's nodes (${nodes.join(', ')})`);
  return i + 1;
}

/**
 * The `zoo.cfg` of a node: `members` (every node by default) are the voting servers, each with
 * its position among `nodes` as id. Dynamic reconfiguration is on; ZooKeeper moves the server
 * lines to a dynamic file of its own at the first change.
 */
export function zooCfg(
  options: ZookeeperOptions,
  nodes: readonly string[],
  node: string,
  remote: Pick<Remote, 'address'>,
  members: readonly string[] = nodes,
): string {
  const lines = [
    `tickTime=${options.tickTime}`,
    `initLimit=${options.initLimit}`,
    `syncLimit=${options.syncLimit}`,
    `dataDir=${zookeeperPaths(options, node).data}`,
    `clientPort=${options.clientPort}`,
    'admin.enableServer=false',
    `4lw.commands.whitelist=${FOUR_LETTER_WORDS.join(',')}`,
    'reconfigEnabled=true',
    // A one-member configuration stays a quorum of one rather than a standalone server.
    'standaloneEnabled=false',
    ...members.map(
      (n) =>
        `server.${zookeeperMyId(nodes, n)}=${remote.address(n)}:${options.quorumPort}:${options.electionPort}`,
    ),
    ...Object.entries(options.extraConfig).map(([k, v]) => `${k}=${v}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** log4j 1.2 to stdout, which the daemon launcher appends to the node's log file. */
export const ZOOKEEPER_LOG4J = `${[
  'log4j.rootLogger=INFO, CONSOLE',
  'log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender',
  'log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n',
].join('\n')}\n`;

/** The java command line. Debian's zookeeper.jar names its dependencies in its manifest; slf4j needs a binding. */
export function zookeeperArgv(options: ZookeeperOptions, node: string): string[] {
  const paths = zookeeperPaths(options, node);
  const classpath = [
    paths.conf,
    `${options.javaDir}/zookeeper.jar`,
    `${options.javaDir}/slf4j-log4j12.jar`,
    `${options.javaDir}/log4j-1.2.jar`,
  ].join(':');
  return [
    options.java,
    // JVMs in separate PID namespaces share /tmp/hsperfdata_root and trample each other's files.
    '-XX:-UsePerfData',
    '-Djava.net.preferIPv4Stack=true',
    // Reconfiguration needs a superuser or no ACL checks; faultline's clients set no ACLs.
    '-Dzookeeper.skipACL=yes',
    `-Dzookeeper.log.dir=${paths.home}`,
    `-Dlog4j.configuration=file:${paths.conf}/log4j.properties`,
    ...options.jvmOpts,
    '-cp',
    classpath,
    'org.apache.zookeeper.server.quorum.QuorumPeerMain',
    `${paths.conf}/zoo.cfg`,
  ];
}

const INSTALL_SCRIPT = `
set -eu
javadir=$1
command -v java >/dev/null && [ -f "$javadir/zookeeper.jar" ] && [ -f "$javadir/slf4j-log4j12.jar" ] && [ -f "$javadir/log4j-1.2.jar" ] && exit 0
export DEBIAN_FRONTEND=noninteractive
pkgs="zookeeper libslf4j-java liblog4j1.2-java default-jre-headless"
apt-get install -y -q $pkgs >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q $pkgs >/dev/null; }
`;

const CONFIGURE_SCRIPT = String.raw`
set -eu
conf=$1 data=$2 myid=$3 cfg=$4 log4j=$5
mkdir -p -- "$conf" "$data"
printf '%s' "$cfg" >"$conf/zoo.cfg"
printf '%s' "$log4j" >"$conf/log4j.properties"
printf '%s\n' "$myid" >"$data/myid"
`;

// Sends a four-letter word to the node's own client port and prints the answer.
const FOUR_LETTER_SCRIPT = `
port=$1 word=$2 secs=$3
exec timeout "$secs" bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf %s "$2" >&3 && cat <&3' _ "$port" "$word"
`;

/** What `srvr` says about a node's role. */
export type ZookeeperMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'not-serving';

/** Parses a `srvr` answer: its `Mode:` line, or `not-serving` when the server said it is not serving. */
export function parseSrvrMode(answer: string): ZookeeperMode | null {
  if (/not currently serving requests/i.test(answer)) return 'not-serving';
  const mode = /^Mode:\s*(\S+)/m.exec(answer)?.[1];
  if (mode === 'leader' || mode === 'follower' || mode === 'observer' || mode === 'standalone') return mode;
  return null;
}

/**
 * Apache ZooKeeper 3.8 from Debian, started with java directly, one voting server per node.
 * Everything lives under `<dir>/<node>/zookeeper/`: `conf/` (zoo.cfg, log4j.properties),
 * `data/` (myid, version-2/), `zookeeper.log`, `zookeeper.pid`. `wipe` removes myid too; `start`
 * writes it again.
 */
export class ZookeeperDb extends DaemonDb<ZookeeperOptions, ZookeeperPaths> implements HasMembers {
  readonly name = 'zookeeper';
  readonly clients = ZOOKEEPER_CLIENTS;
  /** Fatal errors, the server giving up, and its words for a damaged transaction log or snapshot. */
  readonly logPatterns = [
    '\\bFATAL\\b',
    'Severe unrecoverable error',
    'Unable to load database on disk',
    'CRC check failed|CRC doesn.t match|Checksum failed|Unreasonable length',
    'java\\.lang\\.OutOfMemoryError',
  ];
  /**
   * ZooKeeper's request processor threads log any exception they die of as a "Severe
   * unrecoverable error", also while the follower they belong to is being torn down: when a
   * follower leaves its leader (the leader died, or a reconfig removed or moved it), its quorum
   * thread closes the leader socket, and a processor still writing to it dies. The server goes
   * on: it elects and follows or leads again within milliseconds, with new processors (in a
   * quorum, a dying processor only marks the torn-down follower's server as in error). Only
   * those two messages, with their cause and right after the follower left its leader.
   */
  readonly expectedLogLines: readonly ExpectedLogLines[] = [
    {
      why: 'a follower forwarding a client request to the leader it had just left (the socket was closed by its own leaving); the server went on to a new election',
      line: 'Severe unrecoverable error, from thread : FollowerRequestProcessor:\\d+$',
      next: '^java\\.net\\.SocketException: Socket closed$',
      after: 'Exception when following the leader',
    },
    {
      why: 'ZOOKEEPER-4541: the ack sender of a follower that had just left its leader finds the leader socket already gone (e.g. after ZOOKEEPER-4394, a sync that failed with a NullPointerException); the server went on to a new election',
      line: 'Severe unrecoverable error, from thread : SyncThread:\\d+$',
      next: '^java\\.lang\\.NullPointerException: .*"this\\.learner\\.sock" is null',
      after: 'Exception when following the leader',
    },
  ];
  protected readonly comm = 'java';

  options(ctx: DbContext): ZookeeperOptions {
    return parseOptions(this.name, zookeeperOptionsSchema, ctx);
  }

  paths(ctx: DbContext, node: string): ZookeeperPaths {
    return zookeeperPaths(this.options(ctx), node);
  }

  /** Installs java and ZooKeeper from Debian when missing. */
  async install(ctx: DbContext, node: string): Promise<void> {
    const options = this.options(ctx);
    if (!options.install) return;
    await this.must(ctx, node, INSTALL_SCRIPT, [options.javaDir], 'installing zookeeper', 600_000);
  }

  /** Sets the node up as a bootstrap member, or (outside the initial membership) installs it only. */
  override async setup(ctx: DbContext, node: string): Promise<void> {
    resetMember(ctx, this.options(ctx).members, node);
    await super.setup(ctx, node);
  }

  /**
   * Writes the configuration (and myid) and starts the server unless it runs. The servers it
   * lists are the members as the controller knows them (a restarted server learns newer ones
   * from its peers); a node that is not a member runs no ZooKeeper: starting it does nothing.
   */
  async start(ctx: DbContext, node: string): Promise<void> {
    const options = this.options(ctx);
    const view = membershipView(ctx, options.members);
    if (!view.members.includes(node)) return;
    const paths = this.paths(ctx, node);
    const myid = String(zookeeperMyId(ctx.nodes, node));
    const cfg = zooCfg(options, ctx.nodes, node, ctx.remote, view.joinedWith.get(node) ?? view.members);
    await this.must(
      ctx,
      node,
      CONFIGURE_SCRIPT,
      [paths.conf, paths.data, myid, cfg, ZOOKEEPER_LOG4J],
      'configuring',
      60_000,
    );
    await startDaemon(ctx.remote, node, this.ref(ctx, node), {
      argv: zookeeperArgv(options, node),
      logFile: paths.log,
      cwd: paths.home,
    });
  }

  /** Sends a four-letter word (e.g. `srvr`, `mntr`) to the node's client port, from the node itself. */
  async fourLetterWord(ctx: DbContext, node: string, word: string, timeoutMs = 2000): Promise<string> {
    const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
    const result = await ctx.remote.script(
      node,
      FOUR_LETTER_SCRIPT,
      [String(this.options(ctx).clientPort), word, String(seconds)],
      { timeoutMs: timeoutMs + 2000, allowFailure: true },
    );
    if (result.code !== 0) {
      const why =
        result.code === 124
          ? `no answer to ${word} within ${seconds} s`
          : oneLine(result.stderr).replace(/^_: line \d+: /, '');
      throw new DaemonError(node, why || `${word} failed with exit status ${result.code}`);
    }
    return result.stdout;
  }

  /** The role each node reports (null where it does not answer). */
  async modes(ctx: DbContext, timeoutMs = 2000): Promise<Map<string, ZookeeperMode | null>> {
    const entries = await Promise.all(
      ctx.nodes.map(async (node) => {
        const answer = await this.fourLetterWord(ctx, node, 'srvr', timeoutMs).catch(() => '');
        return [node, parseSrvrMode(answer)] as const;
      }),
    );
    return new Map(entries);
  }

  /** Every member answers `srvr` as leader, follower, observer or standalone. */
  async awaitHealthy(ctx: DbContext, timeoutMs: number): Promise<void> {
    await awaitAllHealthy(
      this.name,
      membershipView(ctx, this.options(ctx).members).members,
      async (node, budget) => {
        let answer: string;
        try {
          answer = await this.fourLetterWord(ctx, node, 'srvr', budget);
        } catch (e) {
          const pid = await this.pid(ctx, node).catch(() => undefined);
          const why = e instanceof Error ? e.message : String(e);
          return pid === null ? `zookeeper not running; ${why}` : why;
        }
        const mode = parseSrvrMode(answer);
        if (mode === 'not-serving') return 'not serving requests (no quorum yet?)';
        return mode === null ? `unexpected srvr answer: ${oneLine(answer)}` : null;
      },
      timeoutMs,
    );
  }

  /** Members as the controller knows them first, then the other nodes: whom to ask about the cluster. */
  private askable(ctx: DbContext, except?: string): string[] {
    const { members } = membershipView(ctx, this.options(ctx).members);
    return [...members, ...ctx.nodes.filter((n) => !members.includes(n))].filter((n) => n !== except);
  }

  /** The participants the first answering member's `conf` lists, as node names, sorted. */
  async members(ctx: DbContext): Promise<string[]> {
    return this.membersListedBy(ctx, this.askable(ctx));
  }

  /** The participants the `conf` of the first of `nodes` that answers lists. */
  private async membersListedBy(ctx: DbContext, nodes: readonly string[]): Promise<string[]> {
    const errors: string[] = [];
    for (const node of nodes) {
      try {
        const servers = parseZookeeperServers(await this.fourLetterWord(ctx, node, 'conf'));
        if (servers.length > 0) return servers.map((s) => this.nodeOfId(ctx, s.id)).sort();
        errors.push(`${node}: conf lists no servers`);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    throw new DaemonError(ctx.nodes[0] ?? '?', `no member tells the configuration: ${errors.join('; ')}`);
  }

  private nodeOfId(ctx: DbContext, id: number): string {
    const node = ctx.nodes[id - 1];
    if (!node)
      throw new DaemonError(ctx.nodes[0] ?? '?', `the configuration lists server.${id}, no test node`);
    return node;
  }

  /**
   * Starts the node on an empty data dir with the current servers and itself, then
   * `reconfig -add`s it once it follows the leader (as a non-voting follower, synced: the new
   * configuration needs it), asked again while it is refused. A failed add stops and wipes it
   * again.
   */
  async addMember(ctx: DbContext, node: string): Promise<void> {
    const options = this.options(ctx);
    const current = await this.members(ctx);
    if (current.includes(node)) {
      recordJoin(ctx, options.members, node, current);
      await this.start(ctx, node);
      return;
    }
    await this.killAndWipe(ctx, node);
    recordJoin(ctx, options.members, node, [...current, node]);
    const line = zookeeperServerLine(zookeeperMyId(ctx.nodes, node), ctx.remote.address(node), options);
    try {
      await this.start(ctx, node);
      // Synced with the leader (as a non-voting follower) first: the new configuration needs it.
      await this.awaitFollowing(ctx, node, 30_000);
      await this.reconfig(ctx, current, { add: line }, 30_000, (members) => members.includes(node));
    } catch (err) {
      recordLeave(ctx, options.members, node);
      await this.killAndWipe(ctx, node);
      throw err;
    }
  }

  /** `reconfig -remove`, run on another member; then the node is stopped and its data wiped. */
  async removeMember(ctx: DbContext, node: string): Promise<void> {
    const options = this.options(ctx);
    const current = await this.members(ctx);
    if (current.includes(node)) {
      const others = current.filter((n) => n !== node);
      const id = zookeeperMyId(ctx.nodes, node);
      await this.reconfig(ctx, others, { remove: id }, 10_000, (members) => !members.includes(node));
    }
    recordLeave(ctx, options.members, node);
    await this.killAndWipe(ctx, node);
  }

  /** Waits (at most `timeoutMs`) until the node answers `srvr` as follower, observer or leader. */
  private async awaitFollowing(ctx: DbContext, node: string, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const answer = await this.fourLetterWord(ctx, node, 'srvr').catch(() => '');
      const mode = parseSrvrMode(answer);
      if (mode === 'follower' || mode === 'observer' || mode === 'leader') return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * Sends `reconfig` (see reconfig.ts) to the first of `via` that serves, again every half
   * second while the change is not made, until `retryMs` is over; throws with ZooKeeper's last
   * words. A request sent without an answer may have been made (a change that moves the leader
   * restarts the election on every member, and the connection goes with it); after any
   * request that was not committed, the configuration is read from `via` (not from a joiner,
   * which lists itself before it is in), and a change it shows (`applied`) is not asked again.
   */
  private async reconfig(
    ctx: DbContext,
    via: readonly string[],
    change: ReconfigChange,
    retryMs: number,
    applied: (members: string[]) => boolean,
  ): Promise<void> {
    const { clientPort } = this.options(ctx);
    const deadline = performance.now() + retryMs;
    let last = 'no member to send it to';
    while (true) {
      for (const node of via) {
        const outcome = await sendReconfig(ctx.remote.address(node), clientPort, change);
        if (outcome.kind === 'committed') return;
        last = `${node}: ${outcome.error}`;
        if (outcome.kind === 'not-sent') continue;
        const now = await this.membersListedBy(ctx, via).catch(() => undefined);
        if (now && applied(now)) return;
        // Refused: another member would say the same.
        break;
      }
      if (performance.now() > deadline) {
        throw new DaemonError(via[0] ?? '?', `${reconfigCommand(change)} not made: ${last}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async primaries(ctx: DbContext): Promise<string[]> {
    const modes = await this.modes(ctx);
    return [...modes].filter(([, mode]) => mode === 'leader').map(([node]) => node);
  }

  /** Transaction logs (`log.*`) and snapshots (`snapshot.*`) under version-2/. */
  async dataFiles(ctx: DbContext, node: string): Promise<string[]> {
    const result = await ctx.remote.exec(
      node,
      [
        'find',
        `${this.paths(ctx, node).data}/version-2`,
        '-type',
        'f',
        '(',
        '-name',
        'log.*',
        '-o',
        '-name',
        'snapshot.*',
        ')',
      ],
      { allowFailure: true },
    );
    return result.stdout.split('\n').filter(Boolean).sort();
  }

  /** E.g. `3.8.0`. */
  async version(ctx: DbContext, node: string): Promise<string> {
    const options = this.options(ctx);
    const result = await ctx.remote.exec(node, [
      options.java,
      '-XX:-UsePerfData',
      '-cp',
      `${options.javaDir}/zookeeper.jar`,
      'org.apache.zookeeper.version.VersionInfoMain',
    ]);
    const version = /version\s+(\d[\w.-]*)/.exec(result.stdout)?.[1];
    if (!version)
      throw new DaemonError(node, `cannot read the zookeeper version from: ${result.stdout.trim()}`);
    return version;
  }
}

/** The ZooKeeper adapter. */
export const zookeeper = new ZookeeperDb();
