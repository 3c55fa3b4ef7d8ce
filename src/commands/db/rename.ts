/**
 * `dtx db rename OLD NEW`: d/rename-database through the live transactor (like db create). The
 * db-id stays (docs/datomic-storage.md §6): only the catalog's name changes. dtx checks the catalog first so
 * that an unknown OLD, a taken NEW or an invalid NEW fail at once, with no JVM started.
 */
import type { Ctx } from '../../cli/context.js';
import { throwIfAborted } from '../../core/abort.js';
import { validateDbName } from '../../core/datomic/dbname.js';
import { runPeer } from '../../core/datomic/peer.js';
import { datomicUri } from '../../core/datomic/uri.js';
import { DtxError, ExitCode, usageError } from '../../core/errors.js';
import { databaseNotFound, readCatalog } from '../../core/storage/catalog.js';
import { keyValues, printJson } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';
import { distributionWithJava } from '../shared/datomic.js';
import { requireLiveTransactor, withStorage } from '../shared/storage.js';

export async function run(ctx: Ctx, oldName: string, newName: string): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  validateDbName(newName);
  if (oldName === newName) throw usageError('DB_RENAME_SAME', `the database is already called ${JSON.stringify(oldName)}`, 'Give a different NEW name.');
  const uri = datomicUri(newName, cfg.pg);
  const progress = startProgress(io, 'reading the catalog');
  let dbId: string;
  try {
    dbId = await withStorage(ctx, async (c) => {
      const cat = await readCatalog(c);
      const entry = cat.databases.find((d) => d.name === oldName);
      if (!entry) throw databaseNotFound(oldName, cat);
      const taken = cat.databases.find((d) => d.name === newName);
      if (taken) {
        throw new DtxError({
          code: 'DB_EXISTS',
          message: `database ${JSON.stringify(newName)} already exists (${taken.dbId})`,
          hint: `Choose another name, or delete "${newName}" first (\`dtx db delete ${newName}\`).`,
          exitCode: ExitCode.usage,
          details: { name: newName, dbId: taken.dbId },
        });
      }
      progress.update('checking the Datomic distribution');
      const { dist, java } = await distributionWithJava(ctx);
      progress.update('checking for a live transactor');
      await requireLiveTransactor(ctx, c, progress, 'renaming a database goes through the transactor');
      progress.update(`starting a peer JVM to run d/rename-database "${oldName}" -> "${newName}"`);
      throwIfAborted(ctx.signal);
      const r = await runPeer({ dist, op: 'rename', uri: datomicUri(oldName, cfg.pg), arg: newName, env: io.env, javaBinDir: java.binDir, signal: ctx.signal });
      const after = await readCatalog(c);
      const now = after.databases.find((d) => d.name === newName);
      if (!r.renamed || !now) {
        throw new DtxError({
          code: 'DB_RENAME_FAILED',
          message: `Datomic did not rename ${JSON.stringify(oldName)} (d/rename-database returned false)${now ? '' : `; the catalog has no ${JSON.stringify(newName)}`}`,
          hint: 'Someone may have renamed, deleted or created a database meanwhile: check `dtx db list`, then try again.',
        });
      }
      return now.dbId;
    });
  } finally {
    progress.stop();
  }
  if (io.json) {
    printJson(io, { oldName, name: newName, dbId, renamed: true, uri });
    return 0;
  }
  const c = io.chalk;
  io.out(`${c.green('✔')} renamed database ${oldName} to ${newName}\n`);
  io.out(keyValues(io, [['db-id', `${dbId} (unchanged)`], ['uri', uri]]));
  io.out(c.dim(`Peers must now connect with the new name (\`dtx db uri ${newName}\`).\n`));
  return 0;
}
