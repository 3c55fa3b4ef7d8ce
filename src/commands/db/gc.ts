/**
 * `dtx db gc`: runs Datomic's own `bin/datomic gc-deleted-dbs`, then tells the truth about it.
 * Observed with the peer jar (test/integration/gc-deleted-dbs.test.ts): it deletes a deleted
 * database's root rows and gc'd garbage but only FULL batches of 1000 of its index and log
 * segments (`(partition 1000 ...)` drops the rest), while printing "Deleted N of N". dtx walks the
 * deleted databases first, counts what is left afterwards, and with no transactor alive deletes
 * those rows itself (exactly, as a purge does).
 */
import type { Ctx } from '../../cli/context.js';
import { DtxError } from '../../core/errors.js';
import { throwIfAborted } from '../../core/abort.js';
import { planScript, runScript, withPathFirst } from '../../core/datomic/script.js';
import { systemUri } from '../../core/datomic/uri.js';
import { readCatalog } from '../../core/storage/catalog.js';
import { withMaintenanceLock } from '../../core/storage/maintenance-lock.js';
import { markStorage } from '../../core/storage/walk/mark-all.js';
import { PurgeSet } from '../../core/storage/walk/purge.js';
import { printJson } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';
import { formatBytes, formatCount } from '../../render/units.js';
import { distributionWithJava } from '../shared/datomic.js';
import { checkTransactorLiveness, requireNoTransactor, withStorage } from '../shared/storage.js';
import { runVacuum, VACUUM_HINT, type VacuumResult } from '../shared/vacuum.js';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const { dist, java } = await distributionWithJava(ctx);
  const progress = startProgress(io, 'walking the deleted databases');
  const out = await withStorage(ctx, async (c) => {
    const before = await readCatalog(c);
    const set = await PurgeSet.create(c);
    for (const id of before.deleted) await set.addDatabase(id, ctx.signal);
    const had = await set.present();
    progress.update(`bin/datomic gc-deleted-dbs (${before.deleted.length} deleted database${before.deleted.length === 1 ? '' : 's'})`);
    const env = java.binDir ? withPathFirst(io.env, java.binDir, dist.platform) : { ...io.env };
    // bin/datomic takes the system URI as an argument only, so the storage password is on that
    // process's command line while it runs.
    throwIfAborted(ctx.signal);
    const plan = planScript({ script: dist.scripts.datomic, args: ['gc-deleted-dbs', systemUri(cfg.pg)], home: dist.home, env, platform: dist.platform });
    const r = await runScript(plan, {
      signal: ctx.signal,
      timeoutMs: 6 * 60 * 60_000,
      onLine: (line) => {
        if (line.trim()) progress.update(line.trim().slice(0, 100));
        if (io.verbose) io.err(`${line}\n`);
      },
    });
    if (r.code !== 0) {
      const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-8).join('\n  ');
      throw new DtxError({ code: 'GC_FAILED', message: `bin/datomic gc-deleted-dbs exited with ${r.code ?? r.signal}:\n  ${tail}`, hint: 'See the output above; run with --verbose.' });
    }
    const after = await readCatalog(c);
    const collected = before.deleted.filter((d) => !after.deleted.includes(d));
    // what it left: rows of the collected databases that nothing reaches now
    progress.update('counting what gc-deleted-dbs left behind');
    const { store } = await markStorage(c, after, { signal: ctx.signal });
    const left = await set.plan();
    const datomicDeleted = had.rows - (await set.present()).rows;
    let finished: { rows: number; bytes: number } | null = null;
    let liveTransactor = false;
    if (left.rows > 0) {
      const live = await checkTransactorLiveness(ctx, c, progress);
      liveTransactor = live.alive;
      if (!live.alive) {
        const { guard } = await requireNoTransactor(ctx, c, progress, 'finishing gc', live);
        finished = await withMaintenanceLock(c, { what: 'finishing gc', signal: ctx.signal }, async () => {
          progress.update(`deleting the ${formatCount(left.rows)} rows gc-deleted-dbs left behind`);
          await set.delete(guard);
          return { rows: left.rows, bytes: left.bytes };
        });
      }
    }
    await set.drop();
    await store.drop();
    return { collected, remaining: after.deleted, had, datomicDeleted, left, finished, liveTransactor };
  }).finally(() => progress.stop());
  let vacuum: VacuumResult = { ran: false, as: null, warning: null };
  throwIfAborted(ctx.signal);
  if (ctx.flags.vacuum) vacuum = await runVacuum(ctx);
  if (io.json) {
    printJson(io, {
      collected: out.collected,
      remaining: out.remaining,
      rowsBefore: out.had.rows,
      deletedByDatomic: out.datomicDeleted,
      leftBehind: { rows: out.left.rows, bytes: out.left.bytes },
      deletedByDtx: out.finished,
      vacuum,
    });
    return 0;
  }
  const c = io.chalk;
  io.out(`${c.green('✔')} gc-deleted-dbs collected ${out.collected.length} database${out.collected.length === 1 ? '' : 's'}${out.collected.length ? `: ${out.collected.join(', ')}` : ''}\n`);
  if (out.had.rows > 0) {
    io.out(`  their rows: ${formatCount(out.had.rows)} (${formatBytes(out.had.bytes)}); Datomic deleted ${formatCount(out.datomicDeleted)}, and left ${formatCount(out.left.rows)} (${formatBytes(out.left.bytes)}) that nothing references\n`);
    if (out.left.rows > 0) io.out(c.dim('  (gc-deleted-dbs deletes index and log segments only in full batches of 1000: the rest of each database stays)\n'));
  }
  if (out.finished) io.out(`${c.green('✔')} dtx deleted those ${formatCount(out.finished.rows)} rows (${formatBytes(out.finished.bytes)})\n`);
  else if (out.left.rows > 0 && out.liveTransactor) {
    io.warn(`a transactor is running, so dtx left them: \`dtx storage gc\` sweeps them once they are older than --older-than (or stop the transactor and run \`dtx storage gc --older-than 0\`)`);
  }
  if (out.remaining.length) io.out(`${c.yellow('still in :datomic/deleted:')} ${out.remaining.join(', ')}\n`);
  if (vacuum.ran) io.out(`${c.green('✔')} VACUUM datomic_kvs (as ${vacuum.as})\n`);
  if (vacuum.warning) io.warn(vacuum.warning);
  if (!ctx.flags.vacuum) io.out(c.dim(`${VACUUM_HINT}\n`));
  return 0;
}
