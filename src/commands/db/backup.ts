/**
 * `dtx db backup NAME DIR`: Datomic's own backup (bin/datomic backup-db) of one database into a
 * folder. It reads storage only, so it runs with or without a transactor ("Backups can be performed
 * at any time against a live system", docs.datomic.com/operation/backup.html). Repeat backups to the
 * same folder copy only new segments.
 */
import { mkdir } from 'node:fs/promises';
import type { Ctx } from '../../cli/context.js';
import { validateDbName } from '../../core/datomic/dbname.js';
import { datomicUri } from '../../core/datomic/uri.js';
import { DtxError, ExitCode } from '../../core/errors.js';
import { databaseNotFound, readCatalog } from '../../core/storage/catalog.js';
import { keyValues, printJson } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';
import { backupDirOf, runWithProgress } from '../shared/backup.js';
import { distributionWithJava } from '../shared/datomic.js';
import { withStorage } from '../shared/storage.js';

export async function run(ctx: Ctx, name: string, rawDir: string): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  validateDbName(name);
  const d = backupDirOf(ctx, rawDir);
  const progress = startProgress(io, 'checking the Datomic distribution');
  let out;
  try {
    const { dist, java } = await distributionWithJava(ctx);
    progress.update('reading the catalog');
    const dbId = await withStorage(ctx, async (c) => {
      const cat = await readCatalog(c);
      const entry = cat.databases.find((x) => x.name === name);
      if (!entry) throw databaseNotFound(name, cat);
      return entry.dbId;
    });
    // Private: a backup holds all of the database's data.
    await mkdir(d.dir, { recursive: true, mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
      throw new DtxError({
        code: e.code === 'EEXIST' || e.code === 'ENOTDIR' ? 'BACKUP_DIR_NOT_DIR' : 'BACKUP_DIR_UNWRITABLE',
        message: `cannot use ${d.dir} as the backup folder: ${e.message}`,
        hint: 'Give a folder (it is created when missing) that this user can write.',
        exitCode: ExitCode.usage,
      });
    });
    progress.update(`bin/datomic backup-db "${name}" (starting a JVM)`);
    const { copy } = await runWithProgress(ctx, { dist, java, op: 'backup-db', args: [datomicUri(name, cfg.pg), d.uri], jvm: true, progress, label: `backing up "${name}"`, dir: d.dir, name });
    out = { name, dbId, dir: d.dir, backupUri: d.uri, copied: copy?.copied ?? null, skipped: copy?.skipped ?? null };
  } finally {
    progress.stop();
  }
  if (io.json) {
    printJson(io, out);
    return 0;
  }
  const c = io.chalk;
  io.out(`${c.green('✔')} backed up database ${name} to ${out.dir}\n`);
  io.out(keyValues(io, [['db-id', out.dbId], ['backup uri', out.backupUri], ['segments', out.copied === null ? '?' : `${out.copied} copied, ${out.skipped} already there`]]));
  io.out(c.dim(`List its points in time: ${io.cmd} db backups ${JSON.stringify(out.dir)}\n`));
  return 0;
}
