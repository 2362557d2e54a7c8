/** The `lossyDataDir` db option: put a node's data dir on lossyfs (see lossyfs.c). Pure. */
import { z } from 'zod';

/**
 * `true` (honest fsync, no writeback), or how lossyfs behaves: `fsync: lies` makes fsync a
 * no-op (explicitly unsafe); `writebackMs` makes all written data durable every so often, like
 * the kernel's writeback of dirty pages (0: never, the lossiest).
 */
export const lossyDataDirOption = z
  .union([
    z.boolean(),
    z.strictObject({
      fsync: z.enum(['honest', 'lies']).default('honest'),
      writebackMs: z.number().int().min(0).default(0),
    }),
  ])
  .optional();

/** How a node's lossy data dir behaves. */
export interface LossyDataDirSettings {
  fsync: 'honest' | 'lies';
  writebackMs: number;
}

/** The settings the option asks for, or null when the data dir is a plain directory. */
export function lossySettings(option: z.output<typeof lossyDataDirOption>): LossyDataDirSettings | null {
  if (option === undefined || option === false) return null;
  if (option === true) return { fsync: 'honest', writebackMs: 0 };
  return { fsync: option.fsync, writebackMs: option.writebackMs };
}

/** lossyfs's own flags for these settings. */
export function lossyfsFlags(settings: LossyDataDirSettings): string[] {
  const flags = settings.fsync === 'lies' ? ['--fsync-lies'] : [];
  if (settings.writebackMs > 0) flags.push('--writeback-ms', String(settings.writebackMs));
  return flags;
}
