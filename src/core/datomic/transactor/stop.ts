/**
 * Stopping the transactor dtx started from a state dir: find its pid (dtx's pid file, Datomic's own
 * pid-file), make sure it is really a transactor, then stop it gracefully and, after the grace
 * period, by force. Stale pid files are cleaned.
 */
import path from 'node:path';
import { DtxError, ExitCode } from '../../errors.js';
import type { Platform } from '../distribution.js';
import { checkPidFile, readLaunchRecord, readPidFile, removeFile, transactorPaths } from '../pidfile.js';
import { isAlive, type CommandRunner, type ExecText } from '../process.js';
import { loadTransactorProperties } from '../properties.js';
import { maskSecrets } from '../../mask.js';
import { describeOutcome, terminate, type ActionOutcome } from './terminate.js';

export interface StopTransactorOptions {
  stateDir: string;
  /** Grace period before the forced kill (default 30 000). */
  timeoutMs?: number;
  platform?: Platform;
  /** Also look at this file's pid-file (e.g. the user's --properties). */
  propertiesFile?: string | undefined;
  /** Skip the grace period. */
  force?: boolean;
  /** For tests: how process command lines are looked up (ps, PowerShell). */
  exec?: ExecText;
  /** For tests: how taskkill is run (its exit code and output are reported). */
  run?: CommandRunner;
}

export interface StopResult {
  stopped: boolean;
  pid: number | null;
  forced: boolean;
  /** Set when nothing was stopped (why), or when stale pid files were cleaned. */
  note: string | null;
  cleaned: string[];
}

/** The process survived the forced kill: say what the kill command itself answered (taskkill's message). */
function stopFailed(pid: number, platform: Platform, outcome: ActionOutcome | null): DtxError {
  const said = outcome ? `; ${describeOutcome(outcome)}` : '';
  const denied = outcome !== null && /access is denied|access denied/i.test(`${outcome.result.stderr}\n${outcome.result.stdout}`);
  const hint = platform === 'win32'
    ? `${denied ? 'taskkill was denied access. ' : ''}Run \`dtx transactor stop\` as the user that started the transactor, or from an elevated prompt (Run as administrator); \`tasklist /FI "PID eq ${pid}"\` shows the process.`
    : `Try \`kill -9 ${pid}\` as the user that started it.`;
  return new DtxError({
    code: 'TRANSACTOR_STOP_FAILED',
    message: maskSecrets(`the transactor (pid ${pid}) is still running after a forced kill${said}`),
    hint,
    exitCode: ExitCode.failed,
    details: outcome ? { command: outcome.commandLine, exitCode: outcome.result.code, stdout: maskSecrets(outcome.result.stdout), stderr: maskSecrets(outcome.result.stderr) } : undefined,
  });
}

/**
 * Stops the transactor dtx started from this state dir (dtx's pid file, else the properties'
 * pid-file). Verifies the pid is a transactor first. Idempotent: nothing running → {stopped:false, note}.
 * Errors: TRANSACTOR_STOP_FAILED (exit 1) when the process survives the forced kill.
 */
export async function stopTransactor(opts: StopTransactorOptions): Promise<StopResult> {
  const platform = opts.platform ?? process.platform;
  const paths = transactorPaths(opts.stateDir);
  const rec = await readLaunchRecord(paths.launchFile);
  const files: string[] = [paths.pidFile];
  if (rec?.datomicPidFile) files.push(rec.datomicPidFile);
  if (opts.propertiesFile) {
    try {
      const s = await loadTransactorProperties(opts.propertiesFile);
      if (s.pidFile) files.push(path.resolve(rec?.datomicHome ?? '.', s.pidFile));
    } catch {
      /* an unreadable properties file only means one place less to look */
    }
  }
  files.push(paths.datomicPidFile);
  const cleaned: string[] = [];
  const notes: string[] = [];
  let stoppedPid: number | null = null;
  let forced = false;
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f)) continue;
    seen.add(f);
    const { pid, removed } = await checkPidFile(f, { platform, exec: opts.exec });
    if (pid === null) continue;
    if (removed) {
      cleaned.push(f);
      notes.push(isAlive(pid) ? `pid ${pid} in ${f} belongs to another program now; removed the stale pid file` : `pid ${pid} in ${f} is not running; removed the stale pid file`);
      continue;
    }
    if (stoppedPid !== null && !isAlive(pid)) {
      await removeFile(f);
      continue;
    }
    const r = await terminate(pid, { platform, graceMs: opts.timeoutMs ?? 30_000, force: opts.force, run: opts.run });
    if (!r.gone) throw stopFailed(pid, platform, r.forceOutcome);
    forced ||= r.forced;
    stoppedPid ??= pid;
    await removeFile(f);
  }
  // The other pid file may now point at a dead pid too.
  for (const f of seen) {
    const pid = await readPidFile(f);
    if (pid !== null && !isAlive(pid)) {
      await removeFile(f);
      if (!cleaned.includes(f) && stoppedPid === null) cleaned.push(f);
    }
  }
  if (stoppedPid === null) {
    return { stopped: false, pid: null, forced: false, note: notes.length ? notes.join('; ') : 'no transactor started by dtx is running here', cleaned };
  }
  return { stopped: true, pid: stoppedPid, forced, note: notes.length ? notes.join('; ') : null, cleaned };
}
