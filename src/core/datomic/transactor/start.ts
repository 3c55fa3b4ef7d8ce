/**
 * Starting a transactor: in the background (returns once it is ready) or in the foreground (runs
 * attached until it exits or the abort signal stops it). Preflight, launch and readiness do the work.
 */
import { launch, type Running } from './launch.js';
import { preflight } from './preflight.js';
import { waitReady } from './readiness.js';
import { progress, type StartResult, type StartTransactorOptions } from './start-options.js';
import { terminate } from './terminate.js';
import { removeFile } from '../pidfile.js';

/**
 * Starts a transactor detached (it outlives dtx) and returns once it is ready: "System started",
 * the port accepting TCP, and a fresh heartbeat of this transactor (pod-coord; pod-standby for a
 * standby). Errors (DtxError): preflight (JAVA_*, DATOMIC_HOME_*, PROPERTY_* exit 2; PG_* and
 * STORAGE_TABLE_MISSING / STORAGE_PERMISSION_DENIED exit 1; TRANSACTOR_ALREADY_RUNNING, PORT_IN_USE,
 * LOCKED exit 1), launch (TRANSACTOR_LAUNCH_FAILED), startup failures classified from the output
 * (PROPERTY_MISSING exit 2, STORAGE_TABLE_MISSING, STORAGE_AUTH_FAILED, PORT_IN_USE, ... else
 * TRANSACTOR_FAILED; details.lines holds the masked log lines), TRANSACTOR_START_TIMEOUT, CANCELLED (130).
 * A failed start is killed at once (not after the JVM's 30 s).
 */
export async function startTransactor(opts: StartTransactorOptions): Promise<StartResult> {
  const prep = await preflight(opts);
  try {
    progress(opts, 'launching the transactor');
    const spawnAt = Date.now();
    const run = await launch(prep, opts, false);
    const res = await waitReady(prep, opts, run, spawnAt);
    run.child.removeAllListeners('exit');
    run.child.unref();
    return res;
  } finally {
    await prep.release();
  }
}

export interface ForegroundOptions extends StartTransactorOptions {
  /** Called once the transactor is ready. */
  onReady?: (r: StartResult) => void;
  /** Grace period after the abort signal before a forced kill (default 30 s). */
  stopTimeoutMs?: number;
}

export interface ForegroundResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when dtx stopped it because the abort signal fired. */
  stoppedBySignal: boolean;
  ready: StartResult | null;
}

/**
 * Runs the transactor attached: output goes to onOutput (masked) and to the captured log; resolves
 * when it exits. Aborting `signal` stops it (SIGTERM/taskkill, then forced after stopTimeoutMs).
 * Startup failures throw like startTransactor.
 */
export async function runTransactorForeground(opts: ForegroundOptions): Promise<ForegroundResult> {
  const prep = await preflight(opts);
  let run: Running | undefined;
  let ready: StartResult | null = null;
  try {
    progress(opts, 'launching the transactor');
    const spawnAt = Date.now();
    run = await launch(prep, opts, true);
    // Abort during startup is a cancellation (waitReady stops it); afterwards, a clean stop.
    ready = await waitReady(prep, { ...opts, signal: opts.signal }, run, spawnAt);
    try {
      opts.onReady?.(ready);
    } catch {
      /* ignore UI errors */
    }
  } catch (e) {
    await prep.release();
    throw e;
  }
  await prep.release();
  const r = run;
  let stoppedBySignal = false;
  const exited = new Promise<void>((resolve) => {
    if (r.exited) resolve();
    else r.child.once('exit', () => resolve());
  });
  const onAbort = (): void => {
    stoppedBySignal = true;
    void terminate(r.pid, { platform: prep.platform, graceMs: opts.stopTimeoutMs ?? 30_000, run: opts.run, child: r.child });
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  await exited;
  opts.signal?.removeEventListener('abort', onAbort);
  await removeFile(prep.paths.pidFile);
  return { exitCode: r.exited?.code ?? null, signal: r.exited?.signal ?? null, stoppedBySignal, ready };
}
