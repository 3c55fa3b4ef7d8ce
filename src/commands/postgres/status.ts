import type { Ctx } from '../../cli/context.js';
import { ExitCode } from '../../core/errors.js';
import { embeddedStatus } from '../../core/postgres/embedded.js';
import { printJson, keyValues } from '../../render/output.js';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const st = await embeddedStatus(cfg.stateDir);
  if (io.json) {
    printJson(io, { running: st.running, initialized: st.initialized, pid: st.pid, port: st.port, dataDir: st.dataDir, version: st.dataVersion, logFile: st.logFile });
  } else {
    const c = io.chalk;
    io.out(
      keyValues(io, [
        ['embedded PostgreSQL', st.running ? c.green('running') : st.initialized ? c.yellow('stopped') : c.dim('not created')],
        ['pid', st.pid],
        ['port', st.port],
        ['version', st.dataVersion],
        ['data', st.dataDir],
      ]),
    );
  }
  return st.running ? ExitCode.ok : ExitCode.notFound;
}
