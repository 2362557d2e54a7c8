/**
 * A reader and appender for OpenSSH known_hosts files: plain and hashed (`|1|salt|hash`) host
 * patterns, wildcards, negation, `[host]:port` names and `@revoked` markers.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One key line that matched a host name. */
export interface KnownHostKey {
  /** The key type written in the file, e.g. `ssh-ed25519`. */
  type: string;
  /** The public key blob (decoded base64). */
  key: Buffer;
  /** 1-based line number in the file. */
  line: number;
  revoked: boolean;
}

/** The name OpenSSH looks up in known_hosts: `host`, or `[host]:port` for a port other than 22. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type written at the start of an SSH public key blob. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** OpenSSH's fingerprint format: `SHA256:` and unpadded base64. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

interface Entry {
  patterns: string;
  type: string;
  key: Buffer;
  line: number;
  revoked: boolean;
}

/** The parsed contents of one known_hosts file. */
export class KnownHosts {
  readonly path: string;
  private readonly entries: Entry[];

  private constructor(path: string, entries: Entry[]) {
    this.path = path;
    this.entries = entries;
  }

  /** Reads the file; a missing file is an empty one. */
  static async load(path: string): Promise<KnownHosts> {
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return KnownHosts.parse(path, text);
  }

  static parse(path: string, text: string): KnownHosts {
    const entries: Entry[] = [];
    text.split('\n').forEach((raw, index) => {
      const fields = raw.trim().split(/\s+/);
      if (fields[0] === '' || fields[0]?.startsWith('#')) return;
      let marker: string | undefined;
      if (fields[0]?.startsWith('@')) marker = fields.shift();
      // @cert-authority lines name CAs, not host keys: certificates are not supported here.
      if (marker === '@cert-authority' || fields.length < 3) return;
      const [patterns, type, base64] = fields as [string, string, string];
      entries.push({
        patterns,
        type,
        key: Buffer.from(base64, 'base64'),
        line: index + 1,
        revoked: marker === '@revoked',
      });
    });
    return new KnownHosts(path, entries);
  }

  /** The keys recorded for a host name (as made by {@link knownHostName}). */
  lookup(hostName: string): KnownHostKey[] {
    return this.entries
      .filter((e) => matchesPatterns(e.patterns, hostName))
      .map(({ type, key, line, revoked }) => ({ type, key, line, revoked }));
  }
}

/** Appends a key line for `hostName` (creating the file and its folder, private to the user). */
export async function appendKnownHost(path: string, hostName: string, key: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await appendFile(path, `${hostName} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}

function matchesPatterns(patterns: string, hostName: string): boolean {
  if (patterns.startsWith('|1|')) return matchesHashed(patterns, hostName);
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    if (wildcardMatch(negated ? pattern.slice(1) : pattern, hostName)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function matchesHashed(pattern: string, hostName: string): boolean {
  const [, , salt, hash] = pattern.split('|');
  if (!salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(hostName).digest('base64');
  return digest === hash;
}

function wildcardMatch(pattern: string, text: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(text);
}
