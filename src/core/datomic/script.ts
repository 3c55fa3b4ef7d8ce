/**
 * Running a distribution script (bin/run, bin/datomic) with arguments, per platform.
 * POSIX: the script itself (it cds to the install root). Windows: through cmd.exe with cwd = the
 * install root, because the .cmd scripts resolve bin\classpath.cmd relative to the working
 * directory (INFERRED for run.cmd/datomic.cmd from transactor.cmd, docs/datomic-storage.md §1).
 */
import { spawn } from 'node:child_process';
import type { Platform } from './distribution.js';
import { DtxError, ExitCode } from '../errors.js';
import { maskSecrets } from '../mask.js';

export type Env = Record<string, string | undefined>;

const CMD_SAFE = /^[A-Za-z0-9_\-.:\\/@+]+$/;

/** Quotes one argument for a cmd.exe command line (inside `cmd /d /s /c "..."`). */
export function quoteCmdArg(arg: string): string {
  if (arg.includes('"')) {
    throw new DtxError({ code: 'UNSUPPORTED_PATH', message: `cannot pass an argument containing a double quote to cmd.exe: ${arg}`, exitCode: ExitCode.usage });
  }
  return arg.length > 0 && CMD_SAFE.test(arg) ? arg : `"${arg}"`;
}

/** Quotes one argument for display in a POSIX shell. */
export function quotePosixArg(arg: string): string {
  return /^[A-Za-z0-9_\-.,:/@+=%]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * A copy of env with dir first on PATH (e.g. JAVA_HOME/bin: the scripts run plain `java`).
 * Windows: the variable's name is case-insensitive (usually "Path") and the separator is `;`.
 */
export function withPathFirst(env: Env, dir: string, platform: Platform): Env {
  const out: Env = { ...env };
  const key = platform === 'win32' ? (Object.keys(out).find((k) => k.toUpperCase() === 'PATH') ?? 'Path') : 'PATH';
  const sep = platform === 'win32' ? ';' : ':';
  const cur = out[key];
  out[key] = cur ? `${dir}${sep}${cur}` : dir;
  return out;
}

export interface ScriptPlan {
  command: string;
  args: string[];
  cwd: string;
  env: Env;
  windowsVerbatimArguments: boolean;
}

export function planScript(opts: { script: string; args: string[]; home: string; env: Env; platform?: Platform }): ScriptPlan {
  const platform = opts.platform ?? process.platform;
  if (platform === 'win32') {
    const comspec = Object.entries(opts.env).find(([k]) => k.toUpperCase() === 'COMSPEC')?.[1] || 'cmd.exe';
    const inner = [opts.script, ...opts.args].map(quoteCmdArg).join(' ');
    return { command: comspec, args: ['/d', '/s', '/c', `"${inner}"`], cwd: opts.home, env: opts.env, windowsVerbatimArguments: true };
  }
  return { command: opts.script, args: opts.args, cwd: opts.home, env: opts.env, windowsVerbatimArguments: false };
}

export interface RunScriptResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a plan to completion, collecting output; onLine gets each output line (masked) as it comes. */
export function runScript(plan: ScriptPlan, opts: { timeoutMs?: number; signal?: AbortSignal; onLine?: (line: string, stream: 'stdout' | 'stderr') => void } = {}): Promise<RunScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(plan.command, plan.args, {
      cwd: plan.cwd,
      env: plan.env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsVerbatimArguments: plan.windowsVerbatimArguments,
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const partial = { stdout: '', stderr: '' };
    const feed = (stream: 'stdout' | 'stderr', d: Buffer) => {
      const text = d.toString('utf8');
      if (stream === 'stdout') stdout += text;
      else stderr += text;
      if (!opts.onLine) return;
      const lines = (partial[stream] + text).split(/\r?\n/);
      partial[stream] = lines.pop() ?? '';
      for (const l of lines) opts.onLine(maskSecrets(l), stream);
    };
    child.stdout.on('data', (d: Buffer) => feed('stdout', d));
    child.stderr.on('data', (d: Buffer) => feed('stderr', d));
    const kill = () => child.kill(process.platform === 'win32' ? undefined : 'SIGTERM');
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          kill();
        }, opts.timeoutMs)
      : undefined;
    const onAbort = () => kill();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}
