/**
 * Elle's list-append test assertions (jepsen-io/elle, test/elle/list_append_test.clj) as
 * data: the history, Elle's options and Elle's answer. Where faultline answers otherwise,
 * `faultline` says what and why (see checkers/elle/README.md).
 */
import type { Op } from '../../../src/history/index.js';
import type { ElleCase, Event } from './notation.js';

const w = 'list-append' as const;
const none = { consistencyModels: [] as string[] };
const only = (...anomalies: string[]) => ({ consistencyModels: [] as string[], anomalies });
const models = (...consistencyModels: string[]) => ({ consistencyModels });

// checker-test fixtures
const g0 = {
  concurrent: [
    ['ok', 'ax1ay1'],
    ['ok', 'ax2ay2'],
    ['ok', 'rx12ry21'],
  ],
} as const;
const g1a = {
  concurrent: [
    ['fail', 'ax1'],
    ['ok', 'rx1'],
  ],
} as const;
const g1b = {
  serial: [
    [0, 'ax1ax2'],
    [0, 'rx1'],
  ],
} as const;
const g1c = {
  concurrent: [
    ['ok', 'ax1ry1'],
    ['ok', 'ax2ay1'],
    ['ok', 'rx12ry1'],
  ],
} as const;
const gSingle = {
  concurrent: [
    ['ok', 'ax1ay1'],
    ['ok', 'ax2ry'],
    ['ok', 'rx12'],
  ],
} as const;
const g2 = {
  concurrent: [
    ['ok', 'ax1ry'],
    ['ok', 'ay1rx'],
  ],
} as const;
const strongSI: Event[] = [
  [0, 'invoke', 'ax1'],
  [0, 'ok', 'ax1'],
  [1, 'invoke', 'ax2'],
  [1, 'ok', 'ax2'],
  [2, 'invoke', 'rx'],
  [2, 'ok', 'rx1'],
  [3, 'invoke', 'rx'],
  [3, 'ok', 'rx12'],
];
const strongSessionSI: Event[] = strongSI.map(([p, t, s], i) => [
  i === 4 || i === 5 ? 1 : p === 3 ? 2 : p,
  t,
  s,
]);
const nonadjacentProcess: Event[] = [
  [0, 'invoke', 'rxrz'],
  [0, 'ok', 'rxrz1'],
  [1, 'invoke', 'ax1'],
  [1, 'ok', 'ax1'],
  [1, 'invoke', 'rz'],
  [1, 'ok', 'rz'],
  [2, 'invoke', 'az1'],
  [2, 'ok', 'az1'],
];
const rr = {
  concurrent: [
    ['ok', 'rxay1'],
    ['ok', 'ryax1'],
  ],
} as const;

type Concurrent = readonly (readonly ['ok' | 'fail' | 'info', string])[];
const c = (layout: { concurrent: Concurrent }) => ({
  concurrent: layout.concurrent.map(([k, s]) => [k, s] as ['ok' | 'fail' | 'info', string]),
});
const s = (layout: { serial: readonly (readonly [number, string])[] }) => ({
  serial: layout.serial.map(([p, t]) => [p, t] as [number, string]),
});

/**
 * Elle's unfindable-g-single: one G-single (a ring of 1000 appends whose last transaction
 * misses the first one's append) hidden among ~29,000 transactions of G2-item noise, so the
 * search gives up and only the components prove snapshot isolation is violated.
 */
function unfindableGSingle(): Op[] {
  const n = 1000;
  const noise = 30;
  const txns: [string, unknown, unknown][][] = [];
  for (let i = 0; i < n; i++) {
    const second: [string, unknown, unknown] =
      i === 0 ? ['append', 'anti', 'first'] : i === n - 1 ? ['r', 'anti', null] : ['append', i, 0];
    txns.push([['append', 'ring', i], second]);
  }
  txns.push([['r', 'ring', Array.from({ length: n }, (_, i) => i)]]);
  for (let i = 1; i < n - 1; i++) {
    for (let j = 1; j < noise; j++) {
      if (j === noise - 2) {
        txns.push([
          ['r', i, Array.from({ length: noise - 2 }, (_, x) => x)],
          ['r', `anti-${i}`, null],
        ]);
      } else if (j === noise - 1) {
        txns.push([
          ['append', `anti-${i}`, 0],
          ['r', 'ring', null],
        ]);
      } else txns.push([['append', i, j]]);
    }
  }
  const ops: Op[] = [];
  for (const t of txns) {
    const invoke = t.map(([f, k, v]) => [f, k, f === 'r' ? null : v]);
    ops.push({ index: ops.length, time: ops.length, type: 'invoke', process: 0, f: 'txn', value: invoke });
    ops.push({ index: ops.length, time: ops.length, type: 'ok', process: 0, f: 'txn', value: t });
  }
  return ops;
}

