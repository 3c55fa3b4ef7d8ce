/**
 * `dtx storage gc`: sweep unreferenced rows. Without a transactor dtx sweeps them itself (see
 * src/core/storage/walk/sweep.ts); with a live one it never deletes on its own, because peers may
 * still read older roots: it runs Datomic's own d/gc-storage for each database through the peer,
 * then reports what is still unreferenced and how old it is.
 */
import type { Ctx } from '../../cli/context.js';
import { DtxError, ExitCode } from '../../core/errors.js';
import { formatDuration, parseDuration } from '../../core/duration.js';
import { runPeer } from '../../core/datomic/peer.js';
import { datomicUri } from '../../core/datomic/uri.js';
import type { PgClient } from '../../core/postgres/client.js';
import { readCatalog } from '../../core/storage/catalog.js';
import { withMaintenanceLock } from '../../core/storage/maintenance-lock.js';
import { RECENT_MS, storageReport } from '../../core/storage/walk/report.js';
import { sweepStorage, SWEEP_KINDS, type SweepResult } from '../../core/storage/walk/sweep.js';
import { keyValues, printJson, renderTable } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';
import { confirmDestructive } from '../../render/prompts.js';
import { formatBytes, formatCount, formatTimestamp, progressBar } from '../../render/units.js';
import { distributionWithJava } from '../shared/datomic.js';
import { checkTransactorLiveness, requireNoTransactor, withStorage } from '../shared/storage.js';
import { runVacuum, VACUUM_HINT, type VacuumResult } from '../shared/vacuum.js';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const olderThanMs = parseDuration(String(ctx.flags.olderThan ?? '1d'), '--older-than');
  const dryRun = Boolean(ctx.flags.dryRun);
  const progress = startProgress(io, 'checking for a live transactor');
  const out = await withStorage(ctx, async (c) => {
    const live = await checkTransactorLiveness(ctx, c, progress);
    if (live.alive) return { mode: 'transactor' as const, ...(await viaTransactor(ctx, c, olderThanMs, dryRun, progress)) };
    const { guard, lastHeartbeatMs } = await requireNoTransactor(ctx, c, progress, 'a sweep', live);
    const sweep = await withMaintenanceLock(c, { what: 'the sweep', signal: ctx.signal }, () =>
      sweepStorage(c, {
        olderThanMs,
        lastHeartbeatMs,
        dryRun,
        signal: ctx.signal,
        beforeWrite: guard,
        onProgress: (p) => progress.update(p.phase === 'marking' ? 'marking every row the catalog reaches' : `deleting ${progressBar(p.done, p.total)} rows`),
        confirm: async (plan) => {
          progress.stop();
          await confirmDestructive(io, {
            yes: Boolean(ctx.flags.yes),
            action: 'sweeping unreferenced rows',
            question: `Delete ${formatCount(plan.rows)} unreferenced rows (${formatBytes(plan.bytes)}), garbage for more than ${formatDuration(olderThanMs)}?`,
            declined: 'nothing swept',
            signal: ctx.signal,
          });
        },
      }),
    );
    return { mode: 'sweep' as const, sweep, collected: [] as string[], unreferenced: null };
  }).finally(() => progress.stop());
  let vacuum: VacuumResult = { ran: false, as: null, warning: null };
  const deleted = out.mode === 'sweep' && !dryRun && out.sweep.rows > 0;
  if (ctx.flags.vacuum && deleted) vacuum = await runVacuum(ctx);
  if (io.json) {
    printJson(io, { mode: out.mode, olderThan: formatDuration(olderThanMs), dryRun, sweep: out.sweep, gcStorage: out.collected, unreferenced: out.unreferenced, vacuum });
    return 0;
  }
  const c = io.chalk;
  if (out.mode === 'transactor') {
    io.out(`${c.green('✔')} a transactor is running: ran Datomic's gc-storage (older than ${formatDuration(olderThanMs)}) on ${out.collected.length} database${out.collected.length === 1 ? '' : 's'}${dryRun ? c.yellow(' (dry run: not run)') : ''}\n`);
    const u = out.unreferenced ?? [];
    if (u.length === 0) io.out('nothing unreferenced is left\n');
    else {
      io.out('still unreferenced (dtx does not sweep while a transactor runs):\n');
      io.out(renderTable(io, ['kind', 'rows', 'bytes', 'oldest'], u.map((g) => [g.name ?? '?', formatCount(g.rows), formatBytes(g.bytes), formatTimestamp(g.oldest)])));
      io.out(c.dim('Stop the transactor and run `dtx storage gc` to sweep them.\n'));
    }
    return 0;
  }
  await renderSweep(ctx, out.sweep, olderThanMs);
  if (vacuum.ran) io.out(`${c.green('✔')} VACUUM datomic_kvs (as ${vacuum.as})\n`);
  if (vacuum.warning) io.warn(vacuum.warning);
  if (deleted && !ctx.flags.vacuum) io.out(c.dim(`${VACUUM_HINT}\n`));
  return 0;
}

