/**
 * Planning the launch of a transactor (pure): the command line of bin/transactor (POSIX) or
 * bin\transactor.cmd through cmd.exe (Windows), its working directory and its environment.
 * Facts: docs/datomic-storage.md §1 (scripts), §4 (startup).
 */
import path from 'node:path';
import type { Distribution, Platform } from '../distribution.js';
import { planScript, quotePosixArg, withPathFirst, type Env } from '../script.js';

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

/**
 * The heap flags: `-Xmx<xmx>` and `-Xms<xms>` (either given with or without its flag), -Xms the
 * same as -Xmx when not given (Datomic recommends equal bounds); a blank value is no flag.
 */
export function heapArgs(opts: { xmx?: string | undefined; xms?: string | undefined }): string[] {
  const norm = (flag: '-Xmx' | '-Xms', v: string | undefined): string | undefined => {
    const s = v?.trim();
    if (!s) return undefined;
    return s.startsWith(flag) ? s : `${flag}${s}`;
  };
  const xmx = norm('-Xmx', opts.xmx);
  const xms = norm('-Xms', opts.xms) ?? (xmx ? `-Xms${xmx.slice(4)}` : undefined);
  return [xmx, xms].filter((x): x is string => !!x);
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
  const jvm = heapArgs(opts);
  let env: Env = { ...opts.env };
  if (opts.javaOpts?.trim()) env.JAVA_OPTS = opts.javaOpts.trim();
  if (opts.javaBinDir) env = withPathFirst(env, opts.javaBinDir, platform);
  const s = planScript({ script: opts.dist.scripts.transactor, args: [...jvm, props], home: opts.dist.home, env, platform });
  const display = platform === 'win32' ? [s.command, ...s.args].join(' ') : [s.command, ...s.args].map(quotePosixArg).join(' ');
  return { ...s, shell: false, display };
}
