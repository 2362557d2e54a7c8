import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { nodeDirName } from './options.js';
import { type Db, type DbContext, hasLogFiles } from './types.js';

/** What {@link collectLogs} fetched, and what it could not (a dead node must not stop the rest). */
export interface CollectedLogs {
  /** Local paths of the downloaded files. */
  files: string[];
  /** Remote files that were not fetched, with why. */
  failures: { node: string; file: string; error: string }[];
}

/**
 * Downloads every node's log files into `<destDir>/<node>/<file name>`, all nodes at once.
 * A missing file is skipped silently; an unreachable node is reported in `failures`. A db
 * without log files (not {@link HasLogFiles}) collects nothing.
 */
export async function collectLogs(db: Db, ctx: DbContext, destDir: string): Promise<CollectedLogs> {
  const collected: CollectedLogs = { files: [], failures: [] };
  if (!hasLogFiles(db)) return collected;
  await Promise.all(
    ctx.nodes.map(async (node) => {
      let remoteFiles: string[];
      try {
        remoteFiles = await db.logFiles(ctx, node);
      } catch (e) {
        collected.failures.push({ node, file: '*', error: String(e) });
        return;
      }
      const dir = join(destDir, nodeDirName(node));
      await mkdir(dir, { recursive: true });
      for (const file of remoteFiles) {
        try {
          const exists = await ctx.remote.exec(node, ['test', '-f', file], {
            allowFailure: true,
            timeoutMs: 10_000,
          });
          if (exists.code !== 0) continue;
          const local = join(dir, basename(file));
          await ctx.remote.download(node, file, local);
          collected.files.push(local);
        } catch (e) {
          collected.failures.push({ node, file, error: e instanceof Error ? e.message : String(e) });
        }
      }
    }),
  );
  collected.files.sort();
  return collected;
}
