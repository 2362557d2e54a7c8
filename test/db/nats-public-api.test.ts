/**
 * The NATS adapter is written as a user would write one: against faultline's public API only.
 * Every name it imports from faultline itself must be one that a public entry point (src/index.ts,
 * the `faultline/*` subpaths in src/public/) exports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const NATS_DIR = join(ROOT, 'src/db/nats');

/** Every name the public entry points export (values and types): src/index.ts and the subpaths. */
function publicNames(): Set<string> {
  const entries = ['src/index.ts', ...readdirSync(join(ROOT, 'src/public')).map((f) => `src/public/${f}`)];
  const text = entries.map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
  const names = new Set<string>();
  for (const block of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of block[1]!.split(',')) {
      const name = part
        .replace(/^\s*type\s+/, '')
        .split(/\s+as\s+/)
        .at(-1)!
        .trim();
      if (name) names.add(name);
    }
  }
  return names;
}

/** `[module, name]` for every name imported from a relative module outside src/db/nats. */
function faultlineImports(file: string): [string, string][] {
  const text = readFileSync(file, 'utf8');
  const found: [string, string][] = [];
  for (const m of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
    const from = m[2]!;
    if (!from.startsWith('.') || from.startsWith('./')) continue;
    for (const part of m[1]!.split(',')) {
      const name = part
        .replace(/^\s*type\s+/, '')
        .split(/\s+as\s+/)[0]!
        .trim();
      if (name) found.push([from, name]);
    }
  }
  return found;
}

describe('the NATS adapter uses only the public API', () => {
  it('imports from faultline only names the public entry points export', () => {
    const exported = publicNames();
    expect(exported.has('DaemonDb')).toBe(true);
    // The check can fail: internal helpers are not public.
    expect(exported.has('parseOptions')).toBe(false);
    const files = readdirSync(NATS_DIR).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(2);
    const outside = files.flatMap((f) =>
      faultlineImports(join(NATS_DIR, f))
        .filter(([, name]) => !exported.has(name))
        .map(([from, name]) => `${f}: ${name} from ${from}`),
    );
    expect(outside).toEqual([]);
  });
});
