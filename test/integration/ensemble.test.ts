/**
 * The local ensemble for real (root): idempotent `up`, repair, isolation of nodes, coexisting
 * ensembles, and `cluster down` after the controller was SIGKILLed while running or mid-`up`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensembleDown, ensembleStatus, ensembleUp, localRemote } from '../../src/ensemble/index.js';
import { InputError } from '../../src/errors.js';
import { DIST, requireBuilt } from '../support/cli.js';

const NAME = 'flens';
const SUBNET = '10.82.0.0/24';
const OTHER = 'flens2';
const OTHER_SUBNET = '10.83.0.0/24';
const CHILD = 'flkill';
const CHILD_SUBNET = '10.84.0.0/24';
const ROOT = process.cwd();
let build = '';

beforeAll(async () => {
  await Promise.all([NAME, OTHER, CHILD].map((n) => ensembleDown(n)));
  // Controller processes the test can SIGKILL run the compiled tree (npm run build made it).
  requireBuilt();
  build = await mkdtemp(join(tmpdir(), 'fl-ensemble-test-'));
  await symlink(join(ROOT, 'node_modules'), join(build, 'node_modules'));
  await writeFile(join(build, 'package.json'), '{"type":"module"}\n');
  await writeFile(
    join(build, 'controller.mjs'),
    `import { ensembleUp, localRemote } from '${pathToFileURL(join(DIST, 'src/ensemble/index.js')).href}';
const [name, subnet, mode] = process.argv.slice(2);
console.log('starting');
await ensembleUp({ name, subnet, nodes: 5 });
if (mode === 'running') {
  const remote = await localRemote(name);
  await remote.onAll(['iptables', '-A', 'INPUT', '-s', '10.84.0.99', '-j', 'DROP']);
  await remote.onAll(['sh', '-c', 'nohup sleep 1000 >/dev/null 2>&1 &']);
  remote.onAll(['sleep', '1000'], { timeoutMs: 3_600_000 }).catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 300));
}
console.log('running');
setInterval(() => {}, 1000);
`,
  );
  await writeFile(
    join(build, 'cli.mjs'),
    `import { Command } from 'commander';
import { registerCluster } from '${pathToFileURL(join(DIST, 'src/cli/cluster.js')).href}';
const program = new Command('faultline');
registerCluster(program);
await program.parseAsync(process.argv);
`,
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([NAME, OTHER, CHILD].map((n) => ensembleDown(n)));
  if (build) await rm(build, { recursive: true, force: true });
});

function startController(mode: 'running' | 'up'): {
  child: ChildProcess;
  lines: string[];
  wait: (line: string) => Promise<void>;
} {
  const child = spawn(process.execPath, [join(build, 'controller.mjs'), CHILD, CHILD_SUBNET, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: { line: string; resolve: () => void }[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.line === line)) w.resolve();
    }
  });
  const wait = (line: string) =>
    lines.includes(line)
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          waiters.push({ line, resolve });
          child.once('exit', (code) =>
            reject(new Error(`controller exited (${code}) before printing ${line}`)),
          );
        });
  return { child, lines, wait };
}

async function sigkill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

function clusterCli(...args: string[]): string {
  return execFileSync(process.execPath, [join(build, 'cli.mjs'), 'cluster', ...args], { encoding: 'utf8' });
}

/** Namespace ids (`net:[inode]`) of an ensemble's nodes, to find its processes after the names are gone. */
async function netnsIds(name: string): Promise<Set<string>> {
  const status = await ensembleStatus(name);
  const ids = new Set<string>();
  for (const node of status.nodes) {
    if (node.pid) ids.add(await readlink(`/proc/${node.pid}/ns/net`));
  }
  return ids;
}

/** Everything of ensemble `name` still on the machine, described; empty when clean. */
async function leftovers(name: string, ids: Set<string>, stateDir: string): Promise<string[]> {
  const found: string[] = [];
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of netns.split('\n')) if (line.startsWith(`${name}-`)) found.push(`namespace ${line}`);
  const links = JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as {
    ifname: string;
  }[];
  for (const l of links) if (l.ifname.startsWith(`${name}-`)) found.push(`link ${l.ifname}`);
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  for (const line of mounts.split('\n')) {
    if (line.includes(`/run/netns/${name}-`) || line.includes(stateDir)) found.push(`mount ${line}`);
  }
  const rules = execFileSync('iptables', ['-w', '-S'], { encoding: 'utf8' });
  for (const line of rules.split('\n'))
    if (line.includes(`faultline:${name}`)) found.push(`host firewall rule ${line}`);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      if (/^\d+ \(.*\) Z/.test(stat)) continue; // already dead, waiting for its parent to reap it
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      const net = await readlink(`/proc/${entry}/ns/net`).catch(() => '');
      if (ids.has(net) || cmdline.includes(stateDir)) found.push(`process ${entry}: ${cmdline}`);
    } catch {
      // the process ended while we looked
    }
  }
  if (existsSync(stateDir)) found.push(`state dir ${stateDir}`);
  return found;
}

