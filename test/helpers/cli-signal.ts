/** The built CLI as a child process the test can signal (Ctrl-C = SIGINT) once its stderr shows a line. */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, ROOT, testDtxHome, type CliResult } from './cli.js';

export interface RunningDtx {
  child: ChildProcess;
  /** Resolves when stderr (or stdout) contains `text`; rejects when the process ends first. */
  waitFor(text: string | RegExp): Promise<void>;
  done: Promise<CliResult>;
}

export function spawnDtx(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {}): RunningDtx {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, DTX_HOME: testDtxHome(), ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { re: string | RegExp; resolve: () => void; reject: (e: Error) => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      const hit = typeof w.re === 'string' ? (stderr + stdout).includes(w.re) : w.re.test(stderr + stdout);
      if (hit) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    check();
  });
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const w of waiters.splice(0)) w.reject(new Error(`dtx exited (${code}) before printing ${String(w.re)}:\n${stderr}${stdout}`));
      resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) });
    });
  });
  return {
    child,
    done,
    waitFor: (re) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ re, resolve, reject });
        check();
      }),
  };
}
