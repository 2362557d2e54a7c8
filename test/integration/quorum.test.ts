/**
 * `faultline quorum` end to end on a real local ensemble (its own, `flqut` on 10.118.0.0/24,
 * three nodes): the short form (sizes 3-4, a crash of one node and a 1|N-1 split) grows the
 * ensemble to four nodes for size 4 and shrinks it back, measures what theory predicts, and
 * stays valid; the negative control (etcd-islands: every node its own one-member cluster,
 * presented as one db) is writable on both sides of a 1|1 split and flagged split-brain.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listNetns } from '../../src/ensemble/host.js';
import { ensembleDown, ensembleUp } from '../../src/ensemble/index.js';
import { ensembleSize } from '../../src/ensemble/resize.js';
import { parseFaultFilter } from '../../src/quorum/matrix.js';
import { type QuorumOptions, runQuorum } from '../../src/quorum/run.js';
import { prerequisite } from '../support/prerequisites.js';

const ENSEMBLE = 'flqut';
const SUBNET = '10.118.0.0/24';

let results: string;

/** 16 s per case: the fault held 8 s, room for an election on a loaded 2-core machine (held 5 s, a 3|1 majority once had not elected in time). */
function options(db: string, sizes: number[], faults: string): QuorumOptions {
  return {
    db,
    sizes,
    sites: [],
    keep: parseFaultFilter(faults),
    caseS: 16,
    opTimeoutS: 3,
    seed: 7,
    nodeFlags: { ensemble: ENSEMBLE },
    resultsDir: results,
    out: () => {},
    log: () => {},
  };
}

describe.runIf(prerequisite('root (network namespaces, iptables)', process.getuid?.() === 0))(
  'faultline quorum',
  () => {
    beforeAll(async () => {
      results = await mkdtemp(join(tmpdir(), 'flqut-'));
      await ensembleUp({ name: ENSEMBLE, nodes: 3, subnet: SUBNET });
    }, 120_000);

    afterAll(async () => {
      await ensembleDown(ENSEMBLE);
      await rm(results, { recursive: true, force: true });
    }, 120_000);

    it('short form on etcd: sizes 3-4 match theory, the ensemble grows for size 4 and is left as found', async () => {
      const { summary, exitCode, dir } = await runQuorum(options('etcd', [3, 4], 'crash:1,split:1'));
      expect(summary.cases.map((c) => c.id)).toEqual([
        'n3-crash-1',
        'n3-split-1',
        'n4-crash-1',
        'n4-split-1',
      ]);
      expect(summary.sizes.map((s) => [s.size, s.quorum, s.tolerated, s.measuredTolerated])).toEqual([
        [3, 2, 1, 1],
        [4, 3, 1, 1],
      ]);
      // The majority side writes; the single node cut off does not (and tried).
      expect(summary.sizes.map((s) => s.splits.map((x) => [x.split, x.writableSides]))).toEqual([
        [['2|1', '2']],
        [['3|1', '3']],
      ]);
      for (const c of summary.cases) {
        expect(c.splitBrain).toBe(false);
        expect(c.linearizable).toBe(true);
        expect(existsSync(join(dir, c.run, 'report.html'))).toBe(true);
      }
      expect(summary.verdict).toBe('valid');
      expect(exitCode).toBe(0);
      const json = JSON.parse(await readFile(join(dir, 'quorum.json'), 'utf8')) as { sizes: unknown[] };
      expect(json.sizes).toHaveLength(2);
      expect(await readFile(join(dir, 'quorum.html'), 'utf8')).toContain('Quorum by ensemble size');
      // Size 4 needed a fourth node: it was added for the run and removed after.
      expect(await ensembleSize(ENSEMBLE)).toBe(3);
      expect(await listNetns()).not.toContain(`${ENSEMBLE}-n4`);
    }, 300_000);

    it('negative control: two one-member etcd clusters presented as one are writable on both sides, split-brain', async () => {
      const { summary, exitCode } = await runQuorum(options('etcd-islands', [2], 'split:1'));
      const [split] = summary.cases;
      expect(split?.sides.map((s) => s.writable)).toEqual(['yes', 'yes']);
      expect(split?.splitBrain).toBe(true);
      expect(split?.mismatch).toBe('writable-without-quorum');
      expect(split?.safety).toBe('invalid');
      expect(summary.findings.join('\n')).toMatch(/split-brain/);
      expect(exitCode).toBe(1);
    }, 180_000);
  },
);
