/**
 * Watches: watchers of a key are told of its changes, in order, and end up where the key is.
 *
 * Op shapes (the `watch` workload's):
 * - `write` (`key`), invoke `value: v` (unique per key); `ok` with `{ value, version }`, the
 *   version (etcd mod revision, ZooKeeper znode version) the write made, or null.
 * - `watch` (`key`), `ok` with `{ mode, seen }`: what the watcher saw during the op, in order;
 *   each `{ via, version, value, ms }` (`ms` after the invocation), `via` one of `start` (a
 *   fresh beginning), `event` (a streamed change), `arm` (a read registering a one-shot watch),
 *   `notified` (a one-shot watch fired; no version), `poll` (a plain read).
 * - `catch-up` (`key`), `ok` with `{ mode, read, seen }`: after the heal, the watcher's own
 *   linearizable `read` `{ version, value }`, then what it saw until it reached that version.
 * A watcher is one process on one key.
 *
 * Promises checked:
 * - `stream` mode (etcd): from each `start` on, a watcher sees every change of the key in
 *   revision order, none twice: a version known to exist (acknowledged by a write, or seen by
 *   anyone) between its start and its last event that it did not see is `missed`; a version
 *   equal to the previous is `duplicated`; a lower one is `reordered`.
 * - `one-shot` mode (ZooKeeper): versions never go backwards on a session (`reordered`); a
 *   watcher armed at version v sees the watch fire before any read shows a version above v
 *   (else the change was `missed`); a watch fires once per registration (else `duplicated`).
 * - Both: a value seen at a version must be what was written there (`phantom`: never written
 *   to the key, or another write acknowledged at that version); watchers agree on each
 *   version's value (`disagreement`); each watcher that caught up ends at the key's final
 *   version and value (`not-converged`), within `convergeWithinS` of the last fault (when
 *   given; else `slow-convergence`). Each watcher's lag is reported.
 */
import type { History, Op } from '../src/history/index.js';
import type { Checker, CheckResult, CommonCheckOptions } from './result.js';
import { plural, verdictWord } from './values.js';

export type WatchAnomalyType =
  | 'missed'
  | 'duplicated'
  | 'reordered'
  | 'phantom'
  | 'disagreement'
  | 'not-converged'
  | 'slow-convergence';

/** One broken promise, with the `op.index` of the ops it rests on. */
export interface WatchAnomaly {
  type: WatchAnomalyType;
  key: unknown;
  /** The watcher's process (absent for anomalies between writes). */
  process?: number | 'nemesis';
  version?: number;
  ops: number[];
  detail: string;
}

/** How long a watcher took to see the key's final value. */
export interface WatcherLag {
  key: unknown;
  process: number | 'nemesis';
  /** ms from the last fault (or the final write, if later) until it saw the final version; null: never. */
  lagMs: number | null;
  /** The version it ended at, and the key's final version. */
  lastVersion: number | null;
  finalVersion: number;
}

/** What `watch` found. */
export interface WatchResult extends CheckResult {
  keyCount: number;
  watcherCount: number;
  writeCount: number;
  acknowledgedWriteCount: number;
  /** Observations with a version (events, arms, polls, starts). */
  observationCount: number;
  anomalyCount: number;
  anomalyTypes: Partial<Record<WatchAnomalyType, number>>;
  /** The first 100 anomalies. */
  anomalies: WatchAnomaly[];
  /** One per watcher that caught up after the heal. */
  lags: WatcherLag[];
  maxLagMs: number | null;
  convergeWithinS?: number;
}

export interface WatchCheckOptions extends CommonCheckOptions {
  /** A bound, in seconds after the last fault (or final write), on every watcher's lag. */
  convergeWithinS?: number;
}

type Via = 'start' | 'event' | 'arm' | 'poll' | 'notified';

/** One observation, placed in the history. */
interface Seen {
  via: Via;
  version: number | undefined;
  value: number | null;
  /** `op.index` of the completion that reported it. */
  op: number;
  /** ns since the start of the test. */
  at: number;
}

interface Watcher {
  key: unknown;
  process: number | 'nemesis';
  mode: 'stream' | 'one-shot';
  seen: Seen[];
  final?: { version: number; value: number | null; op: number };
}

/** Where a version's value is known from. */
interface Known {
  value: number | null;
  op: number;
  at: number;
  acknowledged: boolean;
}

