/**
 * Launching the transactor: spawn the planned command (detached with its output appended to the
 * captured log, or attached for --foreground), then write dtx's pid file and launch record.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { throwIfAborted } from '../../abort.js';
import { DtxError, ExitCode } from '../../errors.js';
import { createStreamMasker, maskSecrets } from '../../mask.js';
import { fileSizes, readFrom } from '../logs.js';
import { writeLaunchRecord, writePidFile, type LaunchRecord } from '../pidfile.js';
import { planLaunch } from './launch-plan.js';
import type { Prepared } from './preflight.js';
import type { StartTransactorOptions } from './start-options.js';

export interface Running {
  child: ChildProcess;
  pid: number;
  exited: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Reads new output since the last call. */
  read: () => Promise<string>;
  /** The log-dir (the properties' log-dir, else <home>/log) and its files' sizes just before the spawn. */
  logDir: string;
  logDirSizes: Map<string, number>;
}

export async function launch(prep: Prepared, opts: StartTransactorOptions, foreground: boolean): Promise<Running> {
  // Ctrl-C during the preflight: no folders, no log, no pid file, no JVM.
  throwIfAborted(opts.signal);
  const { dist, settings, paths, platform } = prep;
  const plan = planLaunch({
    dist, propertiesFile: settings.file, xmx: opts.xmx, xms: opts.xms, javaOpts: opts.javaOpts, platform, env: opts.env,
    javaBinDir: prep.java?.binDir ?? (opts.javaHome ? path.join(opts.javaHome, 'bin') : null),
  });
  await opts.beforeSpawn?.();
  await mkdir(paths.dir, { recursive: true });
  for (const d of [settings.dataDir, settings.logDir]) if (d) await mkdir(path.resolve(dist.home, d), { recursive: true }).catch(() => {});
  const logDir = settings.logDir ? path.resolve(dist.home, settings.logDir) : path.join(dist.home, 'log');
  // Datomic appends to a daily file that earlier runs wrote too: remember where this run begins.
  const logDirSizes = await fileSizes(logDir);
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
  const running: Running = { child, pid: child.pid, exited: null, read: async () => '', logDir, logDirSizes };
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
    logDir,
    outLog: paths.outLog,
    platform,
    standby: !!opts.standby,
    startedAt: new Date().toISOString(),
  };
  await writeLaunchRecord(paths.launchFile, rec);
  return running;
}

