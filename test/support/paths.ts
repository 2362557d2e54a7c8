import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (or worktree), whichever folder the tests run from. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The shared data folder, `../shared` next to the repository root: never an absolute path,
 * so that the tests run wherever the repository is checked out.
 */
export const SHARED_DIR = resolve(REPO_ROOT, '..', 'shared');

/** The Porcupine corpus (etcd and kv histories) in the shared data folder. */
export const PORCUPINE_DIR = join(SHARED_DIR, 'data', 'porcupine');
