/**
 * Transactor lifecycle: plan and run the launch (bin/transactor, bin\transactor.cmd), wait for
 * readiness, fail fast with the relevant log lines, stop, and report status.
 * Facts: datomic-facts §1 (scripts), §3 (properties), §4 (startup/failure/stop), §6 (heartbeat).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { DtxError, ExitCode, isDtxError } from '../errors.js';
import { createStreamMasker, maskSecrets } from '../mask.js';
import { connect, type PgClient } from '../postgres/client.js';
import { findDistribution, type Distribution, type Platform } from './distribution.js';
import { checkJava, type JavaInfo } from './java.js';
import { acquireLock } from './lock.js';
import { newestFile, readFrom, tailFile } from './logs.js';
import { isPortFree, isPortOpen, probeHealth } from '../net.js';
import {
  readLaunchRecord, readPidFile, removeFile, transactorPaths, writeLaunchRecord, writePidFile,
  type LaunchRecord,
} from './pidfile.js';
import { isAlive, isOurTransactor, type ExecText } from './process.js';
import { loadTransactorProperties, type TransactorSettings } from './properties.js';
import { planScript, quotePosixArg, withPathFirst, type Env } from './script.js';
import {
  heartbeatAgeMs, judgeAdvance, judgeAlive, readHeartbeats,
  type Heartbeat, type Heartbeats,
} from '../storage/heartbeat.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// =============================================================================================
// Launch planning (pure)
// =============================================================================================

export interface LaunchPlan {
  command: string;
  args: string[];
  /** The install root (bin/transactor cds there itself; transactor.cmd needs it). */
  cwd: string;
  env: Env;
  /** win32: the args are passed to cmd.exe verbatim (already quoted). */
  windowsVerbatimArguments: boolean;
  shell: false;
  /** Human-readable command line (no secrets: the password lives in the properties file). */
  display: string;
}

export interface PlanLaunchOptions {
  dist: Pick<Distribution, 'home' | 'scripts'>;
  propertiesFile: string;
  /** e.g. "1g"; passed as -Xmx1g (bin/transactor's default is 1g). */
  xmx?: string | undefined;
  /** Default: same as xmx (Datomic recommends equal heap bounds). */
  xms?: string | undefined;
  /** Extra JVM options; given to the script through JAVA_OPTS (replacing its G1 defaults). */
  javaOpts?: string | undefined;
  platform?: Platform;
  /** The environment for the transactor (the caller passes process.env). */
  env: Env;
  /** JAVA_HOME/bin: put first on PATH, because bin/transactor runs plain `java`. */
  javaBinDir?: string | null | undefined;
}

// Moved to script.ts; re-exported for existing importers.
export { quoteCmdArg, quotePosixArg } from './script.js';

function normaliseSize(flag: '-Xmx' | '-Xms', v: string): string {
  const s = v.trim();
  return s.startsWith(flag) ? s : `${flag}${s}`;
}

/**
 * The command that starts a transactor. POSIX: `<home>/bin/transactor -Xmx.. -Xms.. <abs props>`.
 * Windows: `cmd.exe /d /s /c ""<home>\bin\transactor.cmd" -Xmx.. -Xms.. "<abs props>""` with
 * cwd = install root (transactor.cmd resolves bin\classpath.cmd relative to the cwd).
 */
export function planLaunch(opts: PlanLaunchOptions): LaunchPlan {
  const platform = opts.platform ?? process.platform;
  const p = platform === 'win32' ? path.win32 : path.posix;
  const props = p.resolve(opts.dist.home, opts.propertiesFile);
  const xmx = opts.xmx ? normaliseSize('-Xmx', opts.xmx) : undefined;
  const xms = opts.xms ? normaliseSize('-Xms', opts.xms) : xmx ? `-Xms${xmx.slice(4)}` : undefined;
  const jvm = [xmx, xms].filter((x): x is string => !!x);
  let env: Env = { ...opts.env };
  if (opts.javaOpts?.trim()) env.JAVA_OPTS = opts.javaOpts.trim();
  if (opts.javaBinDir) env = withPathFirst(env, opts.javaBinDir, platform);
  const s = planScript({ script: opts.dist.scripts.transactor, args: [...jvm, props], home: opts.dist.home, env, platform });
  const display = platform === 'win32' ? [s.command, ...s.args].join(' ') : [s.command, ...s.args].map(quotePosixArg).join(' ');
  return { ...s, shell: false, display };
}

// =============================================================================================
// Stop planning (pure) and execution
// =============================================================================================

export type StopAction =
  | { kind: 'signal'; pid: number; signal: 'SIGTERM' | 'SIGKILL'; processGroup: boolean }
  | { kind: 'exec'; command: string; args: string[] };

export interface StopPlan {
  /** null when force was requested. */
  graceful: StopAction | null;
  /** Used after the grace period. */
  force: StopAction;
}

