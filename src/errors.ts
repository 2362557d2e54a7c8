/** Where in an input a problem was found. All parts are optional; the more, the better. */
export interface InputLocation {
  file?: string;
  /** 1-based line number. */
  line?: number;
  /** 1-based column number. */
  column?: number;
  /** The field (or path, such as `value[2]`) that is wrong. */
  field?: string;
}

/**
 * Bad input: a malformed history, plan or argument. The CLI prints its message on one
 * line and exits with {@link EXIT.badInput}.
 */
export class InputError extends Error {
  readonly location: InputLocation;
  readonly reason: string;

  constructor(reason: string, location: InputLocation = {}) {
    super(formatLocation(location) + reason);
    this.name = 'InputError';
    this.reason = reason;
    this.location = location;
  }

  /** The same error, with the location filled in where it was unknown. */
  at(location: InputLocation): InputError {
    return new InputError(this.reason, { ...location, ...definedOnly(this.location) });
  }
}

function definedOnly(location: InputLocation): InputLocation {
  return Object.fromEntries(Object.entries(location).filter(([, v]) => v !== undefined)) as InputLocation;
}

/** `file:line:column: field: ` — whichever parts are known. */
export function formatLocation({ file, line, column, field }: InputLocation): string {
  let where = file ?? '';
  if (line !== undefined) where += `${where ? ':' : 'line '}${line}`;
  if (line !== undefined && column !== undefined) where += `:${column}`;
  let prefix = where ? `${where}: ` : '';
  if (field) prefix += `field ${field}: `;
  return prefix;
}

/** Exit codes used by every command, as Jepsen's. */
export const EXIT = {
  valid: 0,
  invalid: 1,
  unknown: 2,
  badInput: 254,
  /** An unexpected failure of faultline itself. */
  crash: 255,
} as const;
