/** Spawn the built CLI (node bin/dtx.js) like a user would, with a temp state dir. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'dtx.js');

export interface CliResult {
  /** The exit code, or null when a signal ended the process. */
  code: number | null;
  /** The signal that ended the process (the timeout's SIGKILL included), or null when it exited. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  json: () => unknown;
}

export function tempStateDir(prefix = 'dtx-e2e-'): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(d, 0o755); // root runs PostgreSQL as the postgres user, which must reach it
  return d;
}

let isolatedDtxHome: string | undefined;
/**
 * A DTX_HOME of this test process's own: tests never see (or write) the developer's ~/.dtx, e.g. an
 * installed default Datomic home that would stand in for a missing --datomic-home.
 */
export function testDtxHome(): string {
  isolatedDtxHome ??= mkdtempSync(path.join(tmpdir(), 'dtx-home-'));
  return isolatedDtxHome;
}

/**
 * The environment of every dtx a test starts: this process's, without its color settings, with the
 * test's own DTX_HOME, then `overrides` (a variable set to undefined is removed).
 */
export function dtxEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, DTX_HOME: testDtxHome(), ...overrides };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env as NodeJS.ProcessEnv;
}

export interface DtxOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  nodeArgs?: string[];
  /** Then the process is killed (SIGKILL): 90 s by default. */
  timeoutMs?: number;
  input?: string;
  uid?: number;
  gid?: number;
}

export function dtx(args: string[], opts: DtxOptions = {}): Promise<CliResult> {
  return dtxSpawn(args, opts).done;
}

/** Throws (with the output) unless dtx exited 0. */
export async function ok(r: CliResult | Promise<CliResult>): Promise<CliResult> {
  const res = await r;
  if (res.code !== 0) throw new Error(`exit ${res.code ?? res.signal}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`);
  return res;
}

/** The error of a `--json` run that failed (its one JSON document). */
export function errOf(r: CliResult): { code: string; message: string; hint?: string } {
  return (r.json() as { error: { code: string; message: string; hint?: string } }).error;
}

export interface RunningDtx {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** The output so far. */
  output: () => { stdout: string; stderr: string };
  /** Resolves when stderr or stdout contains `text`; rejects when the process ends first. */
  waitFor: (text: string | RegExp) => Promise<void>;
}

/** Like dtx, with the child process at hand (to kill or interrupt it) and its output so far. */
export function dtxSpawn(args: string[], opts: DtxOptions = {}): RunningDtx {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], { cwd: opts.cwd ?? ROOT, env: dtxEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'], uid: opts.uid, gid: opts.gid });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string | RegExp; resolve: () => void; reject: (e: Error) => void }[] = [];
  let ended: string | undefined;
  const endedBefore = (text: string | RegExp) => new Error(`dtx ended (${ended}) before printing ${String(text)}:\n${stderr}${stdout}`);
  const check = (): void => {
    const all = stderr + stdout;
    for (const w of [...waiters]) {
      if (typeof w.text === 'string' ? all.includes(w.text) : w.text.test(all)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    check();
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      ended = String(code ?? signal);
      for (const w of waiters.splice(0)) w.reject(endedBefore(w.text));
      resolve({ code, signal, stdout, stderr, json: () => JSON.parse(stdout) });
    });
  });
  child.stdin!.end(opts.input ?? '');
  return {
    child,
    done,
    output: () => ({ stdout, stderr }),
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ text, resolve, reject });
        check();
        if (ended !== undefined) for (const w of waiters.splice(0)) w.reject(endedBefore(w.text)); // it had ended already
      }),
  };
}