const SHOWN = 100;

/** Checks a `watch` history. O(n log n). */
export function checkWatch(history: History, options: WatchCheckOptions = {}): WatchResult {
  const written = new Map<unknown, Set<number>>();
  const known = new Map<unknown, Map<number, Known>>();
  const watchers = new Map<string, Watcher>();
  const anomalies: WatchAnomaly[] = [];
  let writes = 0;
  let acknowledged = 0;
  let observations = 0;
  let lastFault = 0;
  for (const op of history.ops) if (op.process === 'nemesis' && op.time > lastFault) lastFault = op.time;
  const knownOf = (key: unknown): Map<number, Known> => {
    let m = known.get(key);
    if (!m) {
      m = new Map();
      known.set(key, m);
    }
    return m;
  };

  for (const { invoke, completion, type } of history.pairs()) {
    const key = invoke.key;
    if (invoke.f === 'write') {
      writes++;
      let values = written.get(key);
      if (!values) {
        values = new Set();
        written.set(key, values);
      }
      if (typeof invoke.value === 'number') values.add(invoke.value);
      const version = numberField(completion?.value, 'version');
      if (type === 'ok' && completion) {
        acknowledged++;
        if (version !== undefined && typeof invoke.value === 'number') {
          knownOf(key).set(version, {
            value: invoke.value,
            op: completion.index,
            at: completion.time,
            acknowledged: true,
          });
        }
      }
      continue;
    }
    if ((invoke.f !== 'watch' && invoke.f !== 'catch-up') || type !== 'ok' || !completion) continue;
    const batch = completion.value as { mode?: unknown; seen?: unknown; read?: unknown } | null;
    if (!batch || !Array.isArray(batch.seen)) continue;
    const id = `${String(invoke.process)}\u0000${JSON.stringify(key)}`;
    let w = watchers.get(id);
    if (!w) {
      w = { key, process: invoke.process, mode: batch.mode === 'one-shot' ? 'one-shot' : 'stream', seen: [] };
      watchers.set(id, w);
    }
    for (const raw of batch.seen as unknown[]) {
      const s = seenOf(raw, invoke, completion);
      if (s) w.seen.push(s);
    }
    if (invoke.f === 'catch-up') {
      const version = numberField(batch.read, 'version');
      if (version !== undefined) {
        w.final = { version, value: numberOrNull(batch.read, 'value'), op: completion.index };
      }
    }
  }

  // Every version anyone saw is known; a second value for it is a phantom or a disagreement.
  const report = (a: WatchAnomaly): void => {
    anomalies.push(a);
  };
  for (const w of watchers.values()) {
    const versions = knownOf(w.key);
    const values = written.get(w.key) ?? new Set<number>();
    const flagged = new Set<number>();
    for (const s of w.seen) {
      if (s.version === undefined) continue;
      observations++;
      if (s.value !== null && !values.has(s.value) && !flagged.has(s.version)) {
        flagged.add(s.version);
        report({
          type: 'phantom',
          key: w.key,
          process: w.process,
          version: s.version,
          ops: [s.op],
          detail: `saw value ${s.value} at version ${s.version}, which no write of this key wrote`,
        });
        continue;
      }
      const k = versions.get(s.version);
      if (!k) versions.set(s.version, { value: s.value, op: s.op, at: s.at, acknowledged: false });
      else if (k.value !== s.value && !flagged.has(s.version)) {
        flagged.add(s.version);
        report({
          type: k.acknowledged ? 'phantom' : 'disagreement',
          key: w.key,
          process: w.process,
          version: s.version,
          ops: [k.op, s.op],
          detail: k.acknowledged
            ? `saw value ${s.value} at version ${s.version}, where the write of ${k.value} was acknowledged`
            : `saw value ${s.value} at version ${s.version}, where another watcher saw ${k.value}`,
        });
      } else if (s.at < k.at) k.at = s.at;
    }
  }
  for (const w of watchers.values()) {
    if (w.mode === 'stream') checkStream(w, knownOf(w.key), report);
    else checkOneShot(w, report);
  }

  // The key's final state: the highest version a catch-up read returned.
  const finals = new Map<unknown, { version: number; value: number | null }>();
  for (const w of watchers.values()) {
    if (!w.final) continue;
    const f = finals.get(w.key);
    if (!f || w.final.version > f.version) finals.set(w.key, w.final);
  }
  const lags: WatcherLag[] = [];
  for (const w of watchers.values()) {
    const fin = finals.get(w.key);
    if (!w.final || !fin) continue;
    // Where the watcher ended: the highest version it saw (a late, reordered event is reported apart).
    let last: Seen | undefined;
    for (const s of w.seen) if (s.version !== undefined && (!last || s.version > last.version!)) last = s;
    const withVersion = w.seen.filter((s) => s.version !== undefined);
    const reached = withVersion.find((s) => s.version === fin.version);
    const since = Math.max(lastFault, knownOf(w.key).get(fin.version)?.at ?? 0);
    const lagMs = reached ? Math.max(0, (reached.at - since) / 1e6) : null;
    lags.push({
      key: w.key,
      process: w.process,
      lagMs,
      lastVersion: last?.version ?? null,
      finalVersion: fin.version,
    });
    if (!last || last.version !== fin.version || last.value !== fin.value) {
      report({
        type: 'not-converged',
        key: w.key,
        process: w.process,
        version: fin.version,
        ops: last ? [last.op, w.final.op] : [w.final.op],
        detail: `ended at ${last ? `version ${last.version} (${last.value})` : 'nothing'}; the key's final version is ${fin.version} (${fin.value})`,
      });
    } else if (
      options.convergeWithinS !== undefined &&
      lagMs !== null &&
      lagMs > options.convergeWithinS * 1000
    ) {
      report({
        type: 'slow-convergence',
        key: w.key,
        process: w.process,
        version: fin.version,
        ops: [reached!.op],
        detail: `saw the final version ${Math.round(lagMs)} ms after the last fault, more than ${options.convergeWithinS} s`,
      });
    }
  }

  const anomalyTypes: Partial<Record<WatchAnomalyType, number>> = {};
  for (const a of anomalies) anomalyTypes[a.type] = (anomalyTypes[a.type] ?? 0) + 1;
  const caughtUp = lags.length > 0;
  const reason =
    anomalies.length > 0
      ? undefined
      : observations === 0
        ? 'no watcher saw anything'
        : !caughtUp
          ? 'no watcher caught up with a final read after the heal'
          : undefined;
  const lagValues = lags.map((l) => l.lagMs).filter((l): l is number => l !== null);
  return {
    valid: anomalies.length > 0 ? false : reason ? 'unknown' : true,
    ...(reason ? { reason } : {}),
    keyCount: new Set([...watchers.values()].map((w) => JSON.stringify(w.key))).size,
    watcherCount: watchers.size,
    writeCount: writes,
    acknowledgedWriteCount: acknowledged,
    observationCount: observations,
    anomalyCount: anomalies.length,
    anomalyTypes,
    anomalies: anomalies.slice(0, SHOWN),
    lags,
    maxLagMs: lagValues.length ? Math.max(...lagValues) : null,
    ...(options.convergeWithinS !== undefined ? { convergeWithinS: options.convergeWithinS } : {}),
  };
}

