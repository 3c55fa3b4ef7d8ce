import type { Ctx } from '../../cli/context.js';
import { DtxError, ExitCode, usageError } from '../../core/errors.js';
import { throwIfAborted } from '../../core/abort.js';
import { validateDbName } from '../../core/datomic/dbname.js';
import { runPeer } from '../../core/datomic/peer.js';
import { datomicUri } from '../../core/datomic/uri.js';
import type { PgClient } from '../../core/postgres/client.js';
import type { Liveness } from '../../core/storage/liveness.js';
import { databaseNotFound, deleteDatabaseOffline, readCatalog } from '../../core/storage/catalog.js';
import { withMaintenanceLock } from '../../core/storage/maintenance-lock.js';
import { journalDone, journalFind, journalPending } from '../../core/storage/purge-journal.js';
import { purgeDatabase, type PurgeResult } from '../../core/storage/walk/purge.js';
import { printJson } from '../../render/output.js';
import { startProgress, type Progress } from '../../render/progress.js';
import { confirmDestructive } from '../../render/prompts.js';
import { formatBytes, formatCount } from '../../render/units.js';
import { distributionWithJava } from '../shared/datomic.js';
import { purgeDeleted, purgeJson, renderPurge, runPurge } from '../shared/purge.js';
import { checkTransactorLiveness, requireNoTransactor, storageKey, withStorage } from '../shared/storage.js';

interface DeleteOutcome {
  dbId: string;
  deleted: boolean;
  via: 'transactor' | 'catalog' | 'none';
  purge: PurgeResult | null;
  resumed: boolean;
}

export async function run(ctx: Ctx, name: string): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  validateDbName(name);
  const purge = Boolean(ctx.flags.purge);
  const dryRun = Boolean(ctx.flags.dryRun);
  if (dryRun && !purge) throw usageError('USAGE', '--dry-run goes with --purge', 'Without --purge, delete only rewrites the catalog: `dtx db delete NAME`, or plan a purge with `dtx db delete NAME --purge --dry-run`.');
  const progress = startProgress(io, 'reading the catalog');
  const result = await withStorage(ctx, async (c): Promise<DeleteOutcome> => {
    const cat = await readCatalog(c);
    const entry = cat.databases.find((d) => d.name === name);
    if (!entry) {
      // `db delete NAME --purge` interrupted after the catalog delete: the journal resumes it
      const j = purge ? await journalFind(cfg.stateDir, storageKey(ctx), name) : null;
      if (j && cat.deleted.includes(j.dbId)) {
        io.note(`resuming the purge of "${name}" (${j.dbId}), which was interrupted after its delete`);
        const r = await purgeDeleted(ctx, c, { dbId: j.dbId, label: `database "${name}"`, dryRun, progress });
        if (!dryRun) await journalDone(cfg.stateDir, storageKey(ctx), j.dbId);
        return { dbId: j.dbId, deleted: true, via: 'none', purge: r, resumed: true };
      }
      if (j && !dryRun) await journalDone(cfg.stateDir, storageKey(ctx), j.dbId);
      throw databaseNotFound(name, cat);
    }
    const live = await checkTransactorLiveness(ctx, c, progress);
    if (live.alive) {
      if (purge) {
        throw new DtxError({
          code: 'PURGE_NEEDS_STOPPED_TRANSACTOR',
          message: '--purge rewrites storage rows directly, which is only safe with no transactor running, and one is alive',
          hint: 'Delete without --purge (then `dtx db gc` reclaims the space), or `dtx transactor stop` first.',
          exitCode: ExitCode.usage,
        });
      }
      progress.stop();
      await confirmDestructive(io, {
        yes: Boolean(ctx.flags.yes),
        action: `deleting database "${name}"`,
        question: `Delete database "${name}" (${entry.dbId})? Its data stays until \`dtx db gc\`.`,
        declined: 'nothing deleted',
        signal: ctx.signal,
      });
      const { dist, java } = await distributionWithJava(ctx);
      const p2 = startProgress(io, `starting a peer JVM to run d/delete-database "${name}"`);
      throwIfAborted(ctx.signal);
      try {
        const r = await runPeer({ dist, op: 'delete', uri: datomicUri(name, cfg.pg), env: io.env, javaBinDir: java.binDir, signal: ctx.signal });
        return { dbId: entry.dbId, deleted: Boolean(r.deleted), via: 'transactor', purge: null, resumed: false };
      } finally {
        p2.stop();
      }
    }
    return deleteOffline(ctx, c, { name, dbId: entry.dbId, purge, dryRun, progress, live });
  }).finally(() => progress.stop());
  if (io.json) {
    printJson(io, { name, dbId: result.dbId, deleted: result.deleted, via: result.via, resumed: result.resumed, purge: result.purge ? purgeJson(result.purge) : null });
    return 0;
  }
  const c = io.chalk;
  if (result.via !== 'none' && !dryRun) {
    io.out(`${c.green('✔')} deleted database ${name} (${result.dbId}) ${c.dim(result.via === 'transactor' ? 'through the transactor' : 'in the catalog (no transactor was running)')}\n`);
  }
  if (result.purge) await renderPurge(ctx, result.purge);
  else io.out(c.dim(`Its id is now in :datomic/deleted: \`dtx db gc\` or \`dtx db purge ${result.dbId}\` reclaims the space; until then \`dtx db undelete ${result.dbId} ${name}\` brings it back.\n`));
  return 0;
}

async function deleteOffline(
  ctx: Ctx,
  c: PgClient,
  o: { name: string; dbId: string; purge: boolean; dryRun: boolean; progress: Progress; live: Liveness },
): Promise<DeleteOutcome> {
  const { io } = ctx;
  const cfg = ctx.config();
  const { guard } = await requireNoTransactor(ctx, c, o.progress, o.purge ? 'a purge' : 'an offline delete', o.live);
  return withMaintenanceLock(c, { what: `deleting "${o.name}"`, waitMs: o.purge ? 0 : 5000, signal: ctx.signal }, async () => {
    let question = `Delete database "${o.name}" (${o.dbId})? Its data stays until \`dtx db gc\`.`;
    if (o.purge) {
      o.progress.update(`planning the purge of "${o.name}"`);
      const plan = await purgeDatabase(c, o.dbId, { dryRun: true, asIfDeleted: true, signal: ctx.signal });
      if (o.dryRun) return { dbId: o.dbId, deleted: false, via: 'catalog', purge: plan, resumed: false };
      question = `Delete database "${o.name}" (${o.dbId}) and its ${formatCount(plan.rows)} rows (${formatBytes(plan.bytes)}) for good? This cannot be undone.`;
    }
    o.progress.stop();
    await confirmDestructive(io, { yes: Boolean(ctx.flags.yes), action: `deleting database "${o.name}"${o.purge ? ' with --purge' : ''}`, question, declined: 'nothing deleted', signal: ctx.signal });
    await guard();
    if (o.purge) await journalPending(cfg.stateDir, { storage: storageKey(ctx), name: o.name, dbId: o.dbId });
    o.progress.update('rewriting the catalog as Datomic does');
    const d = await deleteDatabaseOffline(c, o.name, { beforeWrite: guard, signal: ctx.signal });
    let report: PurgeResult | null = null;
    if (o.purge) {
      report = await runPurge(ctx, c, { dbId: d.dbId, label: `database "${o.name}"`, dryRun: false, guard, progress: o.progress, confirmed: true });
      await journalDone(cfg.stateDir, storageKey(ctx), d.dbId);
    }
    return { dbId: d.dbId, deleted: true, via: 'catalog', purge: report, resumed: false };
  });
}
