/**
 * Elle's rw-register test assertions (jepsen-io/elle, test/elle/rw_register_test.clj) as
 * data. Elle's rw-register infers no version order from writes-follow-reads unless asked
 * (`wfr-keys?`); faultline's default is on, so each case states it.
 */
import type { ElleCase } from './notation.js';

const w = 'rw-register' as const;
const base = { wfrKeys: false };
const only = (...anomalies: string[]) => ({ ...base, consistencyModels: [] as string[], anomalies });
const models = (...consistencyModels: string[]) => ({ ...base, consistencyModels });

const GARBAGE =
  'faultline also reports garbage-read (a value no transaction wrote), which Elle does not know; it implies G1a, so read-committed and everything above it is ruled out';

const g1c = {
  concurrent: [
    ['ok', 'wx1ry1'],
    ['ok', 'wy1rx1'],
  ] as ['ok', string][],
};
const g1b = {
  concurrent: [
    ['ok', 'wx1wx2'],
    ['ok', 'rx1'],
  ] as ['ok', string][],
};
const G1B =
  'a read of an intermediate version is still a read dependency (Adya): faultline adds T1 -wr-> T2, so the graph is not empty';

export const RW_REGISTER_CASES: ElleCase[] = [
  {
    name: "checker-test read doesn't return what was just written",
    workload: w,
    history: {
      serial: [
        [0, 'wx1'],
        [0, 'rx2'],
      ],
    },
    options: { ...models('strict-serializable'), linearizableKeys: true },
    elle: { valid: true },
    faultline: {
      valid: false,
      'anomaly-types': ['garbage-read'],
      why: "Elle's own test calls its valid answer a bug: x = 2 was never written. faultline reports garbage-read",
    },
  },
  {
    name: 'checker-test read read returns what was just written',
    workload: w,
    history: {
      serial: [
        [0, 'wx1'],
        [0, 'rx2'],
        [0, 'rx1'],
      ],
    },
    options: { ...models('strict-serializable'), linearizableKeys: true },
    elle: { valid: false, 'anomaly-types': ['cyclic-versions'], not: ['read-uncommitted'] },
    faultline: {
      valid: false,
      'anomaly-types': ['cyclic-versions', 'garbage-read'],
      not: ['read-uncommitted'],
      why: GARBAGE,
    },
  },
  {
    name: 'checker-test G0 without a version order',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'wx1wy2'],
        ['ok', 'wx2wy1'],
      ],
    },
    options: only('G0'),
    elle: { valid: 'unknown', 'anomaly-types': ['empty-transaction-graph'], not: [] },
  },
  {
    name: 'checker-test G0 with sequential keys',
    workload: w,
    history: {
      serial: [
        [0, 'wx1wy2'],
        [1, 'wx2wy1'],
        [0, 'rx2'],
        [1, 'ry2'],
      ],
    },
    options: { ...only('G0'), sequentialKeys: true },
    elle: { valid: false, 'anomaly-types': ['G0'], not: ['read-uncommitted'] },
  },
  {
    name: 'checker-test G1a',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'rx1'],
        ['fail', 'wx1'],
      ],
    },
    options: only('G1'),
    elle: { valid: false, 'anomaly-types': ['G1a', 'empty-transaction-graph'], not: ['read-committed'] },
  },
  {
    name: 'checker-test G1b, anomalies G0',
    workload: w,
    history: g1b,
    options: only('G0'),
    elle: { valid: 'unknown', 'anomaly-types': ['empty-transaction-graph'], not: ['read-committed'] },
    faultline: { valid: true, why: G1B },
  },
  {
    name: 'checker-test G1b, anomalies G1',
    workload: w,
    history: g1b,
    options: only('G1'),
    elle: { valid: false, 'anomaly-types': ['G1b', 'empty-transaction-graph'], not: ['read-committed'] },
    faultline: { valid: false, 'anomaly-types': ['G1b'], not: ['read-committed'], why: G1B },
  },
  {
    name: 'checker-test G1b, repeatable-read',
    workload: w,
    history: g1b,
    options: models('repeatable-read'),
    elle: { valid: false, 'anomaly-types': ['G1b', 'empty-transaction-graph'], not: ['read-committed'] },
    faultline: { valid: false, 'anomaly-types': ['G1b'], not: ['read-committed'], why: G1B },
  },
  {
    name: 'checker-test G-single without a transaction order',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'rx_wy2'],
        ['ok', 'wx3wy4'],
      ],
    },
    options: models('serializable'),
    elle: { valid: true },
  },
  {
    name: 'checker-test G-single with a transaction order',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'rx_wy2'],
        ['ok', 'wx3wy4'],
      ],
    },
    // Elle's map is by op index of the completions: here they are ops 2 and 3.
    options: { ...models('serializable'), transactionOrder: { 2: 2, 3: 1 } },
    elle: { valid: false, 'anomaly-types': ['G-single-item'], not: ['consistent-view', 'repeatable-read'] },
  },
  {
    name: 'checker-test G2-item without a transaction order',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'wx1wy2wz3'],
        ['ok', 'rx1wy5'],
        ['ok', 'rz3wx4'],
        ['ok', 'wz7wy8'],
      ],
    },
    options: models('serializable'),
    elle: { valid: true },
  },
  {
    name: 'checker-test G2-item with a transaction order',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'wx1wy2wz3'],
        ['ok', 'rx1wy5'],
        ['ok', 'rz3wx4'],
        ['ok', 'wz7wy8'],
      ],
    },
    options: { ...models('serializable'), transactionOrder: { 4: 1, 5: 4, 6: 2, 7: 3 } },
    elle: { valid: false, 'anomaly-types': ['G2-item'], not: ['repeatable-read'] },
  },
  {
    name: 'checker-test G1c, anomalies G0',
    workload: w,
    history: g1c,
    options: only('G0'),
    elle: { valid: true },
  },
  {
    name: 'checker-test G1c, read-uncommitted',
    workload: w,
    history: g1c,
    options: models('read-uncommitted'),
    elle: { valid: true },
  },
  {
    name: 'checker-test G1c, anomalies G1',
    workload: w,
    history: g1c,
    options: only('G1'),
    elle: { valid: false, 'anomaly-types': ['G1c'], not: ['read-committed'] },
  },
  {
    name: 'checker-test G1c, read-committed',
    workload: w,
    history: g1c,
    options: models('read-committed'),
    elle: { valid: false, 'anomaly-types': ['G1c'], not: ['read-committed'] },
  },
  {
    name: 'checker-test G1c, anomalies G2',
    workload: w,
    history: g1c,
    options: only('G2'),
    elle: { valid: true },
  },
  {
    name: 'checker-test G1c, serializable',
    workload: w,
    history: g1c,
    options: models('serializable'),
    elle: { valid: false, 'anomaly-types': ['G1c'], not: ['read-committed'] },
  },
  {
    name: 'checker-test G2-item, read-committed with linearizable keys',
    workload: w,
    history: {
      events: [
        [0, 'invoke', 'rxry'],
        [0, 'ok', 'rx1ry1'],
        [1, 'invoke', 'rxwy2'],
        [2, 'invoke', 'rywx2'],
        [2, 'ok', 'ry1wx2'],
        [1, 'ok', 'rx1wy2'],
      ],
    },
    options: { ...models('read-committed'), linearizableKeys: true },
    elle: { valid: true },
    faultline: {
      valid: false,
      'anomaly-types': ['garbage-read'],
      why: `${GARBAGE} (x = 1 and y = 1 were never written in this history)`,
    },
  },
  {
    name: 'checker-test internal',
    workload: w,
    history: { concurrent: [['ok', 'rx1rx2']] },
    options: only('internal'),
    elle: { valid: false, 'anomaly-types': ['empty-transaction-graph', 'internal'], not: ['read-atomic'] },
    faultline: {
      valid: false,
      'anomaly-types': ['empty-transaction-graph', 'internal'],
      not: ['read-committed'],
      why: `${GARBAGE}: x = 1 was never written, which rules out read-committed below read-atomic`,
    },
  },
  {
    name: 'checker-test initial state',
    workload: w,
    history: {
      events: [
        [0, 'invoke', 'rx_ry1'],
        [1, 'invoke', 'wy1wx2'],
        [1, 'ok', 'wy1wx2'],
        [0, 'ok', 'rx_ry1'],
      ],
    },
    options: models('serializable'),
    elle: { valid: false, 'anomaly-types': ['G-single-item'], not: ['consistent-view', 'repeatable-read'] },
  },
  {
    name: 'checker-test wfr off',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'ry1wx1wy2'],
        ['ok', 'rx1ry1'],
      ],
    },
    options: models('serializable'),
    elle: { valid: true },
    faultline: { valid: false, 'anomaly-types': ['garbage-read'], not: ['read-committed'], why: GARBAGE },
  },
  {
    name: 'checker-test wfr on',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'ry1wx1wy2'],
        ['ok', 'rx1ry1'],
      ],
    },
    options: { ...models('serializable'), wfrKeys: true },
    elle: { valid: false, 'anomaly-types': ['G-single-item'], not: ['consistent-view', 'repeatable-read'] },
    faultline: {
      valid: false,
      'anomaly-types': ['G-single-item', 'garbage-read'],
      not: ['read-committed'],
      why: GARBAGE,
    },
  },
  {
    name: 'checker-test cyclic version order',
    workload: w,
    history: {
      serial: [
        [0, 'wx1'],
        [0, 'wx2'],
        [0, 'rx1'],
      ],
    },
    options: { ...base, sequentialKeys: true },
    elle: { valid: false, 'anomaly-types': ['cyclic-versions'], not: ['read-uncommitted'] },
  },
  {
    name: 'lost-update-test',
    workload: w,
    history: {
      serial: [
        [0, 'rx0wx1'],
        [1, 'rx0wx2'],
      ],
    },
    options: base,
    elle: { valid: false, 'anomaly-types': ['lost-update'], not: ['cursor-stability', 'update-atomic'] },
    faultline: {
      valid: false,
      'anomaly-types': ['garbage-read', 'lost-update'],
      not: ['read-committed'],
      why: GARBAGE,
    },
  },
  {
    name: 'scc-sort-bug-test',
    workload: w,
    history: {
      serial: [
        [0, 'rx1'],
        [0, 'rx_'],
        [0, 'rx4wx3'],
        [0, 'wx4'],
      ],
    },
    options: { ...models('strong-serializable'), wfrKeys: true, linearizableKeys: true },
    elle: { valid: false, 'anomaly-types': ['G1c-realtime', 'cyclic-versions'], not: ['read-uncommitted'] },
    faultline: {
      valid: false,
      'anomaly-types': ['G1c-realtime', 'cyclic-versions', 'garbage-read'],
      not: ['read-uncommitted'],
      why: GARBAGE,
    },
  },
  {
    name: 'cyclic-versions-bug-test',
    workload: w,
    history: {
      events: [
        [0, 'invoke', ''],
        [0, 'ok', ''],
        [0, 'invoke', 'rx'],
        [1, 'invoke', 'wx4'],
        [2, 'invoke', ''],
        [0, 'ok', 'rx'],
        [1, 'ok', 'wx4'],
        [2, 'ok', ''],
        [0, 'invoke', ''],
        [0, 'ok', ''],
        [0, 'invoke', 'rx'],
        [0, 'ok', 'rx4'],
      ],
    },
    options: { ...models('serializable'), linearizableKeys: true },
    elle: { valid: true },
  },

  // Analyses Elle tests on their own (internal-cases, g1a-cases, g1b-cases).
  {
    name: 'internal-cases-test good',
    workload: w,
    history: { concurrent: [['ok', 'ry2wx2rx2wx1rx1']] },
    options: only('internal'),
    elle: { absent: ['internal'] },
  },
  {
    name: 'internal-cases-test stale',
    workload: w,
    history: { concurrent: [['ok', 'rx1wx2rx1']] },
    options: only('internal'),
    elle: { found: ['internal'] },
  },
  {
    name: 'internal-cases-test nil read',
    workload: w,
    history: { concurrent: [['ok', 'rx_rx2']] },
    options: only('internal'),
    elle: { found: ['internal'] },
  },
  {
    name: 'g1a-cases-test good',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'wx1'],
        ['ok', 'rx1'],
      ],
    },
    options: only('G1a'),
    elle: { absent: ['G1a'] },
  },
  {
    name: 'g1a-cases-test bad',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'rx2'],
        ['fail', 'wx2'],
      ],
    },
    options: only('G1a'),
    elle: { found: ['G1a'] },
  },
  {
    name: 'g1b-cases-test good',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'wx1wx2'],
        ['ok', 'rx_rx2'],
      ],
    },
    options: only('G1b'),
    elle: { absent: ['G1b'] },
  },
  {
    name: 'g1b-cases-test bad',
    workload: w,
    history: {
      concurrent: [
        ['ok', 'rx2'],
        ['ok', 'wx2wx1'],
      ],
    },
    options: only('G1b'),
    elle: { found: ['G1b'] },
  },
];
