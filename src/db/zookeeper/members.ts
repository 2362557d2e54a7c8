/**
 * ZooKeeper membership by dynamic reconfiguration (3.5+, `reconfigEnabled=true`): the members
 * from the `conf` four-letter word, changes with `reconfig -add/-remove` run by ZooKeeper's own
 * command line client (ZooKeeperMain) on a member node. Servers run with `zookeeper.skipACL`, so
 * the client needs no superuser to reconfigure.
 */

/** A voting server of the configuration: its id (myid) and quorum address. */
export interface ZookeeperServer {
  id: number;
  address: string;
}

/**
 * The participants of a configuration, from `conf` (or any text with its `server.N=` lines),
 * sorted by id; observers are left out. Empty when the text lists none.
 */
export function parseZookeeperServers(text: string): ZookeeperServer[] {
  const servers: ZookeeperServer[] = [];
  for (const match of text.matchAll(/^server\.(\d+)=([^:\s]+):\d+:\d+(?::(\w+))?/gm)) {
    if (match[3] === 'observer') continue;
    servers.push({ id: Number(match[1]), address: match[2]! });
  }
  return servers.sort((a, b) => a.id - b.id);
}

/** The `server.N=` line a node is added with: a participant; reconfig wants its client port too. */
export function zookeeperServerLine(
  id: number,
  address: string,
  ports: { quorumPort: number; electionPort: number; clientPort: number },
): string {
  return `server.${id}=${address}:${ports.quorumPort}:${ports.electionPort}:participant;${ports.clientPort}`;
}

/** A command of ZooKeeper's command line client (ZooKeeperMain) against `connect` (host:port), at most 30 s. */
export function zkCliArgv(
  java: string,
  javaDir: string,
  connect: string,
  command: readonly string[],
): string[] {
  const classpath = [`${javaDir}/zookeeper.jar`, `${javaDir}/slf4j-log4j12.jar`, `${javaDir}/log4j-1.2.jar`];
  return [
    'timeout',
    '30',
    java,
    '-XX:-UsePerfData',
    // A short-lived client: the quick compiler only, which starts sooner.
    '-XX:TieredStopAtLevel=1',
    '-Djava.net.preferIPv4Stack=true',
    '-cp',
    classpath.join(':'),
    'org.apache.zookeeper.ZooKeeperMain',
    '-server',
    connect,
    ...command,
  ];
}

/** The java command line of `reconfig` through ZooKeeperMain, against `connect` (host:port). */
export function reconfigArgv(
  java: string,
  javaDir: string,
  connect: string,
  change: { add: string } | { remove: number },
): string[] {
  const what = 'add' in change ? ['-add', change.add] : ['-remove', String(change.remove)];
  return zkCliArgv(java, javaDir, connect, ['reconfig', ...what]);
}

/** True when ZooKeeperMain's output says the new configuration was committed. */
export function reconfigCommitted(output: string): boolean {
  return /Committed new configuration/i.test(output);
}

/** What a refused reconfig said, in one line (e.g. `KeeperErrorCode = NewConfigNoQuorum`). */
export function reconfigRefusal(stdout: string, stderr: string): string {
  const said = `${stdout}\n${stderr}`;
  const keeper = /KeeperErrorCode = [^\n]+/.exec(said)?.[0];
  if (keeper) return keeper.trim();
  const lines = said
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^log4j:|^SLF4J:|^WATCHER::|^WatchedEvent|^Connecting to/.test(l));
  return lines.at(-1) ?? 'no output';
}
