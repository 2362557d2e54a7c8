/**
 * The embedded local ensemble: each node is a network namespace on a bridge, with its own
 * UTS/mount/PID namespaces and an sshd as PID 1 (killing it powers the node off). `up` repairs
 * whatever is missing; `down` removes everything `up` made, found by name, so it also works
 * after the controller was killed mid-run.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { access, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import {
  host,
  listLinks,
  listNetns,
  netnsId,
  netnsPids,
  processInNetns,
  tryConnect,
  waitForPort,
} from './host.js';
import {
  belongsTo,
  DEFAULT_ENSEMBLE,
  DEFAULT_NODE_COUNT,
  DEFAULT_SUBNET,
  type EnsembleLayout,
  ensembleLayout,
  ensemblesRoot,
  type NodeLayout,
  parseSubnet,
  validateName,
} from './layout.js';

export interface EnsembleOptions {
  /** Ensemble name (default `fl`): 1-8 lower-case letters/digits. Several ensembles coexist by name. */
  name?: string;
  /** Number of nodes (default 5, or the existing ensemble's). */
  nodes?: number;
  /** Address range (default 10.77.0.0/24, or the existing ensemble's). */
  subnet?: string;
}

export interface EnsembleNodeStatus {
  name: string;
  address: string;
  netns: string;
  /** Host PID of the node's sshd (its PID 1), when running. */
  pid: number | null;
  running: boolean;
  /** sshd accepts TCP connections. */
  sshReachable: boolean;
}

export interface EnsembleStatus {
  name: string;
  exists: boolean;
  subnet: string;
  bridge: string;
  hostAddress: string;
  stateDir: string;
  /** Client key for root on every node. */
  privateKeyPath: string;
  knownHostsPath: string;
  /** For humans: `ssh -F <sshConfigPath> n1`. */
  sshConfigPath: string;
  nodes: EnsembleNodeStatus[];
}

export interface EnsembleDownReport {
  name: string;
  killedProcesses: number;
  removedNamespaces: string[];
  removedLinks: string[];
  removedFirewallRules: number;
}

interface SavedConfig {
  name: string;
  nodes: number;
  subnet: string;
}

/** Directories each node gets a private copy of (bind mounts); the rest of the filesystem is the host's. */
export const PRIVATE_DIRS = [
  '/tmp',
  '/var/tmp',
  '/var/log',
  '/var/lib/etcd',
  '/var/lib/zookeeper',
  '/opt/faultline',
];

const CONFIG_FILE = 'ensemble.json';

/** Runs as the namespace's first process, then becomes sshd. Values arrive as positional args. */
const BOOT_SCRIPT = `set -eu
node=$1 dir=$2 state=$3
shift 3
hostname "$node"
mount --bind "$dir/hosts" /etc/hosts
if [ -f /etc/resolv.conf ]; then mount --bind "$dir/resolv.conf" /etc/resolv.conf; fi
if [ -e /root/.bashrc ]; then mount --bind "$state/empty" /root/.bashrc; fi
for target in "$@"; do
  source="$dir/private/$(printf %s "$target" | tr / _)"
  mkdir -p "$source" "$target"
  chown --reference="$target" "$source"
  chmod --reference="$target" "$source"
  mount --bind "$source" "$target"
done
mount -t tmpfs -o mode=0755 faultline-run /run
mkdir -p /run/sshd
exec /usr/sbin/sshd -D -e -f "$dir/sshd_config"
`;

