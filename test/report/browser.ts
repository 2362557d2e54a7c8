import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where screenshots are kept (git-ignored). */
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

/**
 * A headless Chromium with a fresh profile (its --user-data-dir; Playwright passes it for a
 * persistent context); `close` removes the profile.
 */
export async function launch(): Promise<{ browser: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'faultline-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What a page did while loading: console errors, page errors and every request URL. */
export interface PageWatch {
  errors: string[];
  requests: string[];
}

export function watch(page: Page): PageWatch {
  const w: PageWatch = { errors: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(m.text());
  });
  page.on('pageerror', (e) => w.errors.push(e.message));
  page.on('request', (r) => w.requests.push(r.url()));
  return w;
}

/** Non-blank pixels of a canvas (any pixel that is neither transparent nor white). */
export async function inkedPixels(page: Page, selector: string, nth = 0): Promise<number> {
  return page.evaluate(
    ([sel, i]) => {
      const c = document.querySelectorAll(sel)[i as number] as HTMLCanvasElement | undefined;
      if (!c) return -1;
      const ctx = c.getContext('2d');
      if (!ctx) return -1;
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let p = 0; p < data.length; p += 4) {
        const white = data[p]! > 245 && data[p + 1]! > 245 && data[p + 2]! > 245;
        if (data[p + 3]! > 0 && !white) n++;
      }
      return n;
    },
    [selector, nth] as const,
  );
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
