/**
 * `dtx down`: stops what `dtx up` started for this state dir: the transactor, then the embedded
 * PostgreSQL of this state dir (dtx started it: its data and pid live there). A PostgreSQL that dtx
 * did not start (any configured server) is never touched: dtx has no way to stop it and does not
 * try. Idempotent: with nothing running it says so and exits 0.
 */
import { stopTimeoutMs } from './shared/timeout.js';
import type { Ctx } from '../cli/context.js';
import { throwIfAborted } from '../core/abort.js';
import { stopTransactor, type StopResult } from '../core/datomic/transactor/stop.js';
import { embeddedStatus, stopEmbedded } from '../core/postgres/embedded.js';
import { embeddedForTarget } from '../core/postgres/target.js';
import { printJson, renderTable } from '../render/output.js';
import { startProgress } from '../render/progress.js';

export interface DownReport {
  transactor: { stopped: boolean; pid: number | null; forced: boolean; note: string | null };
  postgres: {
    /** This state dir's embedded server was running before. */
    embeddedWasRunning: boolean;
    stopped: boolean;
    /** Why it was left running (--keep-postgres), or that the target is a server dtx did not start. */
    note: string | null;
  };
  changed: boolean;
}

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const graceMs = stopTimeoutMs(ctx);
  const progress = startProgress(io, 'stopping the transactor');
  let tx: StopResult;
  const report: DownReport = {
    transactor: { stopped: false, pid: null, forced: false, note: null },
    postgres: { embeddedWasRunning: false, stopped: false, note: null },
    changed: false,
  };
  try {
    throwIfAborted(ctx.signal);
    tx = await stopTransactor({ stateDir: cfg.stateDir, timeoutMs: graceMs, propertiesFile: cfg.properties });
    report.transactor = { stopped: tx.stopped, pid: tx.pid, forced: tx.forced, note: tx.stopped ? null : tx.note };
    progress.update('checking the embedded PostgreSQL');
    const st = await embeddedStatus(cfg.stateDir);
    report.postgres.embeddedWasRunning = st.running;
    const servesTarget = embeddedForTarget(cfg, st).serves;
    if (!st.running) {
      report.postgres.note = st.initialized
        ? `the embedded PostgreSQL of ${cfg.stateDir} is not running`
        : `no embedded PostgreSQL in ${cfg.stateDir}; the server at ${cfg.pg.host}:${cfg.pg.port} is not one dtx started: left alone`;
    } else if (ctx.flags.keepPostgres) {
      report.postgres.note = 'left running (--keep-postgres)';
    } else {
      // Ctrl-C while the transactor stopped: the server stays up.
      throwIfAborted(ctx.signal);
      progress.update('stopping the embedded PostgreSQL');
      const r = await stopEmbedded({ stateDir: cfg.stateDir });
      report.postgres.stopped = r.stopped;
      if (!servesTarget) report.postgres.note = `it served port ${st.port ?? '?'}, not the storage target ${cfg.pg.host}:${cfg.pg.port}`;
    }
  } finally {
    progress.stop();
  }
  report.changed = report.transactor.stopped || report.postgres.stopped;
  if (io.json) {
    printJson(io, report);
    return 0;
  }
  const c = io.chalk;
  const rows = [
    [
      'transactor',
      report.transactor.stopped ? c.green(`stopped${report.transactor.forced ? ' (killed after the grace period)' : ''}`) : c.dim('not running'),
      report.transactor.stopped ? `pid ${report.transactor.pid}` : (report.transactor.note ?? ''),
    ],
    [
      'PostgreSQL',
      report.postgres.stopped ? c.green('stopped (embedded)') : report.postgres.embeddedWasRunning ? c.yellow('running') : c.dim('not stopped'),
      report.postgres.note ?? '',
    ],
  ];
  io.out(renderTable(io, ['', 'state', 'detail'], rows));
  io.out(report.changed ? `${c.green('✔')} down\n` : `${c.dim('•')} nothing was running here; nothing to stop\n`);
  for (const f of tx.cleaned) io.debug(`removed stale ${f}`);
  return 0;
}