/**
 * POSIX: SIGTERM (to the process group dtx created, falling back to the pid), then SIGKILL.
 * Windows: `taskkill /PID n /T`, then `taskkill /PID n /T /F` (the .cmd's cmd.exe is the parent of java).
 */
export function planStop(opts: { pid: number; platform?: Platform; force?: boolean }): StopPlan {
  const platform = opts.platform ?? process.platform;
  if (platform === 'win32') {
    const base = ['/PID', String(opts.pid), '/T'];
    return {
      graceful: opts.force ? null : { kind: 'exec', command: 'taskkill', args: base },
      force: { kind: 'exec', command: 'taskkill', args: [...base, '/F'] },
    };
  }
  return {
    graceful: opts.force ? null : { kind: 'signal', pid: opts.pid, signal: 'SIGTERM', processGroup: true },
    force: { kind: 'signal', pid: opts.pid, signal: 'SIGKILL', processGroup: true },
  };
}

export const defaultExecAction: ExecText = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { windowsHide: true, timeout: 15_000 }, (err, stdout) => resolve(err ? null : String(stdout)));
  });

/** Performs one stop action. Never throws for an already-gone process. */
export async function runStopAction(action: StopAction, exec: ExecText = defaultExecAction): Promise<void> {
  if (action.kind === 'exec') {
    await exec(action.command, action.args);
    return;
  }
  if (action.processGroup) {
    try {
      process.kill(-action.pid, action.signal);
      return;
    } catch {
      /* not a group leader (or gone): signal the pid itself */
    }
  }
  try {
    process.kill(action.pid, action.signal);
  } catch {
    /* gone */
  }
}

async function waitGone(pid: number, ms: number, child?: ChildProcess): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    const exited = child ? child.exitCode !== null || child.signalCode !== null : false;
    if (exited || !isAlive(pid)) return true;
    if (Date.now() >= end) return false;
    await sleep(50);
  }
}

/** Graceful then forced stop of a verified pid; resolves when it is gone (or gives up). */
async function terminate(pid: number, opts: { platform: Platform; graceMs: number; force?: boolean; exec?: ExecText; child?: ChildProcess }): Promise<{ forced: boolean; gone: boolean }> {
  const plan = planStop({ pid, platform: opts.platform, force: opts.force });
  if (plan.graceful) {
    await runStopAction(plan.graceful, opts.exec);
    if (await waitGone(pid, opts.graceMs, opts.child)) return { forced: false, gone: true };
  }
  await runStopAction(plan.force, opts.exec);
  return { forced: true, gone: await waitGone(pid, 5000, opts.child) };
}

// =============================================================================================
// Output scanning and failure classification
// =============================================================================================

export const SYSTEM_STARTED = /\bSystem started\b/;
export const TERMINATING = /Terminating process - /;
const CRITICAL = /Critical failure, cannot continue/;
const MISSING_PROPERTY = /:db\.error\/missing-transactor-property '([^']+)'/;

interface KnownCause {
  re: RegExp;
  code: string;
  message: string;
  hint: string;
  exitCode?: 1 | 2;
}

