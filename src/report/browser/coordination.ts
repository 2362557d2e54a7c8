/**
 * Evidence of the coordination checkers: `watch` (its anomalies, and each watcher's lag to
 * the final value after the last fault) and `sequence` (numbers handed out twice or out of
 * real-time order, and gaps). Results are recognised by shape, as in checkers.ts.
 */
import { add, type Child, fmt, h, show, table } from './dom.js';
import { opLink, opList } from './links.js';

interface WatchAnomalyView {
  type: string;
  key: unknown;
  process?: unknown;
  version?: number;
  ops: number[];
  detail: string;
}

interface WatcherLagView {
  key: unknown;
  process: unknown;
  lagMs: number | null;
  lastVersion: number | null;
  finalVersion: number;
}

/** The fields of a `watch` result the page reads. */
export interface WatchView {
  watcherCount: number;
  observationCount: number;
  anomalyCount: number;
  anomalies: WatchAnomalyView[];
  lags: WatcherLagView[];
  maxLagMs: number | null;
  convergeWithinS?: number;
}

interface NumberedView {
  number: number;
  process: unknown;
  invoke: number;
  ok: number;
}

/** The fields of a `sequence` result the page reads. */
export interface SequenceView {
  acknowledgedCount: number;
  duplicatedCount: number;
  duplicated: { number: number; creates: NumberedView[] }[];
  outOfOrderCount: number;
  outOfOrder: { before: NumberedView; after: NumberedView }[];
  gapCount: number;
  gaps: [number, number][];
  failedCount: number;
  indefiniteCount: number;
}

export function isWatchResult(r: object): r is WatchView {
  return 'lags' in r && Array.isArray(r.lags) && 'anomalies' in r && Array.isArray(r.anomalies);
}

export function isSequenceResult(r: object): r is SequenceView {
  return 'outOfOrder' in r && Array.isArray(r.outOfOrder) && 'gaps' in r;
}

export function watchLine(r: WatchView): string {
  const lag = r.maxLagMs === null ? '' : `, longest lag ${fmt(r.maxLagMs)} ms`;
  return `${r.anomalyCount} anomalies in ${r.observationCount} observations by ${r.watcherCount} watchers${lag}`;
}

export function sequenceLine(r: SequenceView): string {
  return `${r.duplicatedCount} duplicated, ${r.outOfOrderCount} out of order of ${r.acknowledgedCount} numbers; ${r.gapCount} gaps`;
}

export function renderWatch(r: WatchView): HTMLDivElement {
  const box = h('div');
  if (r.anomalies.length) {
    box.appendChild(h('h3', '', `Anomalies (${r.anomalyCount})`));
    box.appendChild(
      table(
        ['anomaly', 'key', 'watcher', 'version', 'ops', ''],
        r.anomalies
          .slice(0, 100)
          .map((a) => [
            a.type,
            show(a.key),
            show(a.process ?? ''),
            show(a.version ?? ''),
            opList(a.ops),
            a.detail,
          ]),
      ),
    );
  }
  if (r.lags.length) {
    const bound = r.convergeWithinS === undefined ? '' : ` (bound: ${r.convergeWithinS} s)`;
    box.appendChild(h('h3', '', `Each watcher's lag to the final value after the last fault${bound}`));
    box.appendChild(
      table(
        ['key', 'watcher', 'lag ms', 'ended at version', 'final version'],
        [...r.lags]
          .sort((a, b) => (b.lagMs ?? Number.POSITIVE_INFINITY) - (a.lagMs ?? Number.POSITIVE_INFINITY))
          .map((l): Child[] => [
            show(l.key),
            `p${show(l.process)}`,
            l.lagMs === null ? 'never' : fmt(l.lagMs),
            show(l.lastVersion ?? '\u2013'),
            show(l.finalVersion),
          ]),
        [false, false, true, true, true],
      ),
    );
  }
  return box;
}

export function renderSequence(r: SequenceView): HTMLDivElement {
  const box = h('div');
  const create = (c: NumberedView): Child =>
    add(h('span'), `${c.number} by p${show(c.process)} `, opLink(c.ok));
  if (r.duplicated.length) {
    box.appendChild(h('h3', '', `Numbers handed out twice (${r.duplicatedCount})`));
    box.appendChild(
      table(
        ['number', 'creates'],
        r.duplicated.slice(0, 50).map((d) => [show(d.number), opList(d.creates.map((c) => c.ok))]),
      ),
    );
  }
  if (r.outOfOrder.length) {
    box.appendChild(h('h3', '', `Numbered below a create that completed before (${r.outOfOrderCount})`));
    box.appendChild(
      table(
        ['earlier create', 'later create'],
        r.outOfOrder.slice(0, 50).map((o) => [create(o.before), create(o.after)]),
      ),
    );
  }
  if (r.gaps.length) {
    const ranges = r.gaps.map(([a, b]) => (a === b ? `${a}` : `${a}\u2013${b}`)).join(', ');
    box.appendChild(
      h(
        'p',
        'explain',
        `Gaps (${r.gapCount} numbers; ${r.failedCount} failed and ${r.indefiniteCount} indefinite creates): ${ranges}`,
      ),
    );
  }
  return box;
}
