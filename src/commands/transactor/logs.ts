import type { Ctx } from '../../cli/context.js';
import { DtxError, ExitCode } from '../../core/errors.js';
import { followLogs, readLogs } from '../../core/datomic/logs.js';
import { printJson } from '../../render/output.js';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const n = Number(ctx.flags.lines ?? '50');
  if (!Number.isInteger(n) || n < 0) {
    throw new DtxError({ code: 'USAGE', message: `--lines must be a whole number, got "${String(ctx.flags.lines)}"`, hint: 'e.g. -n 200', exitCode: ExitCode.usage });
  }
  const r = await readLogs({ stateDir: cfg.stateDir, lines: n });
  if (io.json) {
    printJson(io, { captured: r.captured, log: r.log, logDir: r.logDir });
    return 0;
  }
  if (!r.captured && !r.log) {
    io.note(`no transactor logs in ${cfg.stateDir} yet (dtx transactor start writes them)`);
    if (!ctx.flags.follow) return ExitCode.notFound;
  }
  for (const section of [r.captured, r.log]) {
    if (!section) continue;
    io.out(`${io.chalk.bold(`==> ${section.file} <==`)}\n`);
    io.out(section.lines.length ? `${section.lines.join('\n')}\n` : io.chalk.dim('(empty)\n'));
  }
  if (ctx.flags.follow) {
    const files = [r.captured?.file].filter((f): f is string => Boolean(f));
    for await (const l of followLogs({ files, logDir: r.logDir, signal: ctx.signal })) io.out(`${l.line}\n`);
  }
  return 0;
}
