/**
 * The report's evidence for the coordination checkers, in Debian's Chromium: the watch
 * checker's anomalies and each watcher's lag, the sequence checker's duplicated numbers; op
 * links that focus the timeline. No ensemble: histories made by hand.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckResult, composeResults } from '../../checkers/result.js';
import { checkSequence } from '../../checkers/sequence.js';
import { checkWatch } from '../../checkers/watch.js';
import { opToJsonl } from '../../src/history/codecs/index.js';
import type { History } from '../../src/history/history.js';
import { writeReport } from '../../src/report/index.js';
import { history } from '../checkers/build.js';
import { launch, watch } from '../report/browser.js';

let root: string;
let browser: BrowserContext;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'faultline-report-coord-'));
  ({ browser, close } = await launch());
}, 60_000);

afterAll(async () => {
  await close?.();
  rmSync(root, { recursive: true, force: true });
});

const watched = history([
  [0, 'invoke', 'write', 1, { key: 0 }],
  [0, 'ok', 'write', { value: 1, version: 5 }, { key: 0 }],
  [0, 'invoke', 'write', 2, { key: 0 }],
  [0, 'ok', 'write', { value: 2, version: 7 }, { key: 0 }],
  [1, 'invoke', 'watch', { windowMs: 500 }, { key: 0 }],
  [
    1,
    'ok',
    'watch',
    {
      mode: 'stream',
      seen: [
        { via: 'start', version: 0, value: null, ms: 0 },
        { via: 'event', version: 7, value: 2, ms: 0.5 },
      ],
    },
    { key: 0 },
  ],
  [1, 'invoke', 'catch-up', null, { key: 0 }],
  [1, 'ok', 'catch-up', { mode: 'stream', read: { version: 7, value: 2 }, seen: [] }, { key: 0 }],
]);

const numbered = history([
  [0, 'invoke', 'create'],
  [1, 'invoke', 'create'],
  [0, 'ok', 'create', 4],
  [1, 'ok', 'create', 4],
]);

describe('report.html: watch and sequence evidence', () => {
  const cases: {
    name: string;
    history: History;
    result: () => Record<string, CheckResult>;
    text: string[];
  }[] = [
    {
      name: 'watch',
      history: watched,
      result: () => ({ watch: checkWatch(watched) }),
      text: ['missed', "Each watcher's lag", 'never saw version 5'],
    },
    {
      name: 'sequence',
      history: numbered,
      result: () => ({ sequence: checkSequence(numbered) }),
      text: ['Numbers handed out twice (1)', '1 duplicated'],
    },
  ];
  for (const c of cases) {
    it(`shows the ${c.name} checker's evidence with op links`, async () => {
      const dir = join(root, c.name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'history.jsonl'), `${c.history.ops.map(opToJsonl).join('\n')}\n`);
      writeFileSync(join(dir, 'results.json'), JSON.stringify(composeResults(c.result())));
      const page = await browser.newPage();
      const seen = watch(page);
      await page.goto(pathToFileURL(await writeReport(dir)).href);
      await page.waitForSelector('body[data-ready="1"]', { timeout: 10_000 });
      expect(seen.errors).toEqual([]);
      const text = (await page.textContent('#checkers')) ?? '';
      for (const t of c.text) expect(text).toContain(t);
      await page.locator('#checkers table a.op').first().click();
      expect(await page.textContent('#op-detail')).toMatch(/^op \d+/);
      await page.close();
    }, 60_000);
  }
});
