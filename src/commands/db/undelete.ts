import type { Ctx } from '../../cli/context.js';
import { DtxError, ExitCode } from '../../core/errors.js';
import { validateDbName } from '../../core/datomic/dbname.js';
import { datomicUri } from '../../core/datomic/uri.js';
import { undeleteOffline } from '../../core/storage/catalog.js';
import { hasRootRows } from '../../core/storage/dbrows.js';
import { withMaintenanceLock } from '../../core/storage/maintenance-lock.js';
import { databaseIntact } from '../../core/storage/walk/footprint.js';
import { printJson } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';
import { checkTransactorLiveness, withStorage } from '../shared/storage.js';

export async function run(ctx: Ctx, dbId: string, name: string): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  validateDbName(name);
  const progress = startProgress(io, 'checking for a live transactor');
  let r;
  try {
    r = await withStorage(ctx, async (c) => {
      const live = await checkTransactorLiveness(ctx, c, progress);
      if (live.alive) {
        // Datomic has no peer API for undelete; a catalog rewrite behind a running transactor's back is not safe.
        throw new DtxError({
          code: 'UNDELETE_NEEDS_STOPPED_TRANSACTOR',
          message: 'undelete rewrites the catalog directly, which is only safe with no transactor running, and one is alive',
          hint: 'Stop the transactor first (`dtx transactor stop`), then undelete, then start it again.',
          exitCode: ExitCode.usage,
        });
      }
      if (!(await hasRootRows(c, dbId))) {
        throw new DtxError({
          code: 'DB_ROWS_MISSING',
          message: `db-id ${dbId} has no root rows left (it was collected or purged), so it cannot come back`,
          hint: 'Restore it from a backup instead (bin/datomic restore-db).',
          exitCode: ExitCode.notFound,
        });
      }
      progress.update(`checking that ${dbId} is whole`);
      const whole = await databaseIntact(c, dbId, { signal: ctx.signal });
      if (!whole.intact) {
        throw new DtxError({
          code: 'DB_ROWS_MISSING',
          message: `db-id ${dbId} is not whole (${whole.problems[0]?.problem ?? 'rows are missing'}): a gc or a purge already deleted part of it, so Datomic could not read it`,
          hint: 'Restore it from a backup instead (bin/datomic restore-db), or finish the purge: `dtx db purge ' + dbId + '`.',
          exitCode: ExitCode.notFound,
          details: { problems: whole.problems.slice(0, 10) },
        });
      }
      progress.update('rewriting the catalog as Datomic does');
      return withMaintenanceLock(c, { what: 'undelete', waitMs: 5000, signal: ctx.signal }, () => undeleteOffline(c, dbId, name, { signal: ctx.signal }));
    });
  } finally {
    progress.stop();
  }
  const uri = datomicUri(name, cfg.pg);
  if (io.json) printJson(io, { name, dbId: r.dbId, undeleted: true, uri });
  else io.out(`${io.chalk.green('✔')} database ${r.dbId} is back as "${name}"\n${io.chalk.dim(uri)}\n`);
  return 0;
}
