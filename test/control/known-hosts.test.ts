import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appendKnownHost,
  fingerprint,
  KnownHosts,
  keyTypeOf,
  knownHostName,
} from '../../src/control/known-hosts.js';

/** A syntactically valid ssh-ed25519 public key blob (type string + 32 key bytes). */
function ed25519Blob(): Buffer {
  const type = Buffer.from('ssh-ed25519');
  const key = randomBytes(32);
  const out = Buffer.alloc(4 + type.length + 4 + key.length);
  out.writeUInt32BE(type.length, 0);
  type.copy(out, 4);
  out.writeUInt32BE(key.length, 4 + type.length);
  key.copy(out, 8 + type.length);
  return out;
}

function hashed(host: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(host).digest('base64')}`;
}

describe('known_hosts', () => {
  const a = ed25519Blob();
  const b = ed25519Blob();
  const text = [
    '# comment',
    `10.0.0.1,n1 ssh-ed25519 ${a.toString('base64')}`,
    `[10.0.0.2]:2222 ssh-ed25519 ${b.toString('base64')} user@host`,
    `${hashed('vm3.example')} ssh-ed25519 ${a.toString('base64')}`,
    `*.lab,!bad.lab ssh-ed25519 ${b.toString('base64')}`,
    `@revoked n9 ssh-ed25519 ${b.toString('base64')}`,
    `@cert-authority *.ca ssh-ed25519 ${a.toString('base64')}`,
  ].join('\n');
  const kh = KnownHosts.parse('/x/known_hosts', text);

  it('finds plain, port-qualified, hashed and wildcard entries with their line numbers', () => {
    expect(kh.lookup('n1').map((k) => [k.line, k.key.equals(a)])).toEqual([[2, true]]);
    expect(kh.lookup('10.0.0.1')).toHaveLength(1);
    expect(kh.lookup(knownHostName('10.0.0.2', 2222))[0]?.key.equals(b)).toBe(true);
    expect(kh.lookup(knownHostName('10.0.0.2', 22))).toEqual([]);
    expect(kh.lookup('vm3.example')[0]?.line).toBe(4);
    expect(kh.lookup('vm4.example')).toEqual([]);
    expect(kh.lookup('x.lab')).toHaveLength(1);
    expect(kh.lookup('bad.lab')).toEqual([]);
    expect(kh.lookup('n9')[0]?.revoked).toBe(true);
    expect(kh.lookup('y.ca')).toEqual([]);
  });

  it('names keys as OpenSSH does', () => {
    expect(keyTypeOf(a)).toBe('ssh-ed25519');
    expect(fingerprint(a)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('appends a line that reads back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fl-kh-'));
    try {
      const path = join(dir, 'sub', 'known_hosts');
      await appendKnownHost(path, knownHostName('h', 2200), a);
      expect(await readFile(path, 'utf8')).toBe(`[h]:2200 ssh-ed25519 ${a.toString('base64')}\n`);
      expect((await KnownHosts.load(path)).lookup('[h]:2200')[0]?.key.equals(a)).toBe(true);
      expect((await KnownHosts.load(join(dir, 'missing'))).lookup('h')).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
