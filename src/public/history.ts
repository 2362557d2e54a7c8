/**
 * `faultline/history`: operations as Jepsen records them (`invoke`, then `ok`/`fail`/`info`),
 * a history with invoke↔completion pairing, and codecs for JSONL, Jepsen EDN and Jepsen log text.
 */
// biome-ignore-all assist/source/organizeImports: exports are grouped by theme, each group under its comment

/** One recorded operation. */
export { type CompletionType, isClientOp, type Op, type OpType, type Process } from '../history/op.js';
/** A whole history: ops plus pairing and per-process/per-key views. */
export { History, type HistoryOptions, type OpPair } from '../history/history.js';
/** Read and write history files; the format follows the extension (`.jsonl`, `.edn`, `.log`). */
export {
  formatFromPath,
  HISTORY_FORMATS,
  type HistoryFormat,
  JsonlWriter,
  type JsonlWriterOptions,
  opToEdn,
  opToJepsenLog,
  opToJsonl,
  type ReadHistoryOptions,
  readHistoryFile,
  readOps,
  type WriteHistoryOptions,
  writeHistoryFile,
} from '../history/codecs/index.js';
