/**
 * ZooKeeper membership by dynamic reconfiguration (3.5+, `reconfigEnabled=true`): the members
 * from the `conf` four-letter word, changes by a `reconfig` request the controller sends to a
 * member (reconfig.ts). Servers run with `zookeeper.skipACL`, so the request needs no superuser.
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

/** A change in ZooKeeperMain's words, e.g. `reconfig -remove 3`. */
export function reconfigCommand(change: { add: string } | { remove: number }): string {
  return 'add' in change ? `reconfig -add ${change.add}` : `reconfig -remove ${change.remove}`;
}