async function viaTransactor(ctx: Ctx, c: PgClient, olderThanMs: number, dryRun: boolean, progress: ReturnType<typeof startProgress>) {
  const { io } = ctx;
  const cfg = ctx.config();
  const cat = await readCatalog(c);
  const collected: string[] = [];
  if (!dryRun) {
    const { dist, java } = await distributionWithJava(ctx);
    for (const d of cat.databases) {
      progress.update(`Datomic's gc-storage on "${d.name}" through the transactor`);
      await runPeer({ dist, op: 'gc-storage', uri: datomicUri(d.name, cfg.pg), arg: String(olderThanMs), env: io.env, javaBinDir: java.binDir, signal: ctx.signal });
      collected.push(d.name);
    }
  }
  progress.update('reporting what is still unreferenced');
  const report = await storageReport(c, { signal: ctx.signal, recentMs: RECENT_MS });
  if (report.unreadable.length) {
    throw new DtxError({ code: 'STORAGE_UNREADABLE', message: `${report.unreadable.length} part(s) of the trees could not be read`, hint: 'See `dtx storage report`.', exitCode: ExitCode.failed });
  }
  return { sweep: null, collected, unreferenced: report.groups.filter((g) => g.kind === 'unreferenced') };
}

async function renderSweep(ctx: Ctx, r: SweepResult, olderThanMs: number): Promise<void> {
  const { io } = ctx;
  const c = io.chalk;
  const verb = r.dryRun ? 'would delete' : 'deleted';
  io.out(`${r.dryRun ? c.yellow('dry run:') : c.green('✔')} ${verb} ${formatCount(r.rows)} unreferenced rows (${formatBytes(r.bytes)}) that were garbage before ${formatTimestamp(r.cutoff)} (--older-than ${formatDuration(olderThanMs)})\n`);
  const rows = SWEEP_KINDS.filter((k) => r.swept[k].rows > 0).map((k) => [k, formatCount(r.swept[k].rows), formatBytes(r.swept[k].bytes), formatTimestamp(r.swept[k].oldest)]);
  if (rows.length) io.out(renderTable(io, ['kind', 'rows', 'bytes', 'oldest'], rows));
  io.out(
    keyValues(io, [
      ['kept (too young)', r.tooYoung.rows ? `${formatCount(r.tooYoung.rows)} rows (${formatBytes(r.tooYoung.bytes)}), garbage since ${formatTimestamp(r.tooYoung.oldest)} or later` : '0'],
      ['kept (undated)', r.undatable.rows ? `${formatCount(r.undatable.rows)} rows whose id does not date them, e.g. ${r.undatable.sample.join(', ')}` : '0'],
      ['sample', r.sample.join(', ') || '-'],
    ]),
  );
}
