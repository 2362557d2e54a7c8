import { z } from 'zod';
import { InputError } from '../errors.js';
import { lossyDataDirOption } from './lossyfs/options.js';
import type { DbContext } from './types.js';

/** Options every adapter understands. */
export const commonDbOptions = {
  /**
   * Root of the per-node directories on the nodes: `<dir>/<node>/<db>/` (default per adapter,
   * under its usual /var/lib folder, which the local ensemble makes private to each node).
   */
  dir: z.string().startsWith('/', 'must be an absolute path').optional(),
  /** Install the Debian packages over SSH when they are missing (default true). */
  install: z.boolean().default(true),
  /** Put the data dir on lossyfs, which can drop what was not fsynced (the power nemesis). */
  lossyDataDir: lossyDataDirOption,
};

/** A TCP port number. */
export const port = z.number().int().min(1).max(65535);

/** A positive whole number. */
export const positiveInt = z.number().int().positive();

const cache = new WeakMap<object, WeakMap<z.ZodType, unknown>>();

/**
 * The adapter's options from `ctx.options`, checked against `schema`. Unknown keys are refused
 * (a typo should not silently fall back to a default); a bad value is an {@link InputError}
 * naming the field as `options.<key>`.
 */
export function parseOptions<S extends z.ZodType>(dbName: string, schema: S, ctx: DbContext): z.output<S> {
  const options: object = ctx.options ?? {};
  let perSchema = cache.get(options);
  if (!perSchema) {
    perSchema = new WeakMap();
    cache.set(options, perSchema);
  }
  if (perSchema.has(schema)) return perSchema.get(schema) as z.output<S>;
  const result = schema.safeParse(options);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const keys =
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((k) => ['options', ...issue.path.map(String), k].join('.')).join(', ')
        : undefined;
    const field = keys ?? ['options', ...issue.path.map(String)].join('.');
    throw new InputError(`${dbName}: ${issue.message}`, { field });
  }
  perSchema.set(schema, result.data);
  return result.data;
}

/** A node name made safe as one path component. */
export function nodeDirName(node: string): string {
  return node.replace(/[^A-Za-z0-9._-]/g, '_');
}