/** A stream must deliver every known change after its start, in order, once. */
function checkStream(w: Watcher, versions: Map<number, Known>, report: (a: WatchAnomaly) => void): void {
  const sorted = [...versions.keys()].sort((a, b) => a - b);
  let lower: number | undefined;
  let last: Seen | undefined;
  let got = new Set<number>();
  const closeSegment = (): void => {
    if (lower === undefined || !last || last.version === undefined) return;
    const upper = last.version;
    for (const v of sorted) {
      if (v <= lower || v > upper || got.has(v)) continue;
      const after = w.seen.find((s) => s.via === 'event' && s.version !== undefined && s.version > v);
      report({
        type: 'missed',
        key: w.key,
        process: w.process,
        version: v,
        ops: [versions.get(v)!.op, ...(after ? [after.op] : [])],
        detail: `never saw version ${v} (${versions.get(v)!.value}), though it watched from ${lower} to ${upper}`,
      });
    }
  };
  for (const s of w.seen) {
    if (s.version === undefined) continue;
    if (s.via === 'start') {
      closeSegment();
      lower = s.version;
      last = s;
      got = new Set();
      continue;
    }
    if (s.via !== 'event') continue;
    if (lower === undefined) lower = s.version - 1;
    if (last && last.version !== undefined && s.version <= last.version) {
      const same = s.version === last.version;
      report({
        type: same ? 'duplicated' : 'reordered',
        key: w.key,
        process: w.process,
        version: s.version,
        ops: [last.op, s.op],
        detail: same
          ? `saw version ${s.version} twice`
          : `saw version ${s.version} after version ${last.version}`,
      });
      // Delivered late is still delivered: not also missed.
      got.add(s.version);
      continue;
    }
    got.add(s.version);
    last = s;
  }
  closeSegment();
}