const KNOWN_CAUSES: KnownCause[] = [
  { re: MISSING_PROPERTY, code: 'PROPERTY_MISSING', message: 'a required transactor property is not set', hint: 'Add the property to the properties file, or let dtx generate it (`dtx transactor properties`).', exitCode: 2 },
  { re: /relation "?datomic_kvs"? does not exist/i, code: 'STORAGE_TABLE_MISSING', message: 'the datomic_kvs table does not exist in the storage database', hint: 'Run `dtx init-postgres` to create the database, role and datomic_kvs table.' },
  { re: /password authentication failed|authentication failed for user|no pg_hba\.conf entry|role "[^"]*" does not exist/i, code: 'STORAGE_AUTH_FAILED', message: 'PostgreSQL rejected the transactor\'s login (sql-user/sql-password)', hint: 'sql-user and sql-password (from --pg-url, or your --properties file) must be the role\'s current ones: fix them there (to change the role\'s password instead, run ALTER ROLE as an admin).' },
  { re: /database "[^"]*" does not exist/i, code: 'STORAGE_DATABASE_MISSING', message: 'the storage database does not exist', hint: 'Run `dtx init-postgres`.' },
  { re: /permission denied for (?:table|relation) datomic_kvs/i, code: 'STORAGE_PERMISSION_DENIED', message: 'the storage role may not use datomic_kvs', hint: 'Grant it: `dtx init-postgres` (or GRANT SELECT, INSERT, UPDATE, DELETE ON datomic_kvs TO <role>).' },
  { re: /Address already in use|BindException/i, code: 'PORT_IN_USE', message: 'the transactor could not bind its port (already in use)', hint: 'Another transactor or program listens on the port or ping-port: stop it (`dtx transactor stop`) or choose other ports.' },
  { re: /Connection to \S+ refused|Connection refused/i, code: 'STORAGE_UNREACHABLE', message: 'the transactor cannot reach PostgreSQL', hint: 'Is PostgreSQL running at the host/port in sql-url?' },
  { re: /UnknownHostException/i, code: 'STORAGE_UNREACHABLE', message: 'the transactor cannot resolve the PostgreSQL host', hint: 'Check the host in sql-url.' },
  { re: /UnsupportedClassVersionError|has been compiled by a more recent version of the Java Runtime/i, code: 'JAVA_TOO_OLD', message: 'the Java on the PATH is too old for this Datomic', hint: 'Use Java 17 or 21: set JAVA_HOME / PATH (or --java-home).', exitCode: 2 },
  { re: /java: (?:command )?not found|'java' is not recognized/i, code: 'JAVA_NOT_FOUND', message: 'bin/transactor could not find java', hint: 'Put Java 11+ on the PATH or pass --java-home.', exitCode: 2 },
  { re: /The system cannot find the path specified/i, code: 'TRANSACTOR_LAUNCH_FAILED', message: 'bin\\transactor.cmd could not find its files', hint: 'It must run with the working directory = the Datomic install root; check --datomic-home.' },
  { re: /Could not find or load main class|ClassNotFoundException: (?:clojure|datomic)/i, code: 'DATOMIC_HOME_INVALID', message: 'the Datomic distribution is incomplete (classes missing)', hint: 'Re-unpack datomic-pro-<version>.zip and point --datomic-home at it.', exitCode: 2 },
  { re: /FileNotFoundException/i, code: 'PROPERTIES_NOT_FOUND', message: 'the transactor could not read a file it needs', hint: 'Check the properties path and data-dir/log-dir/pid-file (absolute, writable).' },
  { re: /Heartbeat failed/i, code: 'HEARTBEAT_FAILED', message: 'the transactor lost its heartbeat (storage stalled or another transactor fenced it)', hint: 'Check PostgreSQL health; do not write pod-coord.' },
];

/** Picks the lines worth showing from the output (masked). */
export function relevantLines(lines: string[], max = 20): string[] {
  const interesting = /Terminating process|Critical failure|missing-transactor-property|Exception|ERROR|FATAL|error:|refused|does not exist|failed|denied|not found|not recognized|cannot find/i;
  const picked = lines.filter((l) => interesting.test(l));
  const tail = lines.slice(-8);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of [...picked, ...tail]) {
    if (!l.trim() || seen.has(l)) continue;
    seen.add(l);
    out.push(maskSecrets(l));
  }
  return out.slice(-max);
}

export function classifyFailure(lines: string[], what: string, extra: { exitCode?: number | null; logFile?: string; outLog?: string } = {}): DtxError {
  const text = lines.join('\n');
  const shown = relevantLines(lines);
  const where = [extra.outLog, extra.logFile].filter(Boolean).join(', ');
  const details = { lines: shown, exitCode: extra.exitCode ?? null, logFiles: where || null };
  for (const c of KNOWN_CAUSES) {
    const m = c.re.exec(text);
    if (!m) continue;
    const message = c.code === 'PROPERTY_MISSING'
      ? maskSecrets(lines.find((l) => MISSING_PROPERTY.test(l))?.trim() ?? c.message)
      : `${what}: ${c.message}`;
    return new DtxError({
      code: c.code,
      message: `${message}\n${shown.map((l) => `  | ${l}`).join('\n')}`,
      hint: c.hint + (where ? ` Logs: ${where}` : ''),
      exitCode: c.exitCode ?? ExitCode.failed,
      details,
    });
  }
  const term = lines.find((l) => TERMINATING.test(l));
  return new DtxError({
    code: 'TRANSACTOR_FAILED',
    message: `${what}${term ? `: ${maskSecrets(term.trim())}` : extra.exitCode !== undefined && extra.exitCode !== null ? ` (exit ${extra.exitCode})` : ''}\n${shown.map((l) => `  | ${l}`).join('\n')}`,
    hint: where ? `See the logs: ${where} (\`dtx transactor logs\`).` : 'See `dtx transactor logs`.',
    exitCode: ExitCode.failed,
    details,
  });
}

class OutputScanner {
  lines: string[] = [];
  private partial = '';
  systemStarted = false;
  fatal: string | null = null;
  missingProperty = false;

  feed(text: string): string[] {
    if (!text) return [];
    const parts = (this.partial + text).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const l of parts) this.inspect(l);
    return parts;
  }

  flush(): void {
    if (this.partial) {
      this.inspect(this.partial);
      this.partial = '';
    }
  }

  private inspect(l: string): void {
    this.lines.push(l);
    if (this.lines.length > 500) this.lines.splice(0, this.lines.length - 500);
    if (SYSTEM_STARTED.test(l)) this.systemStarted = true;
    if (TERMINATING.test(l) || CRITICAL.test(l)) this.fatal ??= l;
    if (MISSING_PROPERTY.test(l)) {
      this.missingProperty = true;
      this.fatal ??= l;
    }
  }
}