export const LIST_APPEND_CASES: ElleCase[] = [
  // checker-test "G0"
  {
    name: 'checker-test G0, anomalies G0',
    workload: w,
    history: c(g0),
    options: only('G0'),
    elle: { valid: false, 'anomaly-types': ['G0'], not: ['read-uncommitted'] },
  },
  {
    name: 'checker-test G0, anomalies G1',
    workload: w,
    history: c(g0),
    options: only('G1'),
    elle: { valid: false, 'anomaly-types': ['G0'], not: ['read-uncommitted'] },
  },
  {
    name: 'checker-test G0, anomalies G2',
    workload: w,
    history: c(g0),
    options: only('G2'),
    elle: { valid: true },
  },
  // "G1a"
  {
    name: 'checker-test G1a, read-uncommitted',
    workload: w,
    history: c(g1a),
    options: models('read-uncommitted'),
    elle: { valid: 'unknown', 'anomaly-types': ['empty-transaction-graph'], not: ['read-committed'] },
  },
  {
    name: 'checker-test G1a, read-committed',
    workload: w,
    history: c(g1a),
    options: models('read-committed'),
    elle: { valid: false, 'anomaly-types': ['G1a', 'empty-transaction-graph'], not: ['read-committed'] },
  },
  {
    name: 'checker-test G1a, anomalies G2',
    workload: w,
    history: c(g1a),
    options: only('G2'),
    elle: { valid: 'unknown', 'anomaly-types': ['empty-transaction-graph'], not: ['read-committed'] },
  },
  {
    name: 'checker-test G1a, repeatable-read',
    workload: w,
    history: c(g1a),
    options: models('repeatable-read'),
    elle: { valid: false, 'anomaly-types': ['G1a', 'empty-transaction-graph'], not: ['read-committed'] },
  },
  // "G1b"
  {
    name: 'checker-test G1b, anomalies G0',
    workload: w,
    history: s(g1b),
    options: only('G0'),
    elle: { valid: true },
  },
  {
    name: 'checker-test G1b, anomalies G1',
    workload: w,
    history: s(g1b),
    options: only('G1'),
    elle: { valid: false, 'anomaly-types': ['G1b'], not: ['read-committed'] },
  },
  {
    name: 'checker-test G1b, anomalies G2',
    workload: w,
    history: s(g1b),
    options: only('G2'),
    elle: { valid: false, 'anomaly-types': ['G-single-item'], not: ['read-committed'] },
  },
  {
    name: 'checker-test G1b, strict-serializable',
    workload: w,
    history: s(g1b),
    options: models('strict-serializable'),
    elle: { valid: false, 'anomaly-types': ['G-single-item', 'G1b'], not: ['read-committed'] },
  },
  // "G1c"
  {
    name: 'checker-test G1c, anomalies G0',
    workload: w,
    history: c(g1c),
    options: only('G0'),
    elle: { valid: true },
  },
  {
    name: 'checker-test G1c, anomalies G1',
    workload: w,
    history: c(g1c),
    options: only('G1'),
    elle: { valid: false, 'anomaly-types': ['G1c'], not: ['read-committed'] },
  },
  {
    name: 'checker-test G1c, anomalies G2',
    workload: w,
    history: c(g1c),
    options: only('G2'),
    elle: { valid: true },
  },
  // "G-single"
  {
    name: 'checker-test G-single, anomalies G0',
    workload: w,
    history: c(gSingle),
    options: only('G0'),
    elle: { valid: true },
  },
  {
    name: 'checker-test G-single, anomalies G1',
    workload: w,
    history: c(gSingle),
    options: only('G1'),
    elle: { valid: true },
  },
  {
    name: 'checker-test G-single, anomalies G-single',
    workload: w,
    history: c(gSingle),
    options: only('G-single'),
    elle: { valid: false, 'anomaly-types': ['G-single-item'], not: ['consistent-view', 'repeatable-read'] },
  },
  {
    name: 'checker-test G-single, anomalies G2',
    workload: w,
    history: c(gSingle),
    options: only('G2'),
    elle: { valid: false, 'anomaly-types': ['G-single-item'], not: ['consistent-view', 'repeatable-read'] },
  },
  // "G2"
  {
    name: 'checker-test G2, anomalies G0',
    workload: w,
    history: c(g2),
    options: only('G0'),
    elle: { valid: true },
  },
  {
    name: 'checker-test G2, anomalies G1',
    workload: w,
    history: c(g2),
    options: only('G1'),
    elle: { valid: true },
  },
  {
    name: 'checker-test G2, read-committed',
    workload: w,
    history: c(g2),
    options: models('read-committed'),
    elle: { valid: true },
  },
  {
    name: 'checker-test G2, anomalies G2',
    workload: w,
    history: c(g2),
    options: only('G2'),
    elle: { valid: false, 'anomaly-types': ['G2-item'], not: ['repeatable-read'] },
  },
  {
    name: 'checker-test G2, serializable',
    workload: w,
    history: c(g2),
    options: models('serializable'),
    elle: { valid: false, 'anomaly-types': ['G2-item'], not: ['repeatable-read'] },
  },
  {
    name: 'checker-test G2, repeatable-read',
    workload: w,
    history: c(g2),
    options: models('repeatable-read'),
    elle: { valid: false, 'anomaly-types': ['G2-item'], not: ['repeatable-read'] },
  },
  // "Strong SI violation"
  {
    name: 'checker-test strong SI, anomalies G2',
    workload: w,
    history: { events: strongSI },
    options: only('G2'),
    elle: { valid: true },
  },
  {
    name: 'checker-test strong SI, serializable',
    workload: w,
    history: { events: strongSI },
    options: models('serializable'),
    elle: { valid: true },
  },
  {
    name: 'checker-test strong SI, strict-serializable',
    workload: w,
    history: { events: strongSI },
    options: models('strict-serializable'),
    elle: { valid: false, 'anomaly-types': ['G-single-item-realtime'], not: ['strong-snapshot-isolation'] },
  },
  // "Strong Session SI violation"
  {
    name: 'checker-test strong session SI, serializable',
    workload: w,
    history: { events: strongSessionSI },
    options: models('serializable'),
    elle: { valid: true },
  },
  {
    name: 'checker-test strong session SI, strong-session-snapshot-isolation',
    workload: w,
    history: { events: strongSessionSI },
    options: models('strong-session-snapshot-isolation'),
    elle: {
      valid: false,
      'anomaly-types': ['G-single-item-process'],
      not: ['strong-session-snapshot-isolation'],
    },
  },
  // "G-nonadjacent-process"
  {
    name: 'checker-test G-nonadjacent-process, serializable',
    workload: w,
    history: { events: nonadjacentProcess },
    options: models('serializable'),
    elle: { valid: true },
  },
  {
    name: 'checker-test G-nonadjacent-process, strong-session-snapshot-isolation',
    workload: w,
    history: { events: nonadjacentProcess },
    options: models('strong-session-snapshot-isolation'),
    elle: {
      valid: false,
      'anomaly-types': ['G-nonadjacent-item-process'],
      not: ['strong-session-snapshot-isolation'],
    },
  },
  // "contradictory read orders"
  {
    name: 'checker-test contradictory read orders',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'ax1ry1'],
        ['ok', 'ax2'],
        ['ok', 'ax3ay1'],
        ['ok', 'rx13'],
        ['ok', 'rx123'],
      ],
    },
    options: only('G1'),
    elle: { valid: false, 'anomaly-types': ['G1c', 'incompatible-order'], not: ['read-committed'] },
  },
  // "dirty update"
  {
    name: 'checker-test dirty update none',
    workload: w,
    history: { concurrent: [['fail', 'ax1']] },
    options: only('dirty-update'),
    elle: { valid: 'unknown', 'anomaly-types': ['empty-transaction-graph'], not: [] },
  },
  {
    name: 'checker-test dirty update direct',
    workload: w,
    history: {
      concurrent: [
        ['fail', 'ax1'],
        ['ok', 'ax2'],
        ['ok', 'rx12'],
      ],
    },
    options: only('dirty-update'),
    elle: { valid: false, 'anomaly-types': ['dirty-update'], not: ['read-committed'] },
  },
  {
    name: 'checker-test dirty update indirect',
    workload: w,
    history: {
      concurrent: [
        ['fail', 'ax1'],
        ['info', 'ax2'],
        ['ok', 'ax3'],
        ['ok', 'rx123'],
      ],
    },
    options: only('dirty-update'),
    elle: { valid: false, 'anomaly-types': ['dirty-update'], not: ['read-committed'] },
  },
  // "duplicated elements"
  {
    name: 'checker-test duplicated elements',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'ax1ry1'],
        ['ok', 'ax2ay1'],
        ['ok', 'rx121'],
      ],
    },
    options: models('read-committed'),
    elle: { valid: false, 'anomaly-types': ['G1c', 'duplicate-elements'], not: ['read-uncommitted'] },
  },
  // "internal consistency violation"
  {
    name: 'checker-test internal consistency violation',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'ax1ax2ax4'],
        ['ok', 'ax3rx1234'],
      ],
    },
    options: only('internal'),
    elle: { valid: false, 'anomaly-types': ['internal'], not: ['read-uncommitted'] },
  },
  // unobserved-write-test
  {
    name: 'unobserved-write-test',
    workload: w,
    history: {
      events: [
        [0, 'invoke', 'ax1ay1'],
        [1, 'invoke', 'ax2ay2'],
        [2, 'invoke', 'ax3ay3'],
        [3, 'invoke', 'rx12'],
        [4, 'invoke', 'ry2'],
        [0, 'ok', 'ax1ay1'],
        [1, 'ok', 'ax2ay2'],
        [2, 'ok', 'ax3ay3'],
        [3, 'ok', 'rx12'],
        [4, 'ok', 'ry2'],
      ],
    },
    options: models('serializable'),
    elle: { valid: false, 'anomaly-types': ['G-single-item', 'G0'], not: ['read-uncommitted'] },
  },
  // repeatable-read-test
  {
    name: 'repeatable-read-test, read-committed',
    workload: w,
    history: c(rr),
    options: models('read-committed'),
    elle: { valid: true },
  },
  {
    name: 'repeatable-read-test, repeatable-read',
    workload: w,
    history: c(rr),
    options: models('repeatable-read'),
    elle: { valid: false, 'anomaly-types': ['G2-item'], not: ['repeatable-read'] },
  },
  // G-nonadjacent-test
  {
    name: 'G-nonadjacent-test',
    workload: w,
    history: {
      serial: [
        [0, 'ax1'],
        [0, 'rx1ry'],
        [0, 'ay1'],
        [0, 'ry1rx'],
      ],
    },
    options: {},
    elle: {
      valid: false,
      'anomaly-types': ['G-nonadjacent-item'],
      not: ['repeatable-read', 'snapshot-isolation'],
    },
  },
  {
    name: 'G-nonadjacent-test, adjacent rw edges',
    workload: w,
    history: {
      serial: [
        [0, 'rx5ay1'],
        [0, 'ryaz2'],
        [0, 'rzat3'],
        [0, 'rt3au4'],
        [0, 'ruax5'],
      ],
    },
    options: models('snapshot-isolation'),
    elle: { valid: true },
  },
  // lost-update-test
  {
    name: 'lost-update-test',
    workload: w,
    history: {
      serial: [
        [0, 'ax0'],
        [0, 'rx0ax1'],
        [0, 'rx0ax2'],
      ],
    },
    options: {},
    elle: {
      valid: false,
      'anomaly-types': ['G2-item', 'lost-update'],
      not: ['cursor-stability', 'update-atomic'],
    },
  },
  {
    name: 'lost-update-test, one txn double write',
    workload: w,
    history: {
      serial: [
        [0, 'rxax1ax2'],
        [0, 'rx12'],
      ],
    },
    options: {},
    elle: { valid: true },
  },
  // wr-process-test
  {
    name: 'wr-process-test',
    workload: w,
    history: {
      events: [
        [1, 'invoke', 'rxay1'],
        [1, 'ok', 'rx1ay1'],
        [2, 'invoke', 'ry'],
        [2, 'ok', 'ry1'],
        [2, 'invoke', 'ax1'],
        [2, 'ok', 'ax1'],
      ],
    },
    options: models('strong-session-snapshot-isolation'),
    elle: { valid: false, 'anomaly-types': ['G1c-process'], not: ['strong-session-read-committed'] },
  },
  // rr-g-single-item-test, rr-g-nonadjacent-item-test
  {
    name: 'rr-g-single-item-test',
    workload: w,
    history: {
      serial: [
        [0, 'ax1ay1'],
        [0, 'rx1ry'],
      ],
    },
    options: models('repeatable-read'),
    elle: { valid: false, 'anomaly-types': ['G-single-item'], not: ['consistent-view', 'repeatable-read'] },
  },
  {
    name: 'rr-g-nonadjacent-item-test',
    workload: w,
    history: {
      serial: [
        [0, 'ax1at1'],
        [0, 'rx1ry'],
        [0, 'ay1az2'],
        [0, 'rz2rt'],
      ],
    },
    options: models('repeatable-read'),
    elle: {
      valid: false,
      'anomaly-types': ['G-nonadjacent-item'],
      not: ['repeatable-read', 'snapshot-isolation'],
    },
  },
  // future-read-test
  {
    name: 'future-read-test',
    workload: w,
    history: {
      events: [
        [0, 'invoke', 'rx1ax1'],
        [0, 'ok', 'rx1ax1'],
      ],
    },
    options: models('read-committed'),
    elle: {
      valid: false,
      'anomaly-types': ['empty-transaction-graph', 'future-read'],
      not: ['read-committed'],
    },
  },

  // unfindable-g-single
  {
    name: 'unfindable-g-single',
    workload: w,
    history: { ops: unfindableGSingle },
    options: models('snapshot-isolation'),
    elle: {
      valid: false,
      'anomaly-types': ['PL-SI-cycle-exists', 'cycle-search-timeout'],
      not: ['repeatable-read', 'snapshot-isolation'],
    },
  },

  // Analyses Elle tests on their own (g1a-cases, g1b-cases, internal-cases): the anomaly each finds.
  {
    name: 'g1a-cases-test valid and invalid reads',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'rx1ax2'],
        ['ok', 'rx12ry3'],
        ['fail', 'ax1'],
      ],
    },
    options: none,
    elle: { found: ['G1a'] },
  },
  {
    name: 'g1b-cases-test valid and invalid reads',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'rx1'],
        ['ok', 'rx12ry3'],
        ['ok', 'ax1ax2'],
        ['ok', 'rx123'],
      ],
    },
    options: none,
    elle: { found: ['G1b'] },
  },
  {
    name: 'g1b-cases-test internal reads',
    workload: w,
    history: { concurrent: [['ok', 'ax1rx1ax2']] },
    options: none,
    elle: { absent: ['G1b'] },
  },
  {
    name: 'internal-cases-test good',
    workload: w,
    history: { concurrent: [['ok', 'ry56ax3rx123ax4rx1234']] },
    options: none,
    elle: { absent: ['internal', 'future-read'] },
  },
  {
    name: 'internal-cases-test read nil, then something',
    workload: w,
    history: { serial: [[0, 'rxrx2']] },
    options: none,
    elle: { found: ['internal'] },
  },
  {
    name: 'internal-cases-test stale read after append',
    workload: w,
    history: { concurrent: [['ok', 'rx12ax3rx12']] },
    options: none,
    elle: { found: ['internal'] },
  },
  {
    name: 'internal-cases-test bad prefix',
    workload: w,
    history: { concurrent: [['ok', 'rx12ax3rx023']] },
    options: none,
    elle: { found: ['internal'] },
  },
  {
    name: 'internal-cases-test extension',
    workload: w,
    history: { concurrent: [['ok', 'rx12ax3rx1234']] },
    options: none,
    elle: { found: ['internal'] },
  },
  {
    name: 'internal-cases-test short read',
    workload: w,
    history: { concurrent: [['ok', 'rx12ax3rx1']] },
    options: none,
    elle: { found: ['internal'] },
  },
  {
    name: 'internal-cases-test append-read disagreement',
    workload: w,
    history: { concurrent: [['ok', 'ax3rx1234']] },
    options: none,
    elle: { found: ['internal'] },
  },
  {
    name: 'internal-cases-test append-read short read',
    workload: w,
    history: { concurrent: [['ok', 'ax3rx']] },
    options: none,
    elle: { found: ['internal'] },
  },
  {
    name: 'internal-cases-test future read external',
    workload: w,
    history: { serial: [[0, 'rx012ax1']] },
    options: none,
    elle: { found: ['future-read'], absent: ['internal'] },
  },
  {
    name: 'internal-cases-test future read internal',
    workload: w,
    history: { serial: [[0, 'ax1rx01ax0ax3']] },
    options: none,
    elle: { found: ['future-read'], absent: ['internal'] },
  },
];
