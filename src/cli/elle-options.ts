import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
// The options module alone: the check command's start-up should not load the Elle checkers.
import { type ElleOptions, parseElleOptions } from '../../checkers/elle/options.js';
import { InputError } from '../errors.js';

/** The Elle flags of `faultline check`, as commander gives them. */
export interface ElleFlags {
  anomalies?: string;
  consistencyModels?: string;
  linearizableKeys?: boolean;
  sequentialKeys?: boolean;
  wfrKeys?: boolean;
  transactionOrder?: string;
}

const ELLE_CHECKERS = new Set(['list-append', 'rw-register']);

/** Adds the Elle checkers' own flags to `faultline check`. */
export function addElleFlags(command: Command): Command {
  return command
    .option('--anomalies <names>', 'Elle checkers: anomalies that make the history invalid, e.g. G1,G2-item')
    .option('--linearizable-keys', 'rw-register: keys are linearizable; real-time order orders versions')
    .option('--sequential-keys', 'rw-register: keys are sequential; process order orders versions')
    .option('--wfr-keys', 'rw-register: a write after a read of a key follows it (the default)')
    .option('--no-wfr-keys', 'rw-register: do not assume writes follow reads')
    .option(
      '--transaction-order <file>',
      'rw-register: JSON {completion op index: position} of a known commit order',
    );
}

/**
 * The Elle options the flags ask for (empty for other checkers). Throws {@link InputError}
 * naming the flag on an unknown model or anomaly, or an Elle flag given to another checker.
 */
export function elleOptionsFromFlags(checker: string, flags: ElleFlags): Partial<ElleOptions> {
  const given = (['anomalies', 'linearizableKeys', 'sequentialKeys', 'transactionOrder'] as const).filter(
    (f) => flags[f] !== undefined,
  );
  if (!ELLE_CHECKERS.has(checker)) {
    if (given.length > 0) {
      throw new InputError('applies only to --checker list-append or rw-register', {
        field: `--${given[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      });
    }
    return {};
  }
  const raw: Record<string, unknown> = {};
  if (flags.anomalies !== undefined) raw.anomalies = flags.anomalies;
  if (flags.linearizableKeys) raw.linearizableKeys = true;
  if (flags.sequentialKeys) raw.sequentialKeys = true;
  if (flags.wfrKeys !== undefined) raw.wfrKeys = flags.wfrKeys;
  if (flags.transactionOrder !== undefined) raw.transactionOrder = readOrder(flags.transactionOrder);
  try {
    const options = parseElleOptions(raw, 'flags');
    if (flags.consistencyModels !== undefined) {
      parseElleOptions({ consistencyModels: flags.consistencyModels }, 'flags');
    }
    return options;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    // Name the flag, not the option behind it.
    const field = e.location.field?.replace(/^flags\./, '--').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new InputError(e.reason, { ...e.location, field });
  }
}

function readOrder(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read: ${(e as Error).message}`, { file, field: '--transaction-order' });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`not JSON: ${(e as Error).message}`, { file, field: '--transaction-order' });
  }
}
