/**
 * Process inspection: is a pid alive, and is it really a Datomic transactor (so a stale pid that
 * now belongs to another program is never signalled).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Platform } from './distribution.js';

export interface AliveOptions {
  platform?: Platform;
  /** For tests: where /proc lives (Linux). */
  procRoot?: string;
}

/**
 * The one-letter state of a process, when the platform tells it cheaply: Linux reads the field
 * after the name in /proc/<pid>/stat (R, S, D, T, Z zombie, X dead). null when unknown (no /proc,
 * other platforms).
 */
export function processState(pid: number, opts: AliveOptions = {}): string | null {
  const platform = opts.platform ?? process.platform;
  if (platform !== 'linux' && platform !== 'android') return null;
  try {
    const stat = readFileSync(`${opts.procRoot ?? '/proc'}/${pid}/stat`, 'utf8');
    // "pid (comm) S ..." where comm may itself hold spaces and parentheses: the state follows the last ')'.
    const close = stat.lastIndexOf(')');
    const state = close < 0 ? '' : stat.slice(close + 2, close + 3);
    return /^[A-Za-z]$/.test(state) ? state : null;
  } catch {
    return null;
  }
}

/**
 * True when a process with this pid is running (EPERM counts as alive: it exists, owned by someone
 * else). A zombie (state Z: exited but never reaped by its parent, e.g. under a container init that
 * does not reap) answers kill(pid, 0) yet runs nothing, so it counts as exited. Other platforms:
 * Windows' kill(pid, 0) already fails for an exited process (libuv checks its exit code); on macOS
 * and the BSDs a dtx-started transactor outlives dtx and is reaped by launchd/init.
 */
export function isAlive(pid: number, opts: AliveOptions = {}): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = processState(pid, opts);
  return state !== 'Z' && state !== 'X';
}

/** What a program printed and how it ended (code null: it did not run or was killed; see error). */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it did not run to completion: the spawn error's code (ENOENT: not installed, EACCES, ...) or 'timed out'. */
  error?: string;
}

/** Runs a program to completion. Injectable, so tests (and the Windows branches) need no real program. */
export type CommandRunner = (command: string, args: string[]) => Promise<CommandResult>;

/** Runs a program without a shell, killed after timeoutMs; never rejects. */
export function runCommand(command: string, args: string[], timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(command, args, { windowsHide: true, timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      resolve({
        code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
        stdout: String(stdout ?? ''),
        stderr: String(stderr ?? ''),
        ...(e && typeof e.code !== 'number' ? { error: e.killed ? 'timed out' : String(e.code ?? e.message) } : {}),
      });
    });
  });
}

/** The program is not installed (not found on the PATH). */
export function notInstalled(r: CommandResult): boolean {
  return r.error === 'ENOENT';
}

/** Runs a program and returns stdout (null on any failure). Injectable for tests. */
export type ExecText = (command: string, args: string[]) => Promise<string | null>;

export const defaultExecText: ExecText = async (command, args) => {
  const r = await runCommand(command, args, 10_000);
  return r.code === 0 ? r.stdout : null;
};

export interface CommandLineOptions {
  platform?: Platform;
  exec?: ExecText;
  /** For tests: where /proc lives. */
  procRoot?: string;
}

/** The full command line of a process, or null when it is gone/unreadable. */
export async function processCommandLine(pid: number, opts: CommandLineOptions = {}): Promise<string | null> {
  const platform = opts.platform ?? process.platform;
  const exec = opts.exec ?? defaultExecText;
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (platform === 'linux' || platform === 'android') {
    try {
      const raw = await readFile(`${opts.procRoot ?? '/proc'}/${pid}/cmdline`);
      const s = raw.toString('utf8').split('\0').filter((x) => x.length > 0).join(' ');
      return s.length ? s : null; // zombies have an empty cmdline
    } catch {
      return null;
    }
  }
  if (platform === 'win32') {
    const ps = await exec('powershell.exe', [
      '-NoProfile', '-NonInteractive', '-Command',
      `(Get-CimInstance Win32_Process -Filter "ProcessId=${pid}").CommandLine`,
    ]);
    if (ps !== null && ps.trim()) return ps.trim();
    const wmic = await exec('wmic', ['process', 'where', `ProcessId=${pid}`, 'get', 'CommandLine', '/value']);
    const m = wmic ? /CommandLine=(.*)/.exec(wmic) : null;
    return m?.[1]?.trim() || null;
  }
  // darwin, freebsd, ...
  const out = await exec('ps', ['-o', 'command=', '-p', String(pid)]);
  return out !== null && out.trim() ? out.trim() : null;
}

/**
 * Does this command line look like a Datomic transactor? Accepts:
 * - the JVM: `java ... clojure.main --main datomic.launcher <props>` (what bin/transactor execs);
 * - the wrapper before its exec: `bash .../bin/transactor ...`;
 * - Windows: `cmd.exe /d /s /c ""...\bin\transactor.cmd" ..."` (cmd.exe is the parent of java);
 * - the test fake: `node .../fake/transactor.mjs <props>` (test/fixtures/fake-datomic).
 */
export function looksLikeTransactor(commandLine: string): boolean {
  return (
    /\bdatomic\.launcher\b/.test(commandLine) ||
    /[\\/]bin[\\/]transactor(?:\.cmd)?(?:["'\s]|$)/i.test(commandLine) ||
    /transactor\.mjs\b/.test(commandLine)
  );
}

/** Alive and a transactor. `unknown` when alive but the command line could not be read. */
export async function isOurTransactor(pid: number, opts: CommandLineOptions = {}): Promise<boolean | 'unknown'> {
  if (!isAlive(pid)) return false;
  const cmd = await processCommandLine(pid, opts);
  if (cmd === null) return isAlive(pid) ? 'unknown' : false;
  return looksLikeTransactor(cmd);
}
