/**
 * File faults: stop a node, damage the tail of one of its data files (WAL, snapshot,
 * transaction log: whatever `db.dataFiles` lists), start it again. `truncate-file` cuts
 * `bytes` off the end; `bitflip-file` flips `flips` random bits within the last `window`
 * bytes. Offsets come from the seeded randomness and are recorded, so a run can be replayed.
 */
import type { Invocation } from '../src/client/types.js';
import { hasDataFiles, requireCapability } from '../src/db/types.js';
import { InputError } from '../src/errors.js';
import { resolveTargets } from './kill.js';
import type { Nemesis, NemesisContext, NemesisFamily, NemesisOutcome } from './types.js';

/** Truncates file $1 to $2 bytes. */
export const TRUNCATE_SCRIPT = `set -e
truncate -s "$2" "$1"
stat -c %s "$1"
`;

/** Flips bit $3 of the byte at offset $2 of file $1, in place. */
export const BITFLIP_SCRIPT = `set -e
b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
nb=$(( b ^ (1 << $3) ))
printf "\\\\$(printf %03o "$nb")" | dd of="$1" bs=1 seek="$2" count=1 conv=notrunc status=none
echo "$b->$nb"
`;

/** One damaged file. */
export interface FileDamage {
  node: string;
  file: string;
  sizeBefore: number;
  /** For truncate: the new size. */
  truncatedTo?: number;
  /** For bitflip: [offset, bit] pairs. */
  flips?: [number, number][];
}

/** Picks the file: the one matching `pattern` (a substring), else the last listed (the newest by convention). */
export function pickFile(
  files: readonly string[],
  pattern: string | undefined,
  random: () => number,
): string | undefined {
  const matching = pattern ? files.filter((f) => f.includes(pattern)) : [...files];
  if (matching.length === 0) return undefined;
  return pattern ? matching[Math.floor(random() * matching.length)] : matching[matching.length - 1];
}

/** Builds the file nemesis (`truncate-file`, `bitflip-file`). */
export function fileNemesis(): Nemesis {
  const stopped = new Set<string>();

  async function damage(ctx: NemesisContext, op: Invocation): Promise<NemesisOutcome> {
    const v = (op.value !== null && typeof op.value === 'object' ? op.value : {}) as Record<string, unknown>;
    const db = requireCapability(ctx.db, 'kill', 'the file nemesis');
    if (!hasDataFiles(db)) return { value: null, error: `${db.name} lists no data files` };
    const pattern = typeof v.file === 'string' ? v.file : undefined;
    const bytes = typeof v.bytes === 'number' ? Math.max(1, Math.round(v.bytes)) : 64;
    const flips = typeof v.flips === 'number' ? Math.max(1, Math.round(v.flips)) : 8;
    const window = typeof v.window === 'number' ? Math.max(1, Math.round(v.window)) : 4096;
    const { spec, nodes } = await resolveTargets(ctx, op, 'one');
    const damages: FileDamage[] = [];
    for (const node of nodes) {
      const files = await db.dataFiles(ctx.dbContext, node);
      const file = pickFile(files, pattern, ctx.random);
      if (!file) {
        damages.push({ node, file: '', sizeBefore: 0 });
        continue;
      }
      stopped.add(node);
      await db.kill(ctx.dbContext, node);
      const size = Number.parseInt(
        (await ctx.remote.exec(node, ['stat', '-c', '%s', file])).stdout.trim(),
        10,
      );
      if (!Number.isInteger(size))
        throw new InputError(`cannot stat ${file} on ${node}`, { field: 'value.file' });
      const d: FileDamage = { node, file, sizeBefore: size };
      if (op.f === 'truncate-file') {
        d.truncatedTo = Math.max(0, size - bytes);
        await ctx.remote.script(node, TRUNCATE_SCRIPT, [file, String(d.truncatedTo)]);
      } else if (size > 0) {
        d.flips = [];
        for (let i = 0; i < flips; i++) {
          const offset = size - 1 - Math.floor(ctx.random() * Math.min(size, window));
          const bit = Math.floor(ctx.random() * 8);
          d.flips.push([offset, bit]);
          await ctx.remote.script(node, BITFLIP_SCRIPT, [file, String(offset), String(bit)]);
        }
      }
      damages.push(d);
      await db.start(ctx.dbContext, node);
      stopped.delete(node);
    }
    return { value: { targets: spec, damages, mechanism: `${ctx.db.name} kill, ${op.f}, start` } };
  }

  async function heal(ctx: NemesisContext): Promise<void> {
    const db = requireCapability(ctx.db, 'kill', 'the file nemesis');
    await Promise.all([...stopped].map((node) => db.start(ctx.dbContext, node)));
    stopped.clear();
  }

  return {
    name: 'file',
    fs: ['truncate-file', 'bitflip-file'],
    async setup() {},
    async invoke(ctx, op) {
      if (op.f === 'truncate-file' || op.f === 'bitflip-file') return damage(ctx, op);
      return { value: null, error: `file nemesis cannot ${op.f}` };
    },
    heal,
    teardown: heal,
  };
}

/** File damage: kill the db, truncate or flip bits of a data file, start it. Instant, no stop. */
export const fileFamily: NemesisFamily = {
  name: 'file',
  description: 'truncate or bit-flip a data file of the db on one node',
  requires: ['kill', 'dataFiles'],
  inAll: true,
  effects: { 'truncate-file': 'instant', 'bitflip-file': 'instant' },
  style: { label: 'file', fill: 'rgba(107,114,128,0.15)', text: '#374151' },
  schedule: () => ({
    startOps: [
      { f: 'truncate-file', value: { targets: 'one' } },
      { f: 'bitflip-file', value: { targets: 'one' } },
    ],
    finalOps: [],
  }),
  create: fileNemesis,
};
