import type { Ctx } from '../../cli/context.js';
import { DtxError, ExitCode } from '../../core/errors.js';
import { runTransactorForeground, startTransactor } from '../../core/datomic/transactor/start.js';
import type { StartResult } from '../../core/datomic/transactor/start-options.js';
import { ensureStorageServer } from '../../core/postgres/target.js';
import { keyValues, printJson } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';
import { datomicHomeChoice, explainInstalledDefault } from '../shared/datomic.js';
import { startTimeoutMs } from '../shared/timeout.js';
import { launchOptions, propertiesForLaunch } from '../shared/transactor.js';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const progress = startProgress(io, 'preparing');
  let result: StartResult;
  const choice = await datomicHomeChoice(ctx);
  try {
    // With generated properties the storage is --pg-url, which may be the embedded server; a
    // user's own properties file names its storage itself (sql-url), and dtx leaves that alone.
    if (!cfg.properties) await ensureStorageServer(cfg, { onNotice: (t) => io.note(t), onProgress: (s) => progress.update(s) });
    const props = await propertiesForLaunch(ctx);
    const common = launchOptions(ctx, {
      propertiesFile: props.file,
      datomicHome: choice?.home,
      standby: Boolean(ctx.flags.standby),
      timeoutMs: startTimeoutMs(ctx),
      onProgress: (s: string) => progress.update(s),
    });
    if (ctx.flags.foreground) {
      let streaming = false;
      const r = await runTransactorForeground({
        ...common,
        onOutput: (text) => {
          // The transactor's own output takes over the terminal from the spinner.
          if (!streaming) progress.stop();
          streaming = true;
          io.out(text);
        },
        onReady: (ready) => {
          progress.stop();
          io.err(`${io.chalk.green('✔')} transactor ready (pid ${ready.pid}); Ctrl-C stops it\n`);
        },
      });
      progress.stop();
      if (r.stoppedBySignal) {
        io.note('transactor stopped');
        return ExitCode.cancelled;
      }
      if (r.exitCode !== 0) {
        throw new DtxError({ code: 'TRANSACTOR_EXITED', message: `the transactor exited with code ${r.exitCode ?? r.signal}`, hint: 'See the output above, or `dtx transactor logs`.' });
      }
      return 0;
    }
    result = await startTransactor(common);
    progress.stop();
  } catch (e) {
    progress.stop();
    throw explainInstalledDefault(ctx, choice, e);
  }
  if (io.json) {
    printJson(io, {
      running: true,
      pid: result.pid,
      role: result.role,
      host: result.host,
      port: result.port,
      version: result.version,
      propertiesFile: result.propertiesFile,
      datomicHome: result.datomicHome,
      outLog: result.outLog,
      logDir: result.logDir,
      heartbeat: result.heartbeat,
      timings: result.timings,
    });
    return 0;
  }
  const c = io.chalk;
  io.out(`${c.green('✔')} transactor ${result.role === 'standby' ? c.yellow('started as standby') : 'ready'} (pid ${result.pid})\n`);
  io.out(
    keyValues(io, [
      ['address', `${result.host}:${result.port}`],
      ['version', result.version ?? '?'],
      ['health', result.pingPort ? `http://${result.pingHost}:${result.pingPort}/health` : 'unconfigured'],
      ['properties', result.propertiesFile],
      ['output', result.outLog],
      ['log dir', result.logDir],
    ]),
  );
  io.out(c.dim(`Next: ${io.cmd} db create <name>   ·   ${io.cmd} transactor status   ·   ${io.cmd} transactor stop\n`));
  return 0;
}