// =============================================================================================
// Start
// =============================================================================================

export interface StartTransactorOptions {
  stateDir: string;
  /** The properties file to run (generated by dtx, or the user's own --properties). */
  propertiesFile: string;
  dist?: Distribution;
  /** Used when dist is not given (findDistribution). */
  datomicHome?: string | undefined;
  platform?: Platform;
  /** The transactor's environment (the caller passes process.env). */
  env: Env;
  xmx?: string | undefined;
  xms?: string | undefined;
  javaOpts?: string | undefined;
  javaHome?: string | undefined;
  /** false skips the Java check (the test fake runs on node); a function replaces it. */
  javaCheck?: false | (() => Promise<JavaInfo | null>);
  /** Start as an HA standby even though a live transactor is registered in pod-coord. */
  standby?: boolean;
  /** Default 120 000. */
  timeoutMs?: number;
  /** Output poll interval (default 100 ms: readiness within ~0.2 s of "System started"). */
  pollMs?: number;
  /** Progress stages for the CLI spinner ("checking Java", ..., "ready"). */
  onProgress?: (stage: string) => void;
  /** Aborting stops the transactor and fails with CANCELLED (exit 130). */
  signal?: AbortSignal;
  /** Foreground: receives the transactor's output (masked) as it comes. */
  onOutput?: (text: string) => void;
  /** For tests: how commands like taskkill/ps are run. */
  exec?: ExecText;
  /** Test seam: runs after all preflight checks, right before the spawn. */
  beforeSpawn?: () => Promise<void>;
}

export interface StartResult {
  pid: number;
  /** 'active' (pod-coord) or 'standby' (pod-standby). */
  role: 'active' | 'standby';
  host: string;
  port: number;
  pingHost: string | null;
  pingPort: number | null;
  propertiesFile: string;
  datomicHome: string;
  version: string | null;
  java: JavaInfo | null;
  outLog: string;
  logDir: string | null;
  heartbeat: { rev: number | null; version: string | null; heartbeatAgeMs: number | null };
  timings: {
    /** Epoch ms when dtx saw the "System started" line (null for a standby, which does not print it). */
    systemStartedSeenAt: number | null;
    readyAt: number;
    spawnToReadyMs: number;
    systemStartedToReadyMs: number | null;
  };
}

interface Prepared {
  dist: Distribution;
  java: JavaInfo | null;
  settings: TransactorSettings;
  paths: ReturnType<typeof transactorPaths>;
  client: PgClient;
  before: Heartbeats;
  platform: Platform;
  release: () => Promise<void>;
}

function progress(opts: StartTransactorOptions, stage: string): void {
  try {
    opts.onProgress?.(stage);
  } catch {
    /* a UI callback must not break the start */
  }
}

function alreadyRunning(message: string, details: Record<string, unknown>): DtxError {
  return new DtxError({
    code: 'TRANSACTOR_ALREADY_RUNNING',
    message,
    hint: 'Use `dtx transactor status` to see it, `dtx transactor stop` to stop it, or --standby to start an HA standby next to it.',
    exitCode: ExitCode.failed,
    details,
  });
}

/** Is the process recorded in this pid file a live transactor? Cleans the file when stale. */
async function checkPidFile(file: string | null | undefined, opts: { platform: Platform; exec?: ExecText }): Promise<{ pid: number | null; live: boolean; stale: boolean }> {
  if (!file) return { pid: null, live: false, stale: false };
  const pid = await readPidFile(file);
  if (pid === null) return { pid: null, live: false, stale: false };
  const ours = await isOurTransactor(pid, { platform: opts.platform, exec: opts.exec });
  if (ours === false) {
    await removeFile(file);
    return { pid, live: false, stale: true };
  }
  return { pid, live: true, stale: false };
}

