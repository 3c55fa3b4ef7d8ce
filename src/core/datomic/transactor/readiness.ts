/**
 * Waiting until a launched transactor is ready ("System started", its port accepting connections
 * and a fresh heartbeat of its own), and failing fast, with the classified cause, when it reports a
 * fatal error, exits, is cancelled or times out (docs/datomic-storage.md §4, §6).
 */
import { abortableSleep } from '../../abort.js';
import { DtxError, ExitCode } from '../../errors.js';
import { isPortOpen } from '../../net.js';
import { heartbeatAgeMs, readHeartbeats, type Heartbeat } from '../../storage/heartbeat.js';
import { linesWrittenSince } from '../logs.js';
import { removeFile } from '../pidfile.js';
import type { TransactorSettings } from '../properties.js';
import { classifyFailure, relevantLines } from './failure.js';
import type { Running } from './launch.js';
import { OutputScanner } from './output-scanner.js';
import type { Prepared } from './preflight.js';
import { progress, type StartResult, type StartTransactorOptions } from './start-options.js';
import { terminate } from './terminate.js';

function matches(hb: Heartbeat | null, s: TransactorSettings): boolean {
  if (!hb) return false;
  if (hb.port !== s.port) return false;
  return hb.host === null || hb.host === s.host;
}
function fresh(before: Heartbeat | null, now: Heartbeat | null, s: TransactorSettings): boolean {
  return matches(now, s) && (before === null || now?.rev !== before.rev);
}

/** What this run wrote to the log-dir so far (never lines of an earlier run in the same daily file). */
async function thisRunsLogLines(run: Running): Promise<{ file: string | null; lines: string[] }> {
  const r = await linesWrittenSince(run.logDir, run.logDirSizes);
  return { file: r.files.length ? r.files.join(', ') : null, lines: r.lines };
}

/**
 * Polls the launched transactor until it is ready (returns the StartResult) or has failed: a fatal
 * line, an early exit, the abort signal or the timeout stop it at once and throw the classified error.
 */
export async function waitReady(prep: Prepared, opts: StartTransactorOptions, run: Running, spawnAt: number): Promise<StartResult> {
  const { settings, platform } = prep;
  const pollMs = opts.pollMs ?? 100;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const deadline = spawnAt + timeoutMs;
  const scanner = new OutputScanner();
  const logDir = run.logDir;
  let sysSeenAt: number | null = null;
  let lastHbCheck = 0;
  let portOk = false;
  let hbState: { role: 'active' | 'standby'; hb: Heartbeat } | null = null;

  const fail = async (err: DtxError | null, why: string, exitCode?: number | null): Promise<never> => {
    if (!(run.exited)) await terminate(run.pid, { platform, graceMs: 0, force: true, run: opts.run, child: run.child });
    await removeFile(prep.paths.pidFile);
    scanner.feed(await run.read().catch(() => ''));
    scanner.flush();
    if (err) throw err;
    const logLines = await thisRunsLogLines(run);
    throw classifyFailure([...scanner.lines, ...logLines.lines], why, {
      exitCode: exitCode ?? run.exited?.code ?? null,
      outLog: prep.paths.outLog,
      logFile: logLines.file ?? undefined,
    });
  };

  let wake: (() => void) | null = null;
  run.child.on('exit', () => wake?.());
  const onAbort = (): void => wake?.();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      if (opts.signal?.aborted) {
        await fail(new DtxError({ code: 'CANCELLED', message: 'transactor start cancelled; the transactor was stopped', exitCode: ExitCode.cancelled }), 'cancelled');
      }
      scanner.feed(await run.read());
      if (scanner.fatal) {
        const what = scanner.missingProperty ? 'the transactor refused its properties' : 'the transactor failed to start';
        progress(opts, 'transactor failed; stopping it');
        await fail(null, what);
      }
      if (run.exited) {
        // Let the last output land (no signal: an abort here must still go through fail()).
        await abortableSleep(30);
        scanner.feed(await run.read());
        scanner.flush();
        await fail(null, `the transactor exited during startup (exit ${run.exited.code ?? run.exited.signal ?? '?'})`, run.exited.code);
      }
      const now = Date.now();
      if (scanner.systemStarted && sysSeenAt === null) {
        sysSeenAt = now;
        progress(opts, 'System started; waiting for the port and heartbeat');
      }
      if (scanner.systemStarted && !portOk) portOk = await isPortOpen(settings.host, settings.port, 300);
      const wantHb = (scanner.systemStarted && portOk) || (opts.standby && now - lastHbCheck >= 250);
      if (wantHb && !hbState) {
        lastHbCheck = now;
        const hbs = await readHeartbeats(prep.client).catch(() => null);
        if (!hbs) { /* storage hiccup or a half-written row: try again next poll */ }
        else if (scanner.systemStarted && portOk && fresh(prep.before.active, hbs.active, settings) && hbs.active) hbState = { role: 'active', hb: hbs.active };
        else if (opts.standby && fresh(prep.before.standby, hbs.standby, settings) && hbs.standby) hbState = { role: 'standby', hb: hbs.standby };
      }
      if (hbState) {
        const readyAt = Date.now();
        progress(opts, hbState.role === 'active' ? 'ready' : 'ready (standby)');
        return {
          pid: run.pid,
          role: hbState.role,
          host: settings.host,
          port: settings.port,
          pingHost: settings.pingHost ?? null,
          pingPort: settings.pingPort ?? null,
          propertiesFile: settings.file,
          datomicHome: prep.dist.home,
          version: hbState.hb.version ?? prep.dist.version,
          java: prep.java,
          outLog: prep.paths.outLog,
          logDir,
          heartbeat: { rev: hbState.hb.rev, version: hbState.hb.version, heartbeatAgeMs: heartbeatAgeMs(hbState.hb) },
          timings: {
            systemStartedSeenAt: sysSeenAt,
            readyAt,
            spawnToReadyMs: readyAt - spawnAt,
            systemStartedToReadyMs: sysSeenAt === null ? null : readyAt - sysSeenAt,
          },
        };
      }
      if (now >= deadline) {
        const missing = !scanner.systemStarted ? 'no "System started" line' : !portOk ? `port ${settings.port} not accepting connections` : 'no fresh heartbeat in pod-coord';
        progress(opts, 'timed out; stopping the transactor');
        const logLines = await thisRunsLogLines(run);
        const lines = relevantLines([...scanner.lines, ...logLines.lines]);
        await fail(new DtxError({
          code: 'TRANSACTOR_START_TIMEOUT',
          message: `the transactor was not ready after ${Math.round(timeoutMs / 1000)} s (${missing}); it was stopped\n${lines.map((l) => `  | ${l}`).join('\n')}`,
          hint: `Raise --timeout, or see \`dtx transactor logs\` (${prep.paths.outLog}).`,
          exitCode: ExitCode.failed,
          details: { lines, missing },
        }), 'timeout');
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, pollMs);
      });
      wake = null;
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

