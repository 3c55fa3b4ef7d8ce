/**
 * The transactor's files in the state dir, dtx's pid file and launch record.
 *
 * <stateDir>/transactor/
 *   transactor.properties   generated properties (0600; the lead's `transactor properties` writes it)
 *   transactor.pid          dtx's pid file: the pid dtx spawned (java on POSIX, cmd.exe on Windows)
 *   launch.json             what dtx launched: pid, properties file, ports, log files, start time
 *   start.lock              held while a start is in progress
 *   transactor.out.log      captured stdout+stderr (appended)
 *   datomic.pid             the properties' pid-file (written by Datomic itself)
 *   log/                    the properties' log-dir
 *   data/                   the properties' data-dir
 */
import { chmod, mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { throwIfAborted } from '../abort.js';
import { isOurTransactor, type CommandLineOptions } from './process.js';

export interface TransactorPaths {
  dir: string;
  propertiesFile: string;
  pidFile: string;
  launchFile: string;
  lockFile: string;
  outLog: string;
  datomicPidFile: string;
  logDir: string;
  dataDir: string;
}

export function transactorPaths(stateDir: string): TransactorPaths {
  const dir = path.join(path.resolve(stateDir), 'transactor');
  return {
    dir,
    propertiesFile: path.join(dir, 'transactor.properties'),
    pidFile: path.join(dir, 'transactor.pid'),
    launchFile: path.join(dir, 'launch.json'),
    lockFile: path.join(dir, 'start.lock'),
    outLog: path.join(dir, 'transactor.out.log'),
    datomicPidFile: path.join(dir, 'datomic.pid'),
    logDir: path.join(dir, 'log'),
    dataDir: path.join(dir, 'data'),
  };
}

/**
 * Creates the transactor's folder in the state dir, and (for generated properties) its log-dir and
 * data-dir, as 0700 (and tightens them when they exist): the transactor writes its logs there with
 * its own umask (0644), and they may hold connection details (datomic.printConnectionInfo).
 */
export async function preparePrivateDirs(paths: TransactorPaths, opts: { logAndDataDirs: boolean }): Promise<void> {
  const dirs = [paths.dir, ...(opts.logAndDataDirs ? [paths.logDir, paths.dataDir] : [])];
  for (const d of dirs) {
    await mkdir(d, { recursive: true, mode: 0o700 });
    await chmod(d, 0o700).catch(() => {});
  }
}

/** Reads a pid file (a decimal pid, optionally followed by whitespace). null when absent or garbage. */
export async function readPidFile(file: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  const m = /^\s*(\d+)\s*$/.exec(text);
  if (!m) return null;
  const pid = Number(m[1]);
  return pid > 0 ? pid : null;
}

export async function writePidFile(file: string, pid: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${pid}\n`);
  await rename(tmp, file);
}

export async function removeFile(file: string): Promise<void> {
  await rm(file, { force: true }).catch(() => {});
}

export interface PidFileCheck {
  /** The pid in the file (null: no file, or no pid in it). */
  pid: number | null;
  /** Is it a live transactor? (isOurTransactor; false without a pid) */
  ours: boolean | 'unknown';
  /** The file was stale (its process gone, or another program now) and was removed. */
  removed: boolean;
}

/**
 * Reads a pid file and checks its process is a live transactor; a stale pid file is removed (an
 * aborted signal throws CANCELLED before that write).
 */
export async function checkPidFile(file: string, opts: CommandLineOptions & { signal?: AbortSignal | undefined } = {}): Promise<PidFileCheck> {
  const pid = await readPidFile(file);
  if (pid === null) return { pid: null, ours: false, removed: false };
  const ours = await isOurTransactor(pid, { platform: opts.platform, exec: opts.exec, procRoot: opts.procRoot });
  if (ours !== false) return { pid, ours, removed: false };
  throwIfAborted(opts.signal);
  await removeFile(file);
  return { pid, ours, removed: true };
}

export interface LaunchRecord {
  pid: number;
  propertiesFile: string;
  datomicHome: string;
  host: string;
  port: number;
  pingHost: string | null;
  pingPort: number | null;
  heartbeatIntervalMsec: number;
  /** pid-file from the properties (Datomic's own). */
  datomicPidFile: string | null;
  logDir: string | null;
  outLog: string;
  platform: NodeJS.Platform;
  standby: boolean;
  startedAt: string;
}

export async function readLaunchRecord(file: string): Promise<LaunchRecord | null> {
  try {
    const j = JSON.parse(await readFile(file, 'utf8')) as Partial<LaunchRecord>;
    if (typeof j.pid !== 'number' || typeof j.propertiesFile !== 'string') return null;
    return j as LaunchRecord;
  } catch {
    return null;
  }
}

export async function writeLaunchRecord(file: string, rec: LaunchRecord): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(rec, null, 2)}\n`);
  await rename(tmp, file);
}
