import type { Op } from '../op.js';
import type { OpBuilder } from './record.js';

/** Ops decoded from one stretch of a file, with the 1-based line each came from. */
export interface OpBatch {
  ops: Op[];
  lines: number[];
}

/** What a format reader needs besides the text: who it reads for and where to report. */
export interface ReadContext {
  /** The file's name, for error locations. */
  path: string;
  builder: OpBuilder;
  /** Non-fatal problems, each `file:line: message`. */
  warnings: string[];
  /** A torn last line is an error rather than a warning. */
  strict: boolean;
}
