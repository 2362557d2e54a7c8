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

/**
 * A command of ZooKeeper's command line client (ZooKeeperMain) against `connect` (host:port),
 * at most `seconds` (default 30). Without a command, the client reads commands from stdin.
 */
export function zkCliArgv(
  java: string,
  javaDir: string,
  connect: string,
  command: readonly string[],
  seconds = 30,
): string[] {
  const classpath = [`${javaDir}/zookeeper.jar`, `${javaDir}/slf4j-log4j12.jar`, `${javaDir}/log4j-1.2.jar`];
  return [
    'timeout',
    String(seconds),
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

/** The `reconfig` command line (ZooKeeperMain's words) of a change. */
export function reconfigCommand(change: { add: string } | { remove: number }): string {
  return 'add' in change ? `reconfig -add ${change.add}` : `reconfig -remove ${change.remove}`;
}

/** Exit status of {@link RECONFIG_SCRIPT} when the member it runs on does not serve. */
export const NOT_SERVING_HERE = 3;

/**
 * Runs a reconfig through ZooKeeper's command line client on a member, in one call on it:
 * refuses (exit {@link NOT_SERVING_HERE}) unless the member's own server serves; with a
 * joiner, the client starts at once and the command is sent once the joiner answers `srvr` as
 * a follower (the client's start overlaps the joiner's sync; a reconfig earlier is refused).
 * Args: client port, joiner address (or empty), seconds to wait for it, the command, then the
 * client's argv (interactive: it reads the command from stdin).
 */
export const RECONFIG_SCRIPT = `
set -u
port=$1 joiner=$2 secs=$3 command=$4
shift 4
srvr() { timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf srvr >&3 && cat <&3' _ "$1" "$port" 2>/dev/null; }
srvr 127.0.0.1 | grep -q '^Mode: ' || { echo "no zookeeper serves on 127.0.0.1:$port" >&2; exit 3; }
feed() {
  if [[ -n $joiner ]]; then
    local deadline=$((SECONDS + secs))
    until srvr "$joiner" | grep -qE '^Mode: (follower|observer|leader)'; do
      if ((SECONDS >= deadline)); then
        echo "$joiner did not follow the leader within $secs s" >&2
        echo quit
        return
      fi
      sleep 0.1
    done
  fi
  printf '%s
quit
' "$command"
}
feed | "$@"
`;

/** The arguments of {@link RECONFIG_SCRIPT}. */
export function reconfigScriptArgs(
  java: string,
  javaDir: string,
  clientPort: number,
  change: { add: string } | { remove: number },
  joiner?: { address: string; waitSeconds: number },
): string[] {
  const wait = joiner?.waitSeconds ?? 0;
  const client = zkCliArgv(java, javaDir, `127.0.0.1:${clientPort}`, [], wait + 30);
  return [String(clientPort), joiner?.address ?? '', String(wait), reconfigCommand(change), ...client];
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
    // The interactive client's prompt, e.g. "[zk: 127.0.0.1:2181(CONNECTED) 0] ".
    .map((l) => l.replace(/^(\[zk: [^\]]*\] ?)+/, '').trim())
    .filter(
      (l) =>
        l &&
        !/^log4j:|^SLF4J:|^WATCHER::|^WatchedEvent|^Connecting to|^Welcome to ZooKeeper|^JLine support/.test(
          l,
        ),
    );
  return lines.at(-1) ?? 'no output';
}
