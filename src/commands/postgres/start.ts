import type { Ctx } from '../../cli/context.js';
import { startEmbedded } from '../../core/postgres/embedded.js';
import { printJson, keyValues } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const progress = startProgress(io, `starting the embedded PostgreSQL on port ${cfg.pg.port}`);
  let r;
  try {
    r = await startEmbedded({ stateDir: cfg.stateDir, port: cfg.pg.port, onProgress: (s) => progress.update(s) });
  } finally {
    progress.stop();
  }
  if (io.json) {
    printJson(io, { running: true, alreadyRunning: r.alreadyRunning, initialized: r.initializedNow, pid: r.pid, port: r.port, dataDir: r.dataDir, logFile: r.logFile });
    return 0;
  }
  io.out(`${io.chalk.green('✔')} embedded PostgreSQL ${r.alreadyRunning ? 'was already running' : 'started'}\n`);
  io.out(keyValues(io, [['pid', r.pid], ['port', r.port], ['data', r.dataDir], ['log', r.logFile]]));
  if (!r.alreadyRunning) io.out(`${io.chalk.dim(`It keeps running after dtx exits; \`dtx postgres stop\` stops it. Next: ${io.cmd} init-postgres`)}\n`);
  return 0;
}
