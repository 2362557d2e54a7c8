// PLACEHOLDER: the codecs helper replaces this file.
import type { History } from '../history.js';

/** Reads a history file; the format comes from the extension (.jsonl, .edn, .log, .txt). */
export async function readHistoryFile(_path: string): Promise<History> {
  throw new Error('codecs not written yet');
}