async function prepare(opts: StartTransactorOptions): Promise<Prepared> {
  const platform = opts.platform ?? process.platform;
  // 1. Java
  let java: JavaInfo | null = null;
  if (opts.javaCheck !== false) {
    progress(opts, 'checking Java');
    java = typeof opts.javaCheck === 'function'
      ? await opts.javaCheck()
      : await checkJava({ javaHome: opts.javaHome, pathEnv: pathFromEnv(opts.env, platform), pathExt: envGet(opts.env, 'PATHEXT', platform), platform });
  }
  // 2. Distribution
  progress(opts, 'checking the Datomic distribution');
  const dist = opts.dist ?? (await findDistribution({ datomicHome: opts.datomicHome, platform }));
  // 3. Properties
  progress(opts, 'checking the properties');
  const settings = await loadTransactorProperties(opts.propertiesFile);
  const paths = transactorPaths(opts.stateDir);
  // 4. Lock: one start per state dir
  const lock = await acquireLock(paths.lockFile, { what: 'another `dtx transactor start`' });
  let client: PgClient | undefined;
  try {
    // 5. A transactor dtx started here already?
    for (const f of [paths.pidFile, settings.pidFile ? path.resolve(dist.home, settings.pidFile) : null]) {
      const r = await checkPidFile(f, { platform, exec: opts.exec });
      if (r.stale) progress(opts, `removed stale pid file ${f} (pid ${r.pid} is not a transactor)`);
      if (r.live) {
        // Also for --standby: a standby needs its own state dir (pid file, logs, ports).
        throw alreadyRunning(`a transactor is already running from this state dir (pid ${r.pid}, pid file ${f}); a standby needs its own --state-dir`, { pid: r.pid });
      }
    }
    // 6. Storage: reachable with the transactor's credentials, datomic_kvs present and usable
    progress(opts, 'checking PostgreSQL storage');
    client = await connect({ url: settings.storageUrl, purpose: 'storage', connectTimeoutMs: 10_000 });
    try {
      await client.query('select id from datomic_kvs where id = $1', ['pod-coord']);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === '42P01') {
        throw new DtxError({
          code: 'STORAGE_TABLE_MISSING',
          message: `the datomic_kvs table does not exist in the storage database (${maskSecrets(settings.sqlUrl)})`,
          hint: 'Run `dtx init-postgres` to create the database, role and datomic_kvs table.',
          exitCode: ExitCode.failed,
        });
      }
      if (code === '42501') {
        throw new DtxError({
          code: 'STORAGE_PERMISSION_DENIED',
          message: `the storage role may not read datomic_kvs: ${maskSecrets(String((e as Error).message))}`,
          hint: 'Grant it with `dtx init-postgres` (or GRANT SELECT, INSERT, UPDATE, DELETE ON datomic_kvs TO <role>).',
          exitCode: ExitCode.failed,
        });
      }
      throw new DtxError({ code: 'STORAGE_QUERY_FAILED', message: `cannot read datomic_kvs: ${maskSecrets(String((e as Error).message))}`, exitCode: ExitCode.failed, cause: e });
    }
    // 7. No live transactor registered, unless standby
    progress(opts, 'checking for a live transactor');
    let before = await readHeartbeats(client);
    const interval = settings.heartbeatIntervalMsec;
    if (!opts.standby && judgeAlive(before.active, Date.now(), Math.max(interval, 1000)).alive) {
      // Recent: confirm clock-independently (it may be a transactor that was just killed).
      await sleep(Math.max(interval, 1000) + 300);
      const again = await readHeartbeats(client);
      if (judgeAdvance(before.active, again.active).alive) {
        const c = again.active;
        throw alreadyRunning(
          `a live transactor is already registered in this storage (${c?.host ?? '?'}:${c?.port ?? '?'}, version ${c?.version ?? '?'})`,
          { host: c?.host, port: c?.port, version: c?.version },
        );
      }
      before = again;
    }
    // 8. Ports
    progress(opts, 'checking ports');
    if (!(await isPortFree(settings.host, settings.port))) {
      throw new DtxError({
        code: 'PORT_IN_USE',
        message: `port ${settings.port} on ${settings.host} is already in use`,
        hint: 'Another transactor or program listens there: stop it (`dtx transactor stop`) or choose another port (port= in the properties, or --port).',
        exitCode: ExitCode.failed,
        details: { port: settings.port, host: settings.host },
      });
    }
    if (settings.pingHost && settings.pingPort && !(await isPortFree(settings.pingHost, settings.pingPort))) {
      throw new DtxError({
        code: 'PORT_IN_USE',
        message: `ping port ${settings.pingPort} on ${settings.pingHost} is already in use`,
        hint: 'Choose another ping-port, or stop the program using it.',
        exitCode: ExitCode.failed,
        details: { port: settings.pingPort, host: settings.pingHost },
      });
    }
    const c = client;
    return {
      dist, java, settings, paths, client, before, platform,
      release: async () => {
        await c.end().catch(() => {});
        await lock.release();
      },
    };
  } catch (e) {
    await client?.end().catch(() => {});
    await lock.release();
    throw e;
  }
}

function envGet(env: Env, key: string, platform: Platform): string | undefined {
  if (platform !== 'win32') return env[key];
  const k = Object.keys(env).find((x) => x.toUpperCase() === key.toUpperCase());
  return k ? env[k] : undefined;
}
function pathFromEnv(env: Env, platform: Platform): string | undefined {
  return envGet(env, 'PATH', platform);
}

function matches(hb: Heartbeat | null, s: TransactorSettings): boolean {
  if (!hb) return false;
  if (hb.port !== s.port) return false;
  return hb.host === null || hb.host === s.host;
}
function fresh(before: Heartbeat | null, now: Heartbeat | null, s: TransactorSettings): boolean {
  return matches(now, s) && (before === null || now?.rev !== before.rev);
}

