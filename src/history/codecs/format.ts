import { extname } from 'node:path';
import { InputError } from '../../errors.js';

/** The history formats faultline reads and writes. */
export type HistoryFormat = 'jsonl' | 'edn' | 'jepsen-log';

export const HISTORY_FORMATS: readonly HistoryFormat[] = ['jsonl', 'edn', 'jepsen-log'];

/**
 * The format a file name implies: `.jsonl` (also `.ndjson`), `.edn`, `.log`. A `.txt` file
 * is `undefined` here: its content decides (see {@link sniffFormat}). Throws
 * {@link InputError} for any other extension.
 */
export function formatFromPath(path: string): HistoryFormat | undefined {
  const ext = extname(path).toLowerCase();
  switch (ext) {
    case '.jsonl':
    case '.ndjson':
      return 'jsonl';
    case '.edn':
      return 'edn';
    case '.log':
      return 'jepsen-log';
    case '.txt':
      return undefined;
    default:
      throw new InputError(
        `cannot tell the history format from the extension ${JSON.stringify(ext || '(none)')}; use .jsonl, .edn, .log or .txt`,
        { file: path },
      );
  }
}

/** EDN if the first non-blank character is `{`, `[` or `(`, otherwise Jepsen log text. */
export function sniffFormat(head: string): HistoryFormat {
  const first = /\S/.exec(head)?.[0];
  return first === '{' || first === '[' || first === '(' ? 'edn' : 'jepsen-log';
}
