/**
 * SshRemote against the real local ensemble (root, real sshd): the contract every transport
 * keeps (test/support/remote-contract.ts), then what is SSH's own: host keys, agents. Latency figures: npm run bench -- cluster.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostKeyError, RemoteConnectError, RemoteTimeoutError } from '../../src/control/errors.js';
import { SshRemote } from '../../src/control/ssh.js';
import {
  ensembleDown,
  ensembleStatus,
  ensembleUp,
  localRemote,
  statePaths,
} from '../../src/ensemble/index.js';
import { remoteContract } from '../support/remote-contract.js';

const NAME = 'flctl';
const SUBNET = '10.81.0.0/24';
let remote: SshRemote;
let scratch = '';

beforeAll(async () => {
  await ensembleDown(NAME);
  await ensembleUp({ name: NAME, nodes: 5, subnet: SUBNET });
  remote = await localRemote(NAME, { timeoutMs: 10_000 });
  scratch = await mkdtemp(join(tmpdir(), 'fl-control-'));
});

afterAll(async () => {
  await remote?.close();
  await ensembleDown(NAME);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function sshdPid(node: string): Promise<number> {
  const pid = (await ensembleStatus(NAME)).nodes.find((n) => n.name === node)?.pid;
  if (!pid) throw new Error(`${node} is not running`);
  return pid;
}

describe('SshRemote on the local ensemble', () => {
  remoteContract({
    remote: () => remote,
    freshRemote: (timeoutMs) => localRemote(NAME, { timeoutMs }),
    addressOfN4: /^10\.81\.0\.14\s+n4/,
    powerOff: async (node) => {
      process.kill(await sshdPid(node), 'SIGKILL');
    },
    freeze: async (node) => {
      const pid = await sshdPid(node);
      process.kill(pid, 'SIGSTOP');
      return async () => {
        process.kill(pid, 'SIGCONT');
      };
    },
    // Restarts whatever nodes are down and waits for their sshd.
    repair: async () => {
      await ensembleUp({ name: NAME });
    },
    deadNodeMessage: /^n2: cannot connect to 10\.81\.0\.12:22: .*ECONNREFUSED/,
    frozenNodeError: {
      type: RemoteTimeoutError,
      message: /^n3: could not connect to run `true` within 1500 ms$/,
    },
    // The client port of the kept-open connection, as the node sees it.
    connectionIdentity: async (r, node) =>
      (await r.exec(node, ['sh', '-c', 'echo "$SSH_CLIENT"'])).stdout.split(' ')[1],
  });

  it('nodes reach each other without DNS', async () => {
    const tcp = await remote.script('n1', 'exec 3<>"/dev/tcp/$1/22" && head -c 4 <&3', ['n5']);
    expect(tcp.stdout).toBe('SSH-');
  });

  it('an unknown host key is refused unless new keys are accepted, and then recorded', async () => {
    const knownHosts = join(scratch, 'known_hosts_empty');
    const { privateKeyPath } = statePaths((await ensembleStatus(NAME)) as { stateDir: string });
    const addresses = { n1: '10.81.0.11' };
    const strict = new SshRemote({
      nodes: ['n1'],
      addresses,
      privateKeyPath,
      knownHostsPath: knownHosts,
      agent: '',
    });
    const err = await strict.exec('n1', ['true']).catch((e: unknown) => e);
    await strict.close();
    expect(err).toBeInstanceOf(HostKeyError);
    expect((err as Error).message).toMatch(/unknown host key ssh-ed25519 SHA256:.*--accept-new-host-keys/);
    const accepting = new SshRemote({
      nodes: ['n1'],
      addresses,
      privateKeyPath,
      knownHostsPath: knownHosts,
      acceptNewHostKeys: true,
      agent: '',
    });
    expect((await accepting.exec('n1', ['hostname'])).stdout).toBe('n1\n');
    await accepting.close();
    expect(await readFile(knownHosts, 'utf8')).toMatch(/^10\.81\.0\.11 ssh-ed25519 AAAA/);
  });

  it('a changed host key is refused, even with --accept-new-host-keys, with a message saying what to do', async () => {
    const status = await ensembleStatus(NAME);
    const { privateKeyPath, knownHostsPath } = statePaths(status);
    const other = join(scratch, 'other_key');
    await rm(other, { force: true });
    const { execFileSync } = await import('node:child_process');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const otherKey = (await readFile(`${other}.pub`, 'utf8')).split(' ')[1];
    const changed = join(scratch, 'known_hosts_changed');
    const original = await readFile(knownHostsPath, 'utf8');
    await writeFile(
      changed,
      original.replace(/^(10\.81\.0\.11,n1 ssh-ed25519 )\S+/m, (_, prefix: string) => `${prefix}${otherKey}`),
    );
    for (const acceptNewHostKeys of [false, true]) {
      const r = new SshRemote({
        nodes: ['n1'],
        addresses: { n1: '10.81.0.11' },
        privateKeyPath,
        knownHostsPath: changed,
        acceptNewHostKeys,
        agent: '',
      });
      const err = await r.exec('n1', ['true']).catch((e: unknown) => e);
      await r.close();
      expect(err).toBeInstanceOf(HostKeyError);
      const message = (err as Error).message;
      expect(message).toContain('HOST KEY CHANGED');
      expect(message).toContain(`ssh-keygen -R '10.81.0.11' -f ${changed}`);
      expect(message).toMatch(/delete line 1\b/);
      expect(message).toContain('--accept-new-host-keys');
    }
  });

  it('a wrong client key is refused with an authentication error', async () => {
    const other = join(scratch, 'other_key');
    const { knownHostsPath } = statePaths(await ensembleStatus(NAME));
    const r = new SshRemote({
      nodes: ['n1'],
      addresses: { n1: '10.81.0.11' },
      privateKeyPath: other,
      knownHostsPath,
      agent: '',
    });
    const err = await r.exec('n1', ['true']).catch((e: unknown) => e);
    await r.close();
    expect(err).toBeInstanceOf(RemoteConnectError);
    expect((err as Error).message).toMatch(/n1: SSH authentication as root failed/);
  });

  it('authenticates through an ssh-agent when no key file is given', async () => {
    const { spawn, execFileSync } = await import('node:child_process');
    const { privateKeyPath, knownHostsPath } = statePaths(await ensembleStatus(NAME));
    const socket = join(scratch, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      for (
        let i = 0;
        i < 100 &&
        !(await readFile(socket).then(
          () => true,
          (e: NodeJS.ErrnoException) => e.code !== 'ENOENT',
        ));
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      execFileSync('ssh-add', ['-q', privateKeyPath], {
        env: { ...process.env, SSH_AUTH_SOCK: socket },
        stdio: 'ignore',
      });
      const viaAgent = new SshRemote({
        nodes: ['n2'],
        addresses: { n2: '10.81.0.12' },
        knownHostsPath,
        agent: socket,
      });
      expect((await viaAgent.exec('n2', ['hostname'])).stdout).toBe('n2\n');
      await viaAgent.close();
    } finally {
      agent.kill('SIGTERM');
    }
  });
});
