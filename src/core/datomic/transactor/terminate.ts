/**
 * Ending a transactor process: the stop plan per platform (pure), running one stop action, and the
 * graceful-then-forced sequence that waits until the process is gone.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import type { Platform } from '../distribution.js';
import { isAlive, type ExecText } from '../process.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
export async function terminate(pid: number, opts: { platform: Platform; graceMs: number; force?: boolean; exec?: ExecText; child?: ChildProcess }): Promise<{ forced: boolean; gone: boolean }> {
  const plan = planStop({ pid, platform: opts.platform, force: opts.force });
  if (plan.graceful) {
    await runStopAction(plan.graceful, opts.exec);
    if (await waitGone(pid, opts.graceMs, opts.child)) return { forced: false, gone: true };
  }
  await runStopAction(plan.force, opts.exec);
  return { forced: true, gone: await waitGone(pid, 5000, opts.child) };
}
