import type { Ctx } from '../../cli/context.js';
import { stopEmbedded } from '../../core/postgres/embedded.js';
import { printJson } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const progress = startProgress(io, 'stopping the embedded PostgreSQL');
  let r;
  try {
    r = await stopEmbedded({ stateDir: cfg.stateDir });
  } finally {
    progress.stop();
  }
  if (io.json) printJson(io, { stopped: r.stopped, wasRunning: r.wasRunning });
  else if (r.stopped) io.out(`${io.chalk.green('✔')} embedded PostgreSQL stopped\n`);
  else io.note(`the embedded PostgreSQL in ${cfg.stateDir} is not running; nothing to stop`);
  return 0;
}