describe('local ensemble', () => {
  it('comes up, and a second up changes nothing', async () => {
    const first = await ensembleUp({ name: NAME, nodes: 3, subnet: SUBNET });
    expect(first.nodes.map((n) => [n.name, n.address, n.running, n.sshReachable])).toEqual([
      ['n1', '10.82.0.11', true, true],
      ['n2', '10.82.0.12', true, true],
      ['n3', '10.82.0.13', true, true],
    ]);
    const started = performance.now();
    const second = await ensembleUp({ name: NAME });
    console.log(`second up (nothing to do): ${(performance.now() - started).toFixed(0)} ms`);
    expect(second.nodes.map((n) => n.pid)).toEqual(first.nodes.map((n) => n.pid));
    await expect(ensembleUp({ name: NAME, nodes: 4 })).rejects.toThrow(
      /exists with 3 nodes.*cluster down --name flens/,
    );
  });

  it('each node is its own host: hostname, PID 1, private /tmp and /run, hosts file, no DNS, empty bashrc', async () => {
    const remote = await localRemote(NAME);
    try {
      const facts = await remote.onAll([
        'sh',
        '-c',
        'hostname; cat /proc/1/comm; ip -br link show lo | cut -d" " -f1; getent hosts n3 | cut -d" " -f1; ' +
          'wc -c < /etc/resolv.conf; wc -c < /root/.bashrc; ls /tmp | wc -l; touch /tmp/mine-$(hostname)',
      ]);
      for (const [node, r] of facts) {
        expect(r.stdout.split('\n').slice(0, 7)).toEqual([node, 'sshd', 'lo', '10.82.0.13', '0', '0', '0']);
      }
      // Each node sees only its own file in its private /tmp; the host sees none of them.
      const tmp = await remote.onAll(['ls', '/tmp']);
      for (const [node, r] of tmp) expect(r.stdout).toBe(`mine-${node}\n`);
      expect(existsSync('/tmp/mine-n1')).toBe(false);
    } finally {
      await remote.close();
    }
  });

  it('repairs a node that was powered off (its PID 1 killed) and leaves the others alone', async () => {
    const before = await ensembleStatus(NAME);
    const n2 = before.nodes.find((n) => n.name === 'n2');
    process.kill(n2?.pid ?? 0, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const down = await ensembleStatus(NAME);
    expect(down.nodes.map((n) => n.running)).toEqual([true, false, true]);
    const after = await ensembleUp({ name: NAME });
    expect(after.nodes.every((n) => n.sshReachable)).toBe(true);
    expect(after.nodes[0]?.pid).toBe(before.nodes[0]?.pid);
    expect(after.nodes[1]?.pid).not.toBe(n2?.pid);
  });

  it('several ensembles coexist by name; one going down leaves the other intact', async () => {
    await expect(ensembleUp({ name: 'flens3', subnet: '10.82.0.64/26' })).rejects.toBeInstanceOf(InputError);
    await ensembleUp({ name: OTHER, nodes: 2, subnet: OTHER_SUBNET });
    const other = await localRemote(OTHER);
    const mine = await localRemote(NAME);
    try {
      expect((await other.exec('n1', ['getent', 'hosts', 'n2'])).stdout).toMatch(/^10\.83\.0\.12\s/);
      expect((await mine.exec('n1', ['getent', 'hosts', 'n2'])).stdout).toMatch(/^10\.82\.0\.12\s/);
      await other.close();
      await ensembleDown(OTHER);
      expect((await ensembleStatus(OTHER)).exists).toBe(false);
      expect((await mine.onAll(['true'])).size).toBe(3);
    } finally {
      await other.close();
      await mine.close();
    }
  });

  it('cluster down after the controller was SIGKILLed while running leaves nothing behind', async () => {
    const { child, wait } = startController('running');
    try {
      await wait('running');
      const ids = await netnsIds(CHILD);
      const status = await ensembleStatus(CHILD);
      expect(ids.size).toBe(5);
      // Something real to clean up: a firewall rule and a stray daemon inside the nodes.
      const rules = execFileSync('ip', ['netns', 'exec', `${CHILD}-n1`, 'iptables', '-S', 'INPUT'], {
        encoding: 'utf8',
      });
      expect(rules).toContain('10.84.0.99');
      await sigkill(child);
      // The ensemble outlives its controller, and the leftover check sees all of it.
      expect((await ensembleStatus(CHILD)).nodes.every((n) => n.sshReachable)).toBe(true);
      const before = (await leftovers(CHILD, ids, status.stateDir)).join('\n');
      for (const kind of ['namespace', 'link', 'process', 'state dir']) expect(before).toContain(kind);
      const output = clusterCli('down', '--name', CHILD);
      expect(output).toMatch(/removed 5 namespaces/);
      expect(await leftovers(CHILD, ids, status.stateDir)).toEqual([]);
    } finally {
      await sigkill(child);
    }
  });

  it('cluster down after the controller was SIGKILLed mid-up leaves nothing behind; up repairs a half-built one', async () => {
    const stateDir = (await ensembleStatus(CHILD)).stateDir;
    for (const delayMs of [20, 60, 120, 250]) {
      const { child, wait } = startController('up');
      await wait('starting');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await sigkill(child);
      const ids = await netnsIds(CHILD);
      if (delayMs === 120) {
        const repaired = await ensembleUp({ name: CHILD, subnet: CHILD_SUBNET, nodes: 5 });
        expect(repaired.nodes.map((n) => n.sshReachable)).toEqual([true, true, true, true, true]);
        for (const id of await netnsIds(CHILD)) ids.add(id);
      }
      clusterCli('down', '--name', CHILD);
      expect(await leftovers(CHILD, ids, stateDir)).toEqual([]);
    }
  });
});
