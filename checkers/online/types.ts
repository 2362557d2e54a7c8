/**
 * Online checkers: fed each op as the runner records it, they keep only what their verdict
 * still needs, so a run of hours checks in bounded memory and is judged moments after it ends.
 */
import type { Op } from '../../src/history/op.js';
import type { CheckResult } from '../result.js';

export interface OnlineChecker<Result extends CheckResult = CheckResult> {
  readonly name: string;
  /** One recorded op, in history order. */
  add(op: Op): void;
  /** The verdict on everything added so far (checks what is left); call once, after the last op. */
  finish(): Promise<Result>;
}