/** Builds (or repairs) the ensemble and waits until every node's sshd accepts connections. */
export async function ensembleUp(options: EnsembleOptions = {}): Promise<EnsembleStatus> {
  const name = validateName(options.name ?? DEFAULT_ENSEMBLE);
  const saved = await readConfig(name);
  const nodes = options.nodes ?? saved?.nodes ?? DEFAULT_NODE_COUNT;
  const subnet = options.subnet ?? saved?.subnet ?? DEFAULT_SUBNET;
  const layout = ensembleLayout(name, nodes, subnet);
  if (saved && (saved.nodes !== nodes || parseSubnet(saved.subnet).network !== parseSubnet(subnet).network)) {
    throw new InputError(
      `ensemble ${name} exists with ${saved.nodes} nodes on ${saved.subnet}; ` +
        `run \`faultline cluster down --name ${name}\` first to rebuild it with ${nodes} nodes on ${subnet}`,
      { field: saved.nodes !== nodes ? 'nodes' : 'subnet' },
    );
  }
  await checkSubnetFree(layout);
  await mkdir(layout.stateDir, { recursive: true, mode: 0o700 });
  const config: SavedConfig = { name, nodes, subnet: layout.subnet };
  await writeFile(join(layout.stateDir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);

  await writeKeysAndFiles(layout);
  await setUpBridge(layout);
  await setUpHostFirewall(layout);
  await Promise.all(layout.nodes.map((node) => setUpNodeNetwork(layout, node)));
  await Promise.all(layout.nodes.map((node) => bootNode(layout, node)));
  return ensembleStatus(name);
}

/** Removes everything of ensemble `name`: processes, namespaces, links, firewall rules, state. */
export async function ensembleDown(name: string = DEFAULT_ENSEMBLE): Promise<EnsembleDownReport> {
  validateName(name);
  const stateDir = join(ensemblesRoot(), name);
  const namespaces = (await listNetns()).filter((ns) => belongsTo(name, ns));
  let killedProcesses = 0;
  await Promise.all(
    namespaces.map(async (ns) => {
      killedProcesses += await killNetnsProcesses(ns);
      await host(['ip', 'netns', 'delete', ns], { allowFailure: true });
    }),
  );
  // A node whose namespace name was removed by hand is still found by its command line.
  killedProcesses += await killByCommandLine(`${stateDir}/`);
  await unmountLeftovers(name);
  const removedLinks: string[] = [];
  // The bridge last: veths whose peer went with their namespace are already gone.
  const links = (await listLinks())
    .filter((l) => belongsTo(name, l))
    .sort((a) => (a.endsWith('-br') ? 1 : -1));
  for (const link of links) {
    const { code } = await host(['ip', 'link', 'delete', link], { allowFailure: true });
    if (code === 0) removedLinks.push(link);
  }
  const removedFirewallRules = await removeHostFirewall(name);
  await rm(stateDir, { recursive: true, force: true });
  return { name, killedProcesses, removedNamespaces: namespaces, removedLinks, removedFirewallRules };
}

/** What exists of ensemble `name` right now. */
export async function ensembleStatus(name: string = DEFAULT_ENSEMBLE): Promise<EnsembleStatus> {
  validateName(name);
  const saved = await readConfig(name);
  const layout = ensembleLayout(name, saved?.nodes ?? DEFAULT_NODE_COUNT, saved?.subnet ?? DEFAULT_SUBNET);
  const namespaces = new Set(await listNetns());
  const nodes = await Promise.all(
    layout.nodes.map(async (node): Promise<EnsembleNodeStatus> => {
      const pid = namespaces.has(node.netns) ? await runningPid(node) : null;
      const sshReachable = pid !== null && (await tryConnect(node.address, 22, 500));
      return {
        name: node.name,
        address: node.address,
        netns: node.netns,
        pid,
        running: pid !== null,
        sshReachable,
      };
    }),
  );
  return {
    name,
    exists: saved !== undefined || nodes.some((n) => namespaces.has(n.netns)),
    subnet: layout.subnet,
    bridge: layout.bridge,
    hostAddress: layout.hostAddress,
    stateDir: layout.stateDir,
    ...statePaths(layout),
    nodes: saved ? nodes : nodes.filter((n) => namespaces.has(n.netns)),
  };
}

/** Paths of the client key, known_hosts and ssh_config of an ensemble. */
export function statePaths(layout: Pick<EnsembleLayout, 'stateDir'>): {
  privateKeyPath: string;
  knownHostsPath: string;
  sshConfigPath: string;
} {
  return {
    privateKeyPath: join(layout.stateDir, 'id_ed25519'),
    knownHostsPath: join(layout.stateDir, 'known_hosts'),
    sshConfigPath: join(layout.stateDir, 'ssh_config'),
  };
}

/** The saved layout of an existing ensemble, or undefined. */
export async function savedLayout(name: string): Promise<EnsembleLayout | undefined> {
  const saved = await readConfig(name);
  return saved && ensembleLayout(name, saved.nodes, saved.subnet);
}

async function readConfig(name: string): Promise<SavedConfig | undefined> {
  try {
    return JSON.parse(await readFile(join(ensemblesRoot(), name, CONFIG_FILE), 'utf8')) as SavedConfig;
  } catch {
    return undefined;
  }
}

async function checkSubnetFree(layout: EnsembleLayout): Promise<void> {
  const { network, prefixLength } = parseSubnet(layout.subnet);
  const { stdout } = await host(['ip', '-j', '-4', 'addr', 'show']);
  const links = JSON.parse(stdout || '[]') as {
    ifname: string;
    addr_info?: { local: string; prefixlen: number }[];
  }[];
  for (const link of links) {
    if (link.ifname === layout.bridge) continue;
    for (const a of link.addr_info ?? []) {
      const other = parseSubnet(`${a.local}/${Math.max(8, Math.min(28, a.prefixlen))}`);
      const shorter = Math.min(prefixLength, other.prefixLength);
      const size = 2 ** (32 - shorter);
      if (Math.floor(network / size) === Math.floor(other.network / size)) {
        throw new InputError(
          `subnet ${layout.subnet} overlaps ${a.local}/${a.prefixlen} on ${link.ifname}; choose another with --subnet`,
          { field: 'subnet' },
        );
      }
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function ensureKey(path: string, comment: string): Promise<string> {
  if (!(await exists(path)) || !(await exists(`${path}.pub`))) {
    await rm(path, { force: true });
    await rm(`${path}.pub`, { force: true });
    await host(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  }
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

/** Client key, host keys, known_hosts, ssh_config, and per node: hosts, resolv.conf, sshd_config. */
async function writeKeysAndFiles(layout: EnsembleLayout): Promise<void> {
  const { privateKeyPath, knownHostsPath, sshConfigPath } = statePaths(layout);
  const clientKey = await ensureKey(privateKeyPath, `faultline-${layout.name}`);
  await writeFile(join(layout.stateDir, 'authorized_keys'), `${clientKey}\n`, { mode: 0o600 });
  await writeFile(join(layout.stateDir, 'empty'), '');
  const hosts = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    ...layout.nodes.map((n) => `${n.address}\t${n.name}`),
    '',
  ].join('\n');
  const knownHosts: string[] = [];
  const sshConfig: string[] = [];
  await Promise.all(
    layout.nodes.map(async (node) => {
      await mkdir(join(node.dir, 'private'), { recursive: true });
      const hostKey = await ensureKey(join(node.dir, 'ssh_host_ed25519_key'), `${layout.name}-${node.name}`);
      const [type, key] = hostKey.split(' ');
      knownHosts.push(`${node.address},${node.name} ${type} ${key}`);
      await writeFile(join(node.dir, 'hosts'), hosts);
      await writeFile(join(node.dir, 'resolv.conf'), '');
      await writeFile(join(node.dir, 'sshd_config'), sshdConfig(layout, node));
    }),
  );
  for (const node of layout.nodes) {
    sshConfig.push(
      `Host ${node.name} ${node.address}`,
      `  HostName ${node.address}`,
      '  User root',
      `  IdentityFile ${privateKeyPath}`,
      `  UserKnownHostsFile ${knownHostsPath}`,
      '  StrictHostKeyChecking yes',
      '',
    );
  }
  await writeFile(knownHostsPath, `${knownHosts.sort().join('\n')}\n`, { mode: 0o600 });
  await writeFile(sshConfigPath, sshConfig.join('\n'));
}

function sshdConfig(layout: EnsembleLayout, node: NodeLayout): string {
  return `# faultline ensemble ${layout.name}, node ${node.name}
Port 22
AddressFamily inet
HostKey ${join(node.dir, 'ssh_host_ed25519_key')}
PidFile none
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile ${join(layout.stateDir, 'authorized_keys')}
StrictModes no
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
MaxSessions 64
MaxStartups 100:30:200
Subsystem sftp internal-sftp
LogLevel ERROR
`;
}

async function setUpBridge(layout: EnsembleLayout): Promise<void> {
  if (!(await listLinks()).includes(layout.bridge)) {
    await host(['ip', 'link', 'add', layout.bridge, 'type', 'bridge']);
  }
  const { stdout } = await host(['ip', '-j', '-4', 'addr', 'show', 'dev', layout.bridge]);
  if (!stdout.includes(`"${layout.hostAddress}"`)) {
    await host(['ip', 'addr', 'add', `${layout.hostAddress}/${layout.prefixLength}`, 'dev', layout.bridge]);
  }
  await host(['ip', 'link', 'set', layout.bridge, 'up']);
}

async function setUpNodeNetwork(layout: EnsembleLayout, node: NodeLayout): Promise<void> {
  if (!(await listNetns()).includes(node.netns)) await host(['ip', 'netns', 'add', node.netns]);
  const inside = await host(['ip', '-n', node.netns, '-j', 'link', 'show', 'eth0'], { allowFailure: true });
  const hostSide = (await listLinks()).includes(node.hostVeth);
  if (inside.code !== 0 || !hostSide) {
    // Half-built (killed mid-up): start this node's link afresh.
    if (hostSide) await host(['ip', 'link', 'delete', node.hostVeth], { allowFailure: true });
    if (inside.code === 0)
      await host(['ip', '-n', node.netns, 'link', 'delete', 'eth0'], { allowFailure: true });
    await host([
      'ip',
      'link',
      'add',
      node.hostVeth,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      node.netns,
    ]);
  }
  await host(['ip', 'link', 'set', node.hostVeth, 'master', layout.bridge, 'up']);
  const addr = await host(['ip', '-n', node.netns, '-j', '-4', 'addr', 'show', 'dev', 'eth0']);
  if (!addr.stdout.includes(`"${node.address}"`)) {
    await host([
      'ip',
      '-n',
      node.netns,
      'addr',
      'add',
      `${node.address}/${layout.prefixLength}`,
      'dev',
      'eth0',
    ]);
  }
  await host(['ip', '-n', node.netns, 'link', 'set', 'eth0', 'up']);
  await host(['ip', '-n', node.netns, 'link', 'set', 'lo', 'up']);
}

/** Host PID of the node's sshd if it runs inside the node's namespace. */
async function runningPid(node: NodeLayout): Promise<number | null> {
  const id = await netnsId(node.netns);
  let pid: number;
  try {
    pid = Number((await readFile(join(node.dir, 'pid'), 'utf8')).trim());
  } catch {
    return null;
  }
  return id && pid > 0 && (await processInNetns(pid, id)) ? pid : null;
}

async function bootNode(layout: EnsembleLayout, node: NodeLayout): Promise<void> {
  if ((await runningPid(node)) !== null && (await waitForPort(node.address, 22, 2_000))) return;
  await killNetnsProcesses(node.netns);
  const log = openSync(join(node.dir, 'boot.log'), 'a');
  const launcher = spawn(
    'ip',
    [
      'netns',
      'exec',
      node.netns,
      'unshare',
      '--uts',
      '--mount',
      '--pid',
      '--fork',
      '--kill-child',
      '--mount-proc',
      '/bin/sh',
      '-c',
      BOOT_SCRIPT,
      'faultline-boot',
      node.name,
      node.dir,
      layout.stateDir,
      ...PRIVATE_DIRS,
    ],
    // Its own session: the node outlives the controller and ignores its terminal's signals.
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  launcher.unref();
  const launcherPid = launcher.pid;
  if (launcherPid === undefined) throw new Error(`${node.name}: could not start \`ip netns exec\``);
  const sshdPid = await firstChild(launcherPid, 5_000);
  if (sshdPid !== undefined) await writeFile(join(node.dir, 'pid'), `${sshdPid}\n`);
  if (sshdPid === undefined || !(await waitForPort(node.address, 22, 10_000))) {
    const bootLog = await readFile(join(node.dir, 'boot.log'), 'utf8').catch(() => '');
    throw new Error(
      `${node.name}: sshd did not come up on ${node.address}:22; ${join(node.dir, 'boot.log')} ends with:\n` +
        bootLog.trim().split('\n').slice(-5).join('\n'),
    );
  }
}

/** The child of `pid` (unshare's forked child, the node's PID 1), waiting for it to appear. */
async function firstChild(pid: number, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim();
      if (children) return Number(children.split(' ')[0]);
    } catch {
      return undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return undefined;
}

/** SIGKILLs every process in the namespace and waits until they are gone. */
async function killNetnsProcesses(netns: string): Promise<number> {
  let killed = 0;
  const deadline = Date.now() + 5_000;
  for (;;) {
    const pids = await netnsPids(netns);
    if (pids.length === 0 || Date.now() > deadline) return killed;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {}
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** SIGKILLs processes (not this one) whose command line mentions `marker`. */
async function killByCommandLine(marker: string): Promise<number> {
  let killed = 0;
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes(marker)) continue;
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}

/** `/run/netns/NAME-*` mounts left by an interrupted `ip netns add`. */
async function unmountLeftovers(name: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  for (const line of mountinfo.split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (mountPoint?.startsWith(`/run/netns/${name}-`)) {
      await host(['umount', '-l', mountPoint], { allowFailure: true });
      await rm(mountPoint, { force: true });
    }
  }
}

const RULE_TAG = (name: string) => `faultline:${name}`;

/** Adds ACCEPT rules only where the host's default policy would drop the ensemble's traffic. */
async function setUpHostFirewall(layout: EnsembleLayout): Promise<void> {
  const { code, stdout } = await host(['iptables', '-w', '-S'], { allowFailure: true });
  if (code !== 0) return;
  const policy = (chain: string) => new RegExp(`^-P ${chain} ACCEPT$`, 'm').test(stdout);
  const comment = ['-m', 'comment', '--comment', RULE_TAG(layout.name), '-j', 'ACCEPT'];
  const rules: string[][] = [];
  if (!policy('INPUT')) rules.push(['INPUT', '-i', layout.bridge, '-s', layout.subnet, ...comment]);
  if (!policy('OUTPUT')) rules.push(['OUTPUT', '-o', layout.bridge, '-d', layout.subnet, ...comment]);
  if (!policy('FORWARD')) rules.push(['FORWARD', '-i', layout.bridge, '-o', layout.bridge, ...comment]);
  for (const rule of rules) {
    const check = await host(['iptables', '-w', '-C', ...rule], { allowFailure: true });
    if (check.code !== 0) await host(['iptables', '-w', '-I', ...rule]);
  }
}

/** The words of an `iptables -S` rule; iptables-nft prints comments in double quotes. */
function ruleWords(rule: string): string[] {
  return (rule.match(/"[^"]*"|\S+/g) ?? []).map((word) => word.replace(/^"(.*)"$/, '$1'));
}

async function removeHostFirewall(name: string): Promise<number> {
  const { code, stdout } = await host(['iptables', '-w', '-S'], { allowFailure: true });
  if (code !== 0) return 0;
  let removed = 0;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('-A ')) continue;
    const words = ruleWords(line.slice(3));
    if (!words.includes(RULE_TAG(name))) continue;
    const result = await host(['iptables', '-w', '-D', ...words], { allowFailure: true });
    if (result.code === 0) removed++;
  }
  return removed;
}
