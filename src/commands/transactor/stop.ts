import { stopTimeoutMs } from '../shared/timeout.js';
import type { Ctx } from '../../cli/context.js';
import { stopTransactor } from '../../core/datomic/transactor/stop.js';
import { printJson } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const graceMs = stopTimeoutMs(ctx);
  const progress = startProgress(io, 'stopping the transactor');
  let r;
  try {
    r = await stopTransactor({ stateDir: cfg.stateDir, timeoutMs: graceMs, propertiesFile: cfg.properties });
  } finally {
    progress.stop();
  }
  if (io.json) {
    printJson(io, { stopped: r.stopped, pid: r.pid, forced: r.forced, note: r.note, cleaned: r.cleaned });
    return 0;
  }
  if (r.stopped) io.out(`${io.chalk.green('✔')} transactor stopped (pid ${r.pid}${r.forced ? ', killed after the grace period' : ''})\n`);
  else io.note(r.note ?? 'no transactor started by dtx is running here; nothing to stop');
  // Datomic leaves its pid file behind on every exit; cleaning it is routine, not news.
  for (const f of r.cleaned) io.debug(`removed stale ${f}`);
  return 0;
}
