/**
 * The one exit point: runs the program, catches every error, prints `error:`/`hint:` (or one JSON
 * document with --json) and returns the exit code. bin/dtx.js sets process.exitCode from it.
 */
import { CommanderError } from 'commander';
import { createIo, type Io } from './io.js';
import { buildProgram } from './program.js';
import { DtxError, ExitCode } from '../core/errors.js';
import { maskSecrets } from '../core/mask.js';
import { DECLINED } from '../render/prompts.js';
import { detectInvocation, forInvocation, helpForInvocation } from './invocation.js';

export async function main(argv: string[], ioOverride?: Io): Promise<number> {
  const io =
    ioOverride ??
    createIo({
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      cwd: process.cwd(),
      stdinIsTTY: Boolean(process.stdin.isTTY),
      cmd: detectInvocation({ env: process.env, script: argv[1], platform: process.platform }),
    });
  // Decide --json / --no-color early so even parse errors are rendered right.
  if (argv.includes('--json')) io.json = true;
  if (argv.includes('--verbose')) io.verbose = true;
  const controller = new AbortController();
  // A reader that went away (`dtx db list | head -1`) is not an error: writes to its stream are
  // dropped, the command is asked to stop, and dtx exits 0 when it was stdout.
  // The listeners stay after main returns: a buffered write may fail later.
  let stdoutClosed = false;
  let returned = false;
  const onStreamError = (stream: 'stdout' | 'stderr') => () => {
    io.closed(stream);
    if (stream !== 'stdout') return;
    stdoutClosed = true;
    if (returned) process.exitCode = ExitCode.ok;
    controller.abort(new DtxError({ code: 'OUTPUT_CLOSED', message: 'stdout was closed by its reader', exitCode: ExitCode.ok }));
  };
  if (!ioOverride) {
    process.stdout.on('error', onStreamError('stdout'));
    process.stderr.on('error', onStreamError('stderr'));
  }
  let exitCode = 0;
  let interrupted = 0;
  const onSigint = () => {
    interrupted++;
    controller.abort(new DtxError({ code: 'CANCELLED', message: 'cancelled (Ctrl-C)', exitCode: ExitCode.cancelled }));
    // The first Ctrl-C asks the command to stop (it cleans up, e.g. stops a foreground
    // transactor); a second one leaves at once.
    if (interrupted > 1) process.exit(ExitCode.cancelled);
    io.err('\n(stopping; press Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  const program = buildProgram(io, { signal: controller.signal, setExitCode: (c) => (exitCode = c) });
  let usageText = '';
  let errCommand = 'dtx';
  program.exitOverride();
  const configure = (cmd: typeof program) => {
    const fullName = (): string => {
      const names: string[] = [];
      for (let c: typeof program | null = cmd; c; c = c.parent) names.unshift(c.name());
      return names.join(' ');
    };
    cmd.configureOutput({
      writeOut: (s) => io.stdout.write(helpForInvocation(s, io.cmd)), // help/version text: no secrets, no masking
      writeErr: (s) => {
        usageText += s;
        errCommand = fullName();
      },
      outputError: () => {},
    });
    cmd.exitOverride();
    for (const sub of cmd.commands) configure(sub);
  };
  configure(program);
  try {
    await program.parseAsync(argv);
    return stdoutClosed ? ExitCode.ok : exitCode;
  } catch (e) {
    if (stdoutClosed) return ExitCode.ok;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return ExitCode.ok;
      if (e.code === 'commander.help') {
        // A command group without its subcommand (`dtx db`): show what it offers, as a usage error.
        if (!io.json) io.err(helpForInvocation(usageText, io.cmd));
        else return report(io, new DtxError({ code: 'USAGE', message: `${errCommand} needs a subcommand`, hint: `Run \`${errCommand} --help\`.`, exitCode: ExitCode.usage }));
        return ExitCode.usage;
      }
      if (e.code === 'commander.executeSubCommandAsync' || e.exitCode === 0) {
        if (usageText && !io.json) io.err(helpForInvocation(usageText, io.cmd));
        return ExitCode.ok;
      }
      const message = e.message.replace(/^error:\s*/, '');
      const err = new DtxError({ code: 'USAGE', message, hint: `Run \`${errCommand} --help\` for usage.`, exitCode: ExitCode.usage });
      return report(io, err);
    }
    const err =
      e instanceof DtxError
        ? e
        : controller.signal.aborted
          ? new DtxError({ code: 'CANCELLED', message: 'cancelled', exitCode: ExitCode.cancelled })
          : new DtxError({
              code: 'INTERNAL',
              message: e instanceof Error ? e.message : String(e),
              hint: 'This is a bug in dtx; re-run with --verbose and report the output.',
              cause: e,
            });
    if (io.verbose && !io.json) io.err(`${maskSecrets(String((e as Error)?.stack ?? e))}\n`);
    return report(io, err);
  } finally {
    process.off('SIGINT', onSigint);
    io.status(null);
    returned = true;
  }
}

function report(io: Io, err: DtxError): number {
  if (io.json) {
    const error: Record<string, unknown> = { code: err.code, message: forInvocation(err.message, io.cmd) };
    if (err.hint) error.hint = forInvocation(err.hint, io.cmd);
    if (err.details) error.details = err.details;
    io.out(`${JSON.stringify({ ok: false, error }, null, 2)}\n`);
  } else if (err.code === DECLINED) {
    io.err(`${err.message}\n`); // a choice, not a failure
  } else {
    io.err(`${io.chalk.red('error:')} ${err.message}\n`);
    if (err.hint) io.err(`${io.chalk.yellow('hint:')} ${err.hint}\n`);
  }
  return err.exitCode;
}
