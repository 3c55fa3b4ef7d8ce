/** Spawn the built CLI (node bin/dtx.js) like a user would, with a temp state dir. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'dtx.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  json: () => unknown;
}

export function tempStateDir(prefix = 'dtx-e2e-'): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(d, 0o755); // root runs PostgreSQL as the postgres user, which must reach it
  return d;
}

export interface DtxOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  nodeArgs?: string[];
  timeoutMs?: number;
  input?: string;
  uid?: number;
  gid?: number;
}

export function dtx(args: string[], opts: DtxOptions = {}): Promise<CliResult> {
  return dtxSpawn(args, opts).done;
}

/** Like dtx, with the child process at hand (to kill or interrupt it) and its output so far. */
let isolatedDtxHome: string | undefined;
/**
 * A DTX_HOME of this test process's own: tests never see (or write) the developer's ~/.dtx, e.g. an
 * installed default Datomic home that would stand in for a missing --datomic-home.
 */
export function testDtxHome(): string {
  isolatedDtxHome ??= mkdtempSync(path.join(tmpdir(), 'dtx-home-'));
  return isolatedDtxHome;
}

export function dtxSpawn(args: string[], opts: DtxOptions = {}): { child: ChildProcess; done: Promise<CliResult>; output: () => { stdout: string; stderr: string } } {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, DTX_HOME: testDtxHome(), ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], { cwd: opts.cwd ?? ROOT, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'], uid: opts.uid, gid: opts.gid });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 2) : null), stdout, stderr, json: () => JSON.parse(stdout) });
    });
  });
  child.stdin!.end(opts.input ?? '');
  return { child, done, output: () => ({ stdout, stderr }) };
}