interface Running {
  child: ChildProcess;
  pid: number;
  exited: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Reads new output since the last call. */
  read: () => Promise<string>;
}

async function launch(prep: Prepared, opts: StartTransactorOptions, foreground: boolean): Promise<Running> {
  const { dist, settings, paths, platform } = prep;
  const plan = planLaunch({
    dist, propertiesFile: settings.file, xmx: opts.xmx, xms: opts.xms, javaOpts: opts.javaOpts, platform, env: opts.env,
    javaBinDir: prep.java?.binDir ?? (opts.javaHome ? path.join(opts.javaHome, 'bin') : null),
  });
  await opts.beforeSpawn?.();
  await mkdir(paths.dir, { recursive: true });
  for (const d of [settings.dataDir, settings.logDir]) if (d) await mkdir(path.resolve(dist.home, d), { recursive: true }).catch(() => {});
  const out = await open(paths.outLog, 'a', 0o600);
  const startOffset = (await out.stat()).size;
  await out.write(`[dtx] ${new Date().toISOString()} starting: ${maskSecrets(plan.display)}\n`);
  let child: ChildProcess;
  try {
    child = spawn(plan.command, plan.args, {
      cwd: plan.cwd,
      env: plan.env as NodeJS.ProcessEnv,
      detached: !foreground || platform !== 'win32',
      stdio: foreground ? ['ignore', 'pipe', 'pipe'] : ['ignore', out.fd, out.fd],
      windowsHide: true,
      windowsVerbatimArguments: plan.windowsVerbatimArguments,
    });
  } catch (e) {
    await out.close();
    throw new DtxError({ code: 'TRANSACTOR_LAUNCH_FAILED', message: `cannot start ${plan.command}: ${maskSecrets(String((e as Error).message))}`, exitCode: ExitCode.failed, cause: e });
  }
  const spawnError = await new Promise<Error | null>((resolve) => {
    child.once('error', (e) => resolve(e));
    child.once('spawn', () => resolve(null));
  });
  if (spawnError || child.pid === undefined) {
    await out.close();
    throw new DtxError({
      code: 'TRANSACTOR_LAUNCH_FAILED',
      message: `cannot start ${plan.command}: ${maskSecrets(String(spawnError?.message ?? 'no pid'))}`,
      hint: 'Check that the Datomic distribution is complete and its bin/ scripts are executable.',
      exitCode: ExitCode.failed,
    });
  }
  const running: Running = { child, pid: child.pid, exited: null, read: async () => '' };
  child.on('exit', (code, signal) => (running.exited = { code, signal }));
  if (foreground) {
    let buffered = '';
    // Line by line: a password split across two chunks is still masked whole.
    const masker = createStreamMasker();
    const show = (text: string): void => {
      if (!text) return;
      try {
        opts.onOutput?.(text);
      } catch {
        /* ignore UI errors */
      }
    };
    const onData = (d: Buffer): void => {
      const s = d.toString('utf8');
      buffered += s;
      void out.write(s).catch(() => {});
      show(masker.push(d));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('close', () => {
      show(masker.flush());
      void out.close().catch(() => {});
    });
    running.read = async () => {
      const s = buffered;
      buffered = '';
      return s;
    };
  } else {
    await out.close();
    let offset = startOffset;
    running.read = async () => {
      const r = await readFrom(paths.outLog, offset);
      offset = r.end;
      return r.text;
    };
  }
  await writePidFile(paths.pidFile, child.pid);
  const rec: LaunchRecord = {
    pid: child.pid,
    propertiesFile: settings.file,
    datomicHome: dist.home,
    host: settings.host,
    port: settings.port,
    pingHost: settings.pingHost ?? null,
    pingPort: settings.pingPort ?? null,
    heartbeatIntervalMsec: settings.heartbeatIntervalMsec,
    datomicPidFile: settings.pidFile ? path.resolve(dist.home, settings.pidFile) : null,
    logDir: settings.logDir ? path.resolve(dist.home, settings.logDir) : path.join(dist.home, 'log'),
    outLog: paths.outLog,
    platform,
    standby: !!opts.standby,
    startedAt: new Date().toISOString(),
  };
  await writeLaunchRecord(paths.launchFile, rec);
  return running;
}

/** Lines of the newest log-dir file written since `since` (for failure reports). */
async function recentLogDirLines(logDir: string | null, since: number): Promise<{ file: string | null; lines: string[] }> {
  if (!logDir) return { file: null, lines: [] };
  const f = await newestFile(logDir);
  if (!f) return { file: null, lines: [] };
  const st = await stat(f).catch(() => undefined);
  if (!st || st.mtimeMs < since - 1000) return { file: null, lines: [] };
  return { file: f, lines: (await tailFile(f, 60)) ?? [] };
}

async function waitReady(prep: Prepared, opts: StartTransactorOptions, run: Running, spawnAt: number): Promise<StartResult> {
  const { settings, platform } = prep;
  const pollMs = opts.pollMs ?? 100;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const deadline = spawnAt + timeoutMs;
  const scanner = new OutputScanner();
  const logDir = settings.logDir ? path.resolve(prep.dist.home, settings.logDir) : path.join(prep.dist.home, 'log');
  let sysSeenAt: number | null = null;
  let lastHbCheck = 0;
  let portOk = false;
  let hbState: { role: 'active' | 'standby'; hb: Heartbeat } | null = null;

  const fail = async (err: DtxError | null, why: string, exitCode?: number | null): Promise<never> => {
    if (!(run.exited)) await terminate(run.pid, { platform, graceMs: 0, force: true, exec: opts.exec, child: run.child });
    await removeFile(prep.paths.pidFile);
    scanner.feed(await run.read().catch(() => ''));
    scanner.flush();
    if (err) throw err;
    const logLines = await recentLogDirLines(logDir, spawnAt);
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
        // Let the last output land.
        await sleep(30);
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
        const logLines = await recentLogDirLines(logDir, spawnAt);
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
  const prep = await prepare(opts);
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
  const prep = await prepare(opts);
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
    void terminate(r.pid, { platform: prep.platform, graceMs: opts.stopTimeoutMs ?? 30_000, exec: opts.exec, child: r.child });
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  await exited;
  opts.signal?.removeEventListener('abort', onAbort);
  await removeFile(prep.paths.pidFile);
  return { exitCode: r.exited?.code ?? null, signal: r.exited?.signal ?? null, stoppedBySignal, ready };
}

// =============================================================================================
// Stop
// =============================================================================================

export interface StopTransactorOptions {
  stateDir: string;
  /** Grace period before the forced kill (default 30 000). */
  timeoutMs?: number;
  platform?: Platform;
  /** Also look at this file's pid-file (e.g. the user's --properties). */
  propertiesFile?: string | undefined;
  /** Skip the grace period. */
  force?: boolean;
  exec?: ExecText;
}

export interface StopResult {
  stopped: boolean;
  pid: number | null;
  forced: boolean;
  /** Set when nothing was stopped (why), or when stale pid files were cleaned. */
  note: string | null;
  cleaned: string[];
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
    const pid = await readPidFile(f);
    if (pid === null) continue;
    const ours = await isOurTransactor(pid, { platform, exec: opts.exec });
    if (ours === false) {
      await removeFile(f);
      cleaned.push(f);
      notes.push(isAlive(pid) ? `pid ${pid} in ${f} belongs to another program now; removed the stale pid file` : `pid ${pid} in ${f} is not running; removed the stale pid file`);
      continue;
    }
    if (stoppedPid !== null && !isAlive(pid)) {
      await removeFile(f);
      continue;
    }
    const r = await terminate(pid, { platform, graceMs: opts.timeoutMs ?? 30_000, force: opts.force, exec: opts.exec });
    if (!r.gone) {
      throw new DtxError({
        code: 'TRANSACTOR_STOP_FAILED',
        message: `the transactor (pid ${pid}) is still running after a forced kill`,
        hint: platform === 'win32' ? `Try \`taskkill /PID ${pid} /T /F\` as the user that started it.` : `Try \`kill -9 ${pid}\` as the user that started it.`,
        exitCode: ExitCode.failed,
      });
    }
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

// =============================================================================================
// Status
// =============================================================================================

export interface TransactorStatusOptions {
  stateDir: string;
  /** Properties to use for ports/ping/storage (default: the last launch's properties file). */
  propertiesFile?: string | undefined;
  /** Storage to read heartbeats from (postgresql:// URL); default: from the properties. */
  storageUrl?: string | undefined;
  /** Or an open client (not closed here). */
  client?: PgClient;
  platform?: Platform;
  healthTimeoutMs?: number;
  /** Always confirm liveness by sampling the heartbeat twice, one interval apart (slower, clock-independent). */
  confirm?: boolean;
  exec?: ExecText;
}

export interface HeartbeatInfo {
  host: string | null;
  altHost: string | null;
  port: number | null;
  version: string | null;
  heartbeatAgeMs: number | null;
  alive: boolean;
  rev: number | null;
}

export interface TransactorStatus {
  /** A transactor dtx started here is alive, or a live heartbeat is in storage. */
  running: boolean;
  /** pid of the transactor dtx started here when alive, else null. */
  pid: number | null;
  /** The live active transactor (pod-coord), null when none is alive. */
  active: HeartbeatInfo | null;
  /** The live standby (pod-standby), null when none. */
  standby: HeartbeatInfo | null;
  health: 'ok' | 'down' | 'unconfigured';
  process: { pid: number | null; alive: boolean; ours: boolean | 'unknown'; stalePidFileRemoved: string | null };
  host: string | null;
  port: number | null;
  portOpen: boolean | null;
  /** Raw heartbeat rows, judged (present even when dead). */
  heartbeats: { coord: HeartbeatInfo | null; standby: HeartbeatInfo | null };
  storage: { checked: boolean; error: { code: string; message: string } | null };
  propertiesFile: string | null;
}

function info(hb: Heartbeat | null, alive: boolean): HeartbeatInfo | null {
  if (!hb) return null;
  return { host: hb.host, altHost: hb.altHost, port: hb.port, version: hb.version, heartbeatAgeMs: heartbeatAgeMs(hb), alive, rev: hb.rev };
}

/**
 * Reports the process (dtx's pid file: alive and really a transactor), the port, /health, and the
 * heartbeats in storage (never credentials). Works without a dtx-started process (storage view only).
 * Never throws for storage problems (reported in `storage.error`); throws only for an unreadable
 * explicit --properties file (PROPERTY_*, exit 2).
 */
export async function transactorStatus(opts: TransactorStatusOptions): Promise<TransactorStatus> {
  const platform = opts.platform ?? process.platform;
  const paths = transactorPaths(opts.stateDir);
  const rec = await readLaunchRecord(paths.launchFile);
  let settings: TransactorSettings | null = null;
  if (opts.propertiesFile) settings = await loadTransactorProperties(opts.propertiesFile);
  else if (rec?.propertiesFile) settings = await loadTransactorProperties(rec.propertiesFile).catch(() => null);

  // Process
  let pid = await readPidFile(paths.pidFile);
  let alive = false;
  let ours: boolean | 'unknown' = false;
  let stale: string | null = null;
  if (pid !== null) {
    ours = await isOurTransactor(pid, { platform, exec: opts.exec });
    alive = ours !== false;
    if (!alive) {
      await removeFile(paths.pidFile);
      stale = paths.pidFile;
      pid = null;
    }
  }
  const host = settings?.host ?? rec?.host ?? null;
  const port = settings?.port ?? rec?.port ?? null;
  const pingHost = settings?.pingHost ?? rec?.pingHost ?? null;
  const pingPort = settings?.pingPort ?? rec?.pingPort ?? null;
  const interval = settings?.heartbeatIntervalMsec ?? rec?.heartbeatIntervalMsec ?? 5000;

  const [portOpen, health] = await Promise.all([
    host !== null && port !== null ? isPortOpen(host, port, 500) : Promise.resolve(null),
    pingHost && pingPort ? probeHealth(pingHost, pingPort, opts.healthTimeoutMs ?? 1000) : Promise.resolve('unconfigured' as const),
  ]);

  // Storage
  let coord: HeartbeatInfo | null = null;
  let standby: HeartbeatInfo | null = null;
  let storageError: TransactorStatus['storage']['error'] = null;
  const url = opts.storageUrl ?? settings?.storageUrl;
  let checked = false;
  if (opts.client || url) {
    checked = true;
    let client: PgClient | undefined = opts.client;
    try {
      client ??= await connect({ url: url as string, purpose: 'storage', connectTimeoutMs: 5000 });
      const first = await readHeartbeats(client);
      let coordAlive = judgeAlive(first.active, Date.now(), interval).alive;
      let standbyAlive = judgeAlive(first.standby, Date.now(), interval).alive;
      // Ambiguous: our process is gone but its recent heartbeat still looks alive (kill -9),
      // or the caller wants certainty: sample again one interval later (§6, clock-independent).
      const ambiguous = coordAlive && !alive && rec !== null && first.active?.port === rec.port && first.active?.host === rec.host;
      let second = first;
      if (opts.confirm || ambiguous) {
        await sleep(interval + 250);
        second = await readHeartbeats(client);
        coordAlive = judgeAdvance(first.active, second.active).alive && second.active !== null;
        standbyAlive = judgeAdvance(first.standby, second.standby).alive && second.standby !== null;
      }
      coord = info(second.active, coordAlive);
      standby = info(second.standby, standbyAlive);
    } catch (e) {
      storageError = isDtxError(e)
        ? { code: e.code, message: maskSecrets(e.message) }
        : { code: (e as { code?: string }).code === '42P01' ? 'STORAGE_TABLE_MISSING' : 'STORAGE_QUERY_FAILED', message: maskSecrets(String((e as Error).message)) };
    } finally {
      if (!opts.client) await client?.end().catch(() => {});
    }
  }
  const active = coord?.alive ? coord : null;
  const standbyLive = standby?.alive ? standby : null;
  return {
    running: (alive && ours !== false) || active !== null,
    pid: alive ? pid : null,
    active,
    standby: standbyLive,
    health,
    process: { pid, alive, ours, stalePidFileRemoved: stale },
    host,
    port,
    portOpen,
    heartbeats: { coord, standby },
    storage: { checked, error: storageError },
    propertiesFile: settings?.file ?? rec?.propertiesFile ?? null,
  };
}