/** One-shot watches: no going back, a fire before any newer state, one fire per registration. */
function checkOneShot(w: Watcher, report: (a: WatchAnomaly) => void): void {
  let armed: Seen | undefined;
  let notified: Seen | undefined;
  let last: Seen | undefined;
  let missedReported = false;
  for (const s of w.seen) {
    if (s.via === 'notified') {
      if (notified || !armed) {
        report({
          type: 'duplicated',
          key: w.key,
          process: w.process,
          ops: notified ? [notified.op, s.op] : [s.op],
          detail: notified ? 'a one-shot watch fired twice' : 'a watch fired while none was registered',
        });
      }
      notified = s;
      continue;
    }
    if (s.version === undefined) continue;
    if (s.via === 'start') {
      armed = s;
      notified = undefined;
      last = s;
      missedReported = false;
      continue;
    }
    if (last && last.version !== undefined && s.version < last.version) {
      report({
        type: 'reordered',
        key: w.key,
        process: w.process,
        version: s.version,
        ops: [last.op, s.op],
        detail: `read version ${s.version} after version ${last.version} on one session`,
      });
    } else if (
      armed &&
      armed.version !== undefined &&
      !notified &&
      s.version > armed.version &&
      !missedReported
    ) {
      missedReported = true;
      report({
        type: 'missed',
        key: w.key,
        process: w.process,
        version: s.version,
        ops: [armed.op, s.op],
        detail: `watching from version ${armed.version}, read version ${s.version} (${s.via}) before the watch fired`,
      });
    }
    if (!last || last.version === undefined || s.version >= last.version) last = s;
    if (s.via === 'arm') {
      armed = s;
      notified = undefined;
      missedReported = false;
    }
  }
}

function seenOf(raw: unknown, invoke: Op, completion: Op): Seen | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const via = r.via;
  if (via !== 'start' && via !== 'event' && via !== 'arm' && via !== 'poll' && via !== 'notified')
    return undefined;
  const ms = typeof r.ms === 'number' ? r.ms : 0;
  const at = Math.min(completion.time, invoke.time + Math.max(0, ms) * 1e6);
  const version = typeof r.version === 'number' ? r.version : undefined;
  if (via !== 'notified' && version === undefined) return undefined;
  return { via, version, value: typeof r.value === 'number' ? r.value : null, op: completion.index, at };
}

function numberField(value: unknown, name: string): number | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = (value as Record<string, unknown>)[name];
  return typeof v === 'number' ? v : undefined;
}

function numberOrNull(value: unknown, name: string): number | null {
  return numberField(value, name) ?? null;
}

/** `--checker watch`. */
export const watchChecker: Checker<WatchCheckOptions> = {
  name: 'watch',
  description: 'watches: no missed, duplicated, reordered or phantom events; watchers converge',
  check: (history, options) => checkWatch(history, options),
  explain(result) {
    const r = result as WatchResult;
    const types = Object.entries(r.anomalyTypes)
      .map(([t, n]) => `${n} ${t}`)
      .join(', ');
    const lines = [
      `${verdictWord(r.valid)}${r.reason ? `: ${r.reason}` : ''}: ${plural(r.watcherCount, 'watcher')} of ${plural(r.keyCount, 'key')}, ${r.observationCount} observations, ${r.acknowledgedWriteCount}/${r.writeCount} writes acknowledged; ${r.anomalyCount} ${r.anomalyCount === 1 ? 'anomaly' : 'anomalies'}${types ? ` (${types})` : ''}; longest lag ${r.maxLagMs === null ? 'n/a' : `${Math.round(r.maxLagMs)} ms`}.`,
    ];
    for (const a of r.anomalies.slice(0, 10)) {
      lines.push(
        `  ${a.type} key ${JSON.stringify(a.key)} process ${a.process ?? '-'}: ${a.detail} (ops ${a.ops.join(', ')})`,
      );
    }
    return lines.join('\n');
  },
};
