/** Rendering and running a purge for `db purge` and `db delete --purge`. */
import type { Ctx } from '../../cli/context.js';
import type { PgClient } from '../../core/postgres/client.js';
import { withMaintenanceLock } from '../../core/storage/maintenance-lock.js';
import { purgeDatabase, PURGE_KINDS, type PurgeResult } from '../../core/storage/walk/purge.js';
import { keyValues, renderTable } from '../../render/output.js';
import type { Progress } from '../../render/progress.js';
import { confirmDestructive } from '../../render/prompts.js';
import { formatBytes, formatCount, progressBar } from '../../render/units.js';
import { requireNoTransactor } from './storage.js';

export interface RunPurgeOptions {
  dbId: string;
  /** shown in messages, e.g. `database "x"` */
  label: string;
  dryRun: boolean;
  guard: () => Promise<void>;
  progress: Progress;
  /** the user already said yes to this purge (db delete --purge asks before its catalog delete) */
  confirmed?: boolean;
}

export async function runPurge(ctx: Ctx, c: PgClient, o: RunPurgeOptions): Promise<PurgeResult> {
  const { io } = ctx;
  return purgeDatabase(c, o.dbId, {
    dryRun: o.dryRun,
    signal: ctx.signal,
    beforeWrite: o.guard,
    onProgress: (p) => {
      if (p.phase === 'marking') o.progress.update('marking the rows every other database needs');
      else if (p.phase === 'walking') o.progress.update(`walking ${o.label}`);
      else o.progress.update(`deleting ${progressBar(p.done, p.total)} rows`);
    },
    confirm: async (plan) => {
      if (plan.rows === 0 || o.confirmed) return;
      o.progress.stop();
      await confirmDestructive(io, {
        yes: Boolean(ctx.flags.yes),
        action: `purging ${o.label}`,
        question: `Delete ${formatCount(plan.rows)} rows (${formatBytes(plan.bytes)}) of ${o.label} for good? This cannot be undone.`,
        declined: 'nothing deleted',
        signal: ctx.signal,
      });
    },
  });
}

/**
 * A purge on its own (`db purge`, or `db delete --purge` resuming): with no transactor alive, under
 * the maintenance lock, asking first.
 */
export async function purgeDeleted(ctx: Ctx, c: PgClient, o: Omit<RunPurgeOptions, 'guard' | 'confirmed'>): Promise<PurgeResult> {
  const { guard } = await requireNoTransactor(ctx, c, o.progress, 'a purge');
  return withMaintenanceLock(c, { what: 'the purge', signal: ctx.signal }, () => runPurge(ctx, c, { ...o, guard }));
}

export async function renderPurge(ctx: Ctx, r: PurgeResult): Promise<void> {
  const { io } = ctx;
  const c = io.chalk;
  const verb = r.dryRun ? 'would delete' : 'deleted';
  io.out(`${r.dryRun ? c.yellow('dry run:') : c.green('✔')} ${verb} ${formatCount(r.rows)} rows (${formatBytes(r.bytes)}) of ${r.dbId}${r.dryRun ? '' : ` in ${r.ms} ms`}\n`);
  io.out(renderTable(io, ['kind', 'rows', 'bytes'], PURGE_KINDS.filter((k) => r.byKind[k].rows > 0).map((k) => [k, formatCount(r.byKind[k].rows), formatBytes(r.byKind[k].bytes)])));
  io.out(
    keyValues(io, [
      ['kept', r.kept ? c.yellow(`${formatCount(r.kept)} rows another database reaches too`) : '0 (no row is shared with another database)'],
      ['sample', r.dryRun ? r.sample.join(', ') || '-' : undefined],
      ['catalog', r.dryRun ? 'unchanged (dry run)' : r.removedFromCatalog ? `db-id removed from :datomic/deleted (rev ${r.catalogRev})` : 'already without it'],
    ]),
  );
  for (const p of r.problems.slice(0, 10)) io.warn(`could not read ${p.id}: ${p.problem}; rows below it are left for \`dtx storage gc\``);
  if (!r.dryRun && r.rows > 0) io.out(c.dim('PostgreSQL returns the space after VACUUM: `dtx storage gc --vacuum`, or `VACUUM datomic_kvs;` as the table owner.\n'));
}

export function purgeJson(r: PurgeResult) {
  return { dbId: r.dbId, dryRun: r.dryRun, rows: r.rows, bytes: r.bytes, byKind: r.byKind, kept: r.kept, sample: r.sample, removedFromCatalog: r.removedFromCatalog, catalogRev: r.catalogRev, problems: r.problems, ms: r.ms };
}
