#!/usr/bin/env node
// Bundles the report's browser code (src/report/browser/main.ts, typed TypeScript) into one
// self-contained IIFE script, which report.html inlines. `npm run build` writes it next to the
// compiled html.js; without a path argument it goes to stdout (html.ts uses that when it runs
// from the TypeScript sources, in tests).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = await rolldown({
  input: join(root, 'src/report/browser/main.ts'),
  platform: 'browser',
  logLevel: 'warn',
});
const { output } = await bundle.generate({ format: 'iife' });
await bundle.close();
if (output.length !== 1) throw new Error(`expected one chunk, got ${output.length}`);
const code = output[0].code;
const out = process.argv[2];
if (out) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
} else {
  process.stdout.write(code);
}
