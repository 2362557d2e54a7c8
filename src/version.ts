import { readFileSync } from 'node:fs';

/** faultline's version, from package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL(findPackageJson(), import.meta.url), 'utf8')) as { version: string }
).version;

function findPackageJson(): string {
  // src/version.ts runs from src/ (tests) or dist/src/ (built).
  return import.meta.url.includes('/dist/') ? '../../package.json' : '../package.json';
}
