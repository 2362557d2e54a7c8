import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  addNodeOptions,
  type NodeFlags,
  nodesFromOptions,
  remoteFromOptions,
} from '../../src/cli/nodes-options.js';
import { ensembleLayout, parseSubnet } from '../../src/ensemble/layout.js';
import { InputError } from '../../src/errors.js';

function parse(argv: string[]): NodeFlags {
  const command = addNodeOptions(new Command('x').exitOverride());
  command.parse(argv, { from: 'user' });
  return command.opts<NodeFlags>();
}

describe('node options', () => {
  it('parses --nodes and defaults', () => {
    const flags = parse(['--nodes', 'a, b,c', '--ssh-port', '2222']);
    // No commander defaults: an absent flag must not override a plan's value.
    expect(flags.username).toBeUndefined();
    expect(flags.ensemble).toBeUndefined();
    expect(flags.sshPort).toBe('2222');
    return expect(nodesFromOptions(flags)).resolves.toEqual(['a', 'b', 'c']);
  });

  it('reads --nodes-file and locates bad lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fl-nodes-'));
    try {
      const file = join(dir, 'nodes');
      await writeFile(file, '# my vms\nvm1\n  vm2  # second\n\n');
      expect(await nodesFromOptions({ nodesFile: file })).toEqual(['vm1', 'vm2']);
      await writeFile(file, 'vm1\nvm2 vm3\n');
      const err = await nodesFromOptions({ nodesFile: file }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).location).toMatchObject({ file, line: 2, column: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects duplicates, both sources, bad ports', async () => {
    await expect(nodesFromOptions({ nodes: 'a,a' })).rejects.toThrow(/twice/);
    await expect(nodesFromOptions({ nodes: 'a', nodesFile: 'f' })).rejects.toThrow(/either/);
    await expect(remoteFromOptions({ nodes: 'a', sshPort: '70000' })).rejects.toBeInstanceOf(InputError);
    await expect(remoteFromOptions({ nodes: 'a', sshTimeout: '-1' })).rejects.toBeInstanceOf(InputError);
  });

  it('expands ~ in key paths, which plan files carry unexpanded', async () => {
    const err = await remoteFromOptions({ nodes: 'a', sshPrivateKey: '~/no-such-faultline-key' }).catch(
      (e: unknown) => e,
    );
    expect((err as NodeJS.ErrnoException).path).toBe(join(homedir(), 'no-such-faultline-key'));
  });

  it('builds an SSH remote for given nodes without connecting', async () => {
    const remote = await remoteFromOptions({ nodes: 'vm1,vm2', username: 'admin' });
    expect(remote.nodes).toEqual(['vm1', 'vm2']);
    expect(remote.address('vm2')).toBe('vm2');
    await remote.close();
  });
});

describe('ensemble layout', () => {
  it('numbers nodes from .11 and names interfaces within 15 bytes', () => {
    const layout = ensembleLayout('fldb', 5, '10.78.0.0/24', '/state');
    expect(layout.hostAddress).toBe('10.78.0.1');
    expect(layout.bridge).toBe('fldb-br');
    expect(layout.nodes.map((n) => [n.name, n.netns, n.address])).toEqual([
      ['n1', 'fldb-n1', '10.78.0.11'],
      ['n2', 'fldb-n2', '10.78.0.12'],
      ['n3', 'fldb-n3', '10.78.0.13'],
      ['n4', 'fldb-n4', '10.78.0.14'],
      ['n5', 'fldb-n5', '10.78.0.15'],
    ]);
    const long = ensembleLayout('abcdefgh', 99, '10.0.0.0/16', '/state');
    for (const n of long.nodes) expect(Buffer.byteLength(n.hostVeth)).toBeLessThanOrEqual(15);
    expect(layout.nodes[0]?.dir).toBe('/state/fldb/nodes/n1');
  });

  it('rejects bad names, subnets and sizes with the field named', () => {
    expect(() => ensembleLayout('Fl', 3, '10.77.0.0/24')).toThrow(/name/);
    expect(() => ensembleLayout('toolongname', 3, '10.77.0.0/24')).toThrow(InputError);
    expect(() => ensembleLayout('fl', 3, '10.77.0.0')).toThrow(/CIDR/);
    expect(() => ensembleLayout('fl', 10, '10.77.0.0/28')).toThrow(/too small/);
    expect(() => ensembleLayout('fl', 0, '10.77.0.0/24')).toThrow(/--nodes/);
    expect(parseSubnet('10.77.0.99/24').network).toBe(parseSubnet('10.77.0.0/24').network);
  });
});
