/**
 * The quorum run's findings (quorum.json): per case, theory beside measurement and a safety
 * verdict; per size, the table operators know by heart, measured; per site layout, a plain
 * sentence. Pure: outcomes in, report out.
 */
import type { Validity } from '../../checkers/result.js';
import { describeFault, expectWritable, layoutName, type QuorumCase, theory } from './matrix.js';
import type { Writable } from './measure.js';
import type { CaseOutcome } from './run-case.js';

export type Verdict = 'valid' | 'invalid' | 'unknown';

export interface SideRow {
  nodes: string[];
  /** Theory: this side holds a quorum of live nodes. */
  expected: boolean;
  writable: Writable;
  attempted: number;
  acknowledged: number;
}

export interface CaseRow {
  id: string;
  size: number;
  sites?: number[];
  fault: string;
  kind: QuorumCase['fault']['kind'];
  down: string[];
  sides: SideRow[];
  /** Writes were acknowledged somewhere while the fault held (unknown when no side tried). */
  writable: Writable;
  /** A side wrote without a quorum, or stopped with one. */
  mismatch?: 'writable-without-quorum' | 'stopped-with-quorum';
  splitBrain: boolean;
  linearizable: Validity;
  safety: Verdict;
  /** Why the safety verdict is not valid, or why figures are missing. */
  notes: string[];
  electedAfterS?: number;
  firstWriteAfterFaultS?: number;
  firstWriteAfterHealS?: number;
  /** The case's run folder, relative to the quorum run folder. */
  run: string;
  durationS: number;
}

export interface SizeRow {
  size: number;
  quorum: number;
  tolerated: number;
  /** Largest f with writes still acknowledged (null: no crash case ran, or none decided). */
  measuredTolerated: number | null;
  /** Splits, e.g. `1|4`, with the side sizes that stayed writable, e.g. `4`. */
  splits: { split: string; writableSides: string; expected: string; splitBrain: boolean }[];
  /** s to a new leader after the leader was killed (crash of 1), when the rest kept a quorum. */
  electionS?: number;
  /** s to the first acknowledged write after the leader was killed (crash of 1). */
  firstWriteS?: number;
  /** The longest time, over the size's cases, to the first write after the heal. */
  recoveryS?: number;
  mismatches: number;
  safety: Verdict;
}

export interface LayoutRow {
  sites: number[];
  name: string;
  sentence: string;
  mismatches: number;
  safety: Verdict;
}

export interface QuorumSummary {
  verdict: Verdict;
  sizes: SizeRow[];
  layouts: LayoutRow[];
  cases: CaseRow[];
  findings: string[];
}

/** Turns outcomes into the findings; `runOf` gives a case folder relative to the quorum folder. */
export function summarize(outcomes: readonly CaseOutcome[], runOf: (dir: string) => string): QuorumSummary {
  const cases = outcomes.map((o) => caseRow(o, runOf(o.dir)));
  const sizes = [...new Set(cases.filter((c) => !c.sites).map((c) => c.size))]
    .sort((a, b) => a - b)
    .map((n) =>
      sizeRow(
        n,
        cases.filter((c) => c.size === n && !c.sites),
      ),
    );
  const layoutKeys = [...new Set(cases.filter((c) => c.sites).map((c) => c.sites!.join(':')))];
  const layouts = layoutKeys.map((key) => layoutRow(cases.filter((c) => c.sites?.join(':') === key)));
  const findings = cases.flatMap((c) => {
    const out: string[] = [];
    if (c.splitBrain)
      out.push(`${c.id} (${c.fault}): split-brain: more than one side acknowledged writes at the same time`);
    if (c.mismatch === 'writable-without-quorum')
      out.push(`${c.id} (${c.fault}): writes acknowledged without a quorum`);
    if (c.mismatch === 'stopped-with-quorum')
      out.push(`${c.id} (${c.fault}): writes stopped although a quorum was up`);
    if (c.linearizable === false) out.push(`${c.id} (${c.fault}): the register history is not linearizable`);
    return out;
  });
  return { verdict: worst(cases.map((c) => c.safety)), sizes, layouts, cases, findings };
}

