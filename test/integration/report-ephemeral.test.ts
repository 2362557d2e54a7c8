/**
 * The `ephemeral` checker's evidence in report.html, in Debian's Chromium: the broken promise
 * with links to its ops, and each member's session drawn beside its node's lifetime.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkEphemeral } from '../../checkers/ephemeral.js';
import { composeResults } from '../../checkers/result.js';
import { opToJsonl } from '../../src/history/codecs/index.js';
import type { History } from '../../src/history/index.js';
import { writeReport } from '../../src/report/index.js';
import { type TimedEvent, timedHistory } from '../checkers/build.js';
import { artifactPath, launch, watch } from '../report/browser.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-report-ephemeral-'));
let browser: BrowserContext;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => {
  await close?.();
  rmSync(root, { recursive: true, force: true });
});

/** m1 heart-beats at 1 s with a 4 s ttl, yet a list at 2 s no longer has it; m2 dies and goes. */
function brokenHistory(): History {
  const events: TimedEvent[] = [
    [0, 1, 'invoke', 'register', 'm1'],
    [10, 1, 'ok', 'register', { member: 'm1', session: 'a1', ttlMs: 4000 }],
    [20, 2, 'invoke', 'register', 'm2'],
    [30, 2, 'ok', 'register', { member: 'm2', session: 'a2', ttlMs: 4000 }],
    [100, 0, 'invoke', 'list', null],
    [105, 0, 'ok', 'list', ['m1', 'm2']],
    [1000, 1, 'invoke', 'heartbeat', 'm1'],
    [1010, 1, 'ok', 'heartbeat', { member: 'm1' }],
    [1500, 2, 'invoke', 'die', 'm2'],
    [1501, 2, 'ok', 'die', 'm2'],
    [2000, 0, 'invoke', 'list', null],
    [2005, 0, 'ok', 'list', ['m2']],
    [12000, 0, 'invoke', 'list', null],
    [12005, 0, 'ok', 'list', []],
  ];
  return timedHistory(events);
}

it('draws the ephemeral evidence: the broken promise with op links, and sessions beside nodes', async () => {
  const history = brokenHistory();
  const result = checkEphemeral(history, { slackMs: 500, boundMs: 2000 });
  expect(result.breaches.map((b) => b.kind)).toEqual(['deleted-while-alive']);
  const dir = join(root, 'run');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'history.jsonl'), `${history.ops.map(opToJsonl).join('\n')}\n`);
  writeFileSync(join(dir, 'results.json'), JSON.stringify(composeResults({ ephemeral: result })));
  const page = await browser.newPage();
  const seen = watch(page);
  const url = pathToFileURL(await writeReport(dir)).href;
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 10_000 });
  expect(seen.errors).toEqual([]);
  const text = (await page.textContent('#checkers')) ?? '';
  expect(text).toContain('Broken promises (1)');
  expect(text).toContain('deleted-while-alive');
  expect(text).toContain('Sessions and nodes (2 members)');
  // Per member: a proven-alive bar and a seen bar; heartbeats, ends, deadlines as ticks.
  expect(await page.locator('#checkers svg rect').count()).toBe(4);
  expect(await page.locator('#checkers svg text').filter({ hasText: 'm1' }).count()).toBe(1);
  await page.locator('#checkers a.op').first().click();
  expect(await page.textContent('#op-detail')).toMatch(/^op 0/);
  await page.screenshot({ path: artifactPath('report-ephemeral.png'), fullPage: true });
  await page.close();
}, 60_000);
