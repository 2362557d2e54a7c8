/**
 * The quorum matrix: which faults `faultline quorum` runs for each ensemble size and site
 * layout, and what majority-quorum theory predicts for each. Pure: no I/O.
 */
import { InputError } from '../errors.js';

/** A fault of one case. Nodes are named at run time (crash and split pick the leader first). */
export type QuorumFault =
  /** `count` nodes killed (-9) and kept down while the fault holds; the leader is among them. */
  | { kind: 'crash'; count: number }
  /** The network cut into `minority` | N − minority nodes; the leader is on the minority side. */
  | { kind: 'split'; minority: number }
  /** Every node of site `site` (0-based) killed. */
  | { kind: 'site-loss'; site: number }
  /** The network cut between the sites. */
  | { kind: 'site-split' };

/** One case: an ensemble of `size` nodes (laid out in `sites`, if any) under one fault. */
export interface QuorumCase {
  /** Short and unique within a run, e.g. `n5-crash-2`, `n4-2:2-site-1-loss`. */
  id: string;
  size: number;
  /** Nodes per site, in node order (n1… fill site 1 first); absent: no site layout. */
  sites?: number[];
  fault: QuorumFault;
}

/** Majority-quorum theory for N nodes. */
export interface QuorumTheory {
  size: number;
  /** ⌊N/2⌋ + 1. */
  quorum: number;
  /** ⌊(N − 1)/2⌋. */
  tolerated: number;
}

export function theory(size: number): QuorumTheory {
  const quorum = Math.floor(size / 2) + 1;
  return { size, quorum, tolerated: size - quorum };
}

/** What theory says a side of `members` live, connected nodes of an N-node ensemble does. */
export function expectWritable(size: number, members: number): boolean {
  return members >= theory(size).quorum;
}

/** `3`, `1-5`, `1,3,5` or `1-3,7` → sorted distinct sizes (1…15). */
export function parseSizes(text: string): number[] {
  const sizes = new Set<number>();
  for (const part of text.split(',').map((s) => s.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    const from = Number(m?.[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!m || from < 1 || to < from || to > 15) {
      throw new InputError(`--sizes expects sizes 1-15 such as 1-5 or 3,5; got ${JSON.stringify(text)}`, {
        field: '--sizes',
      });
    }
    for (let n = from; n <= to; n++) sizes.add(n);
  }
  return [...sizes].sort((a, b) => a - b);
}

/** `2:2` (two sites of two nodes), `3:2`, `2:2:1`; several layouts comma-separated. */
export function parseSites(text: string): number[][] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((spec) => {
      const parts = spec.split(':').map(Number);
      if (parts.length < 2 || parts.some((p) => !Number.isInteger(p) || p < 1) || sum(parts) > 15) {
        throw new InputError(
          `--sites expects layouts such as 2:2, 3:2 or 2:2:1 (two or more sites, 15 nodes at most); got ${JSON.stringify(spec)}`,
          { field: '--sites' },
        );
      }
      return parts;
    });
}

/** Which faults to run: `crash`, `split`, `sites` (whole families) or `crash:2`, `split:1` (one each). */
export type FaultFilter = (fault: QuorumFault) => boolean;

export function parseFaultFilter(text: string | undefined): FaultFilter {
  if (text === undefined) return () => true;
  const wanted = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const w of wanted) {
    if (!/^(crash|split)(:\d+)?$|^sites$/.test(w)) {
      throw new InputError(
        `--faults expects crash, split, sites, crash:<f> or split:<k>; got ${JSON.stringify(w)}`,
        {
          field: '--faults',
        },
      );
    }
  }
  return (fault) =>
    wanted.some((w) => {
      if (w === 'sites') return fault.kind === 'site-loss' || fault.kind === 'site-split';
      const [family, n] = w.split(':');
      if (fault.kind === 'crash' && family === 'crash') return n === undefined || Number(n) === fault.count;
      if (fault.kind === 'split' && family === 'split')
        return n === undefined || Number(n) === fault.minority;
      return false;
    });
}

/**
 * Every case: per size N, crashes of f = 0…N nodes and every split k | N − k (k = 1…⌊N/2⌋);
 * per site layout, the loss of each site and the cut between the sites.
 */
export function buildMatrix(
  sizes: readonly number[],
  layouts: readonly number[][],
  keep: FaultFilter,
): QuorumCase[] {
  const cases: QuorumCase[] = [];
  for (const size of sizes) {
    for (let f = 0; f <= size; f++)
      cases.push({ id: `n${size}-crash-${f}`, size, fault: { kind: 'crash', count: f } });
    for (let k = 1; k <= Math.floor(size / 2); k++)
      cases.push({ id: `n${size}-split-${k}`, size, fault: { kind: 'split', minority: k } });
  }
  for (const sites of layouts) {
    const size = sum(sites);
    const name = sites.join(':');
    for (let site = 0; site < sites.length; site++) {
      cases.push({
        id: `n${size}-${name}-site-${site + 1}-loss`,
        size,
        sites,
        fault: { kind: 'site-loss', site },
      });
    }
    cases.push({ id: `n${size}-${name}-site-split`, size, sites, fault: { kind: 'site-split' } });
  }
  return cases.filter((c) => keep(c.fault));
}

/** The nodes of each site, from the ensemble's nodes in order. */
export function siteNodes(sites: readonly number[], nodes: readonly string[]): string[][] {
  let at = 0;
  return sites.map((count) => {
    const members = nodes.slice(at, at + count);
    at += count;
    return members;
  });
}

/** A layout's name as people write it: `2+2+1`. */
export function layoutName(sites: readonly number[]): string {
  return sites.join('+');
}

/** A fault in words, e.g. `2 of 5 crashed`, `split 1 | 4`. */
export function describeFault(c: QuorumCase): string {
  const f = c.fault;
  switch (f.kind) {
    case 'crash':
      return f.count === 0 ? 'no fault' : `${f.count} of ${c.size} crashed`;
    case 'split':
      return `split ${f.minority} | ${c.size - f.minority}`;
    case 'site-loss':
      return `loss of site ${f.site + 1} (${c.sites?.[f.site]} node${c.sites?.[f.site] === 1 ? '' : 's'})`;
    case 'site-split':
      return `partition between sites ${c.sites?.join(' | ')}`;
  }
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
