/**
 * `dtx db restore DIR NAME [--t T]`: Datomic's own restore (bin/datomic restore-db) of a backup
 * folder into this storage under NAME. Datomic's rules (docs.datomic.com/operation/backup.html,
 * "Restoring"), enforced before anything runs:
 *   - SQL storage: all transactors and peers shut down during the restore; restart them afterwards.
 *     dtx refuses while a transactor is alive, holds the maintenance lock (so `dtx transactor start`
 *     waits), and says to restart the peers.
 *   - Restoring over an existing name rewinds or advances that database to the backup's t (only
 *     when it is the same database; Datomic refuses another one): dtx asks first (--yes).
 *   - One database under two names in one storage is refused by Datomic (:restore/collision), as is
 *     a t the backup does not hold; dtx reports both with what to do. Neither writes anything.
 */
import type { Ctx } from '../../cli/context.js';
import { parseRestoreEvent, parseT, type RestoreEvent } from '../../core/datomic/backup.js';
import { validateDbName } from '../../core/datomic/dbname.js';
import { datomicUri } from '../../core/datomic/uri.js';
import { DtxError, ExitCode } from '../../core/errors.js';
import { readCatalog } from '../../core/storage/catalog.js';
import { withMaintenanceLock } from '../../core/storage/maintenance-lock.js';
import { keyValues, printJson } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';
import { confirmDestructive } from '../../render/prompts.js';
import { backupDirOf, requireBackupDir, runWithProgress } from '../shared/backup.js';
import { distributionWithJava } from '../shared/datomic.js';
import { checkTransactorLiveness, withStorage } from '../shared/storage.js';

export const RESTART_NOTE = 'Datomic\'s rule after a restore: start the transactor (`dtx transactor start`) and restart every peer, so none keeps a cached view of the old database.';

export async function run(ctx: Ctx, rawDir: string, name: string): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  validateDbName(name);
  const t = ctx.flags.t !== undefined ? parseT(String(ctx.flags.t)) : undefined;
  const d = backupDirOf(ctx, rawDir);
  await requireBackupDir(d);
  const progress = startProgress(io, 'checking the Datomic distribution');
  let out: { replaced: string | null; event: RestoreEvent | null; dbId: string | null; copied: number | null; skipped: number | null };
  try {
    const { dist, java } = await distributionWithJava(ctx);
    progress.update('checking for a live transactor');
    out = await withStorage(ctx, async (c) => {
      const live = await checkTransactorLiveness(ctx, c, progress);
      if (live.alive) {
        throw new DtxError({
          code: 'RESTORE_NEEDS_STOPPED_TRANSACTOR',
          message: `a transactor is alive on this storage (${live.reason}); Datomic requires transactors and peers to be shut down during a restore to SQL storage`,
          hint: 'Stop it (`dtx transactor stop`) and your peers, run the restore, then start the transactor and the peers again.',
          exitCode: ExitCode.usage,
        });
      }
      const cat = await readCatalog(c);
      const existing = cat.databases.find((x) => x.name === name) ?? null;
      progress.stop();
      if (existing) {
        await confirmDestructive(io, {
          yes: Boolean(ctx.flags.yes),
          action: `restoring over the existing database "${name}"`,
          question: `Database "${name}" exists (${existing.dbId}). Restore the backup over it? It becomes the backup's ${t === undefined ? 'newest point in time' : `t ${t}`}; transactions after that are no longer part of it. (Datomic refuses if the backup is of another database.)`,
          declined: 'nothing restored',
          signal: ctx.signal,
        });
      }
      return withMaintenanceLock(c, { what: 'the restore', signal: ctx.signal }, async () => {
        const p = startProgress(io, `bin/datomic restore-db into "${name}" (starting a JVM)`);
        try {
          const args = [d.uri, datomicUri(name, cfg.pg), ...(t === undefined ? [] : [String(t)])];
          const { result, copy } = await runWithProgress(ctx, { dist, java, op: 'restore-db', args, jvm: true, progress: p, label: `restoring "${name}"`, dir: d.dir, name, t });
          const event = result.stdout.split(/\r?\n/).map(parseRestoreEvent).find((e) => e !== null) ?? null;
          const after = await readCatalog(c);
          const dbId = after.databases.find((x) => x.name === name)?.dbId ?? null;
          return { replaced: existing?.dbId ?? null, event, dbId, copied: copy?.copied ?? null, skipped: copy?.skipped ?? null };
        } finally {
          p.stop();
        }
      });
    });
  } finally {
    progress.stop();
  }
  const uri = datomicUri(name, cfg.pg);
  if (io.json) {
    printJson(io, {
      name,
      dbId: out.dbId,
      dir: d.dir,
      backupUri: d.uri,
      t: out.event?.basisT ?? t ?? null,
      inst: out.event?.inst ?? null,
      replaced: out.replaced !== null,
      copied: out.copied,
      skipped: out.skipped,
      uri,
      restartRequired: true,
    });
    return 0;
  }
  const c = io.chalk;
  io.out(`${c.green('✔')} restored ${d.dir} as database ${name}${out.replaced ? ' (over the existing one)' : ''}\n`);
  io.out(
    keyValues(io, [
      ['db-id', out.dbId ?? '?'],
      ['t', out.event?.basisT ?? t ?? '?'],
      ['as of', out.event?.inst ?? undefined],
      ['segments', out.copied === null ? '?' : `${out.copied} copied, ${out.skipped} already in storage`],
      ['uri', uri],
    ]),
  );
  io.warn(RESTART_NOTE);
  return 0;
}