function caseRow(o: CaseOutcome, run: string): CaseRow {
  const c = o.case;
  const m = o.measurement;
  const sides: SideRow[] = m.sides.map((s) => ({
    nodes: s.nodes,
    expected: expectWritable(c.size, s.nodes.length),
    writable: s.writable,
    attempted: s.attempted,
    acknowledged: s.acknowledged,
  }));
  const notes: string[] = [];
  if (o.error) notes.push(`the run ended early: ${o.error}`);
  if (m.problem) notes.push(m.problem);
  const wroteWithout = sides.some((s) => !s.expected && s.writable === 'yes');
  const stoppedWith = sides.some((s) => s.expected && s.writable === 'no');
  const undecided = sides.filter((s) => s.writable === 'unknown');
  if (undecided.length > 0)
    notes.push(`no write was tried on ${undecided.map((s) => s.nodes.join(',')).join(' and ')}`);
  if (o.linearizable === 'unknown') notes.push('linearizability undecided');
  const writable: Writable = sides.some((s) => s.writable === 'yes')
    ? 'yes'
    : m.problem || (sides.length > 0 && sides.every((s) => s.writable === 'unknown'))
      ? 'unknown'
      : 'no';
  const unsafe = m.splitBrain || wroteWithout || o.linearizable === false;
  const safety: Verdict = unsafe
    ? 'invalid'
    : o.linearizable === 'unknown' || m.problem || o.error
      ? 'unknown'
      : 'valid';
  return {
    id: c.id,
    size: c.size,
    ...(c.sites ? { sites: c.sites } : {}),
    fault: describeFault(c),
    kind: c.fault.kind,
    down: m.down,
    sides,
    writable,
    ...(wroteWithout
      ? { mismatch: 'writable-without-quorum' as const }
      : stoppedWith
        ? { mismatch: 'stopped-with-quorum' as const }
        : {}),
    splitBrain: m.splitBrain,
    linearizable: o.linearizable,
    safety,
    notes,
    ...(m.electedAfterS !== undefined ? { electedAfterS: m.electedAfterS } : {}),
    ...(m.firstWriteAfterFaultS !== undefined ? { firstWriteAfterFaultS: m.firstWriteAfterFaultS } : {}),
    ...(m.firstWriteAfterHealS !== undefined ? { firstWriteAfterHealS: m.firstWriteAfterHealS } : {}),
    run,
    durationS: o.durationS,
  };
}

function sizeRow(size: number, cases: readonly CaseRow[]): SizeRow {
  const t = theory(size);
  const crashes = cases.filter((c) => c.kind === 'crash');
  const writableCounts = crashes.filter((c) => c.writable === 'yes').map((c) => c.down.length);
  const splits = cases
    .filter((c) => c.kind === 'split')
    .map((c) => ({
      split: c.sides.map((s) => s.nodes.length).join('|'),
      writableSides: sideList(c.sides.filter((s) => s.writable === 'yes')),
      expected: sideList(c.sides.filter((s) => s.expected)),
      splitBrain: c.splitBrain,
    }));
  const leaderKilled = crashes.find((c) => c.down.length === 1);
  const recoveries = cases.map((c) => c.firstWriteAfterHealS).filter((x): x is number => x !== undefined);
  return {
    size,
    quorum: t.quorum,
    tolerated: t.tolerated,
    measuredTolerated: writableCounts.length > 0 ? Math.max(...writableCounts) : null,
    splits,
    ...(leaderKilled?.electedAfterS !== undefined ? { electionS: leaderKilled.electedAfterS } : {}),
    ...(leaderKilled?.firstWriteAfterFaultS !== undefined
      ? { firstWriteS: leaderKilled.firstWriteAfterFaultS }
      : {}),
    ...(recoveries.length > 0 ? { recoveryS: Math.max(...recoveries) } : {}),
    mismatches: cases.filter((c) => c.mismatch).length,
    safety: worst(cases.map((c) => c.safety)),
  };
}

function sideList(sides: readonly SideRow[]): string {
  return sides.length === 0 ? 'none' : sides.map((s) => String(s.nodes.length)).join(' and ');
}

/** "2+2: the loss of either site stops all writes"; "2+2+1: survives any one site". */
function layoutRow(cases: readonly CaseRow[]): LayoutRow {
  const sites = cases[0]!.sites!;
  const name = layoutName(sites);
  const losses = cases.filter((c) => c.kind === 'site-loss');
  const stops = losses.filter((c) => c.writable === 'no');
  const survives = losses.filter((c) => c.writable === 'yes');
  const parts: string[] = [];
  const siteOf = (c: CaseRow): string => c.id.replace(/^.*-site-(\d+)-loss$/, 'site $1');
  if (losses.length > 0) {
    const any = sites.length === 2 ? 'either' : 'any';
    if (stops.length === losses.length) parts.push(`the loss of ${any} site stops all writes`);
    else if (survives.length === losses.length) parts.push(`survives ${any} one site`);
    else {
      if (survives.length > 0) parts.push(`survives the loss of ${survives.map(siteOf).join(' or ')}`);
      if (stops.length > 0) parts.push(`the loss of ${stops.map(siteOf).join(' or ')} stops all writes`);
      const unknown = losses.length - stops.length - survives.length;
      if (unknown > 0) parts.push(`${unknown} site loss case(s) undecided`);
    }
  }
  const cut = cases.find((c) => c.kind === 'site-split');
  if (cut) {
    const writable = cut.sides.filter((s) => s.writable === 'yes');
    if (cut.writable === 'unknown') parts.push('a partition between the sites: undecided');
    else if (writable.length === 0) parts.push('a partition between the sites stops all writes');
    else
      parts.push(
        `a partition between the sites leaves ${writable.map((s) => s.nodes.join(',')).join(' and ')} writable` +
          (cut.splitBrain ? ' (split-brain)' : ''),
      );
  }
  return {
    sites,
    name,
    sentence: `${name}: ${parts.join('; ')}`,
    mismatches: cases.filter((c) => c.mismatch).length,
    safety: worst(cases.map((c) => c.safety)),
  };
}

/** Jepsen's precedence: invalid over unknown over valid; nothing at all is unknown. */
export function worst(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return 'unknown';
  if (verdicts.includes('invalid')) return 'invalid';
  return verdicts.includes('unknown') ? 'unknown' : 'valid';
}
