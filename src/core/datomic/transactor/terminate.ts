/**
 * Ending a transactor process: the stop plan per platform (pure), running one stop action, and the
 * graceful-then-forced sequence that waits until the process is gone.
 */
import type { ChildProcess } from 'node:child_process';
import type { Platform } from '../distribution.js';
import { abortableSleep } from '../../abort.js';
import { isAlive, runCommand, type CommandResult, type CommandRunner } from '../process.js';

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

/** taskkill: the program dtx runs to stop a process on Windows (injectable: tests run anywhere). */
export const defaultCommandRunner: CommandRunner = (command, args) => runCommand(command, args, 15_000);

/** The result of one exec stop action, for messages: `taskkill /PID 12 /T /F` (exit 1): ERROR: ... */
export interface ActionOutcome {
  commandLine: string;
  result: CommandResult;
}

/** One line describing how a command ended, with its own output. */
export function describeOutcome(o: ActionOutcome): string {
  const out = `${o.result.stderr}\n${o.result.stdout}`.replace(/\r/g, '').split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  const how = o.result.error ? `could not run: ${o.result.error}` : `exit ${o.result.code ?? '?'}`;
  return `\`${o.commandLine}\` (${how})${out ? `: ${out}` : ''}`;
}

/** taskkill without /F on a console process (a JVM with no window): only /F can end it. */
export function onlyForcefully(r: CommandResult): boolean {
  return /terminated forcefully|with \/F option/i.test(`${r.stderr}\n${r.stdout}`);
}

/** taskkill refused an option (Windows: "Invalid argument/option"; Wine: "Unknown or invalid command line option"). */
function rejectsOption(r: CommandResult): boolean {
  return /invalid (?:command line )?(?:argument|option)/i.test(`${r.stderr}\n${r.stdout}`);
}

/** Performs one stop action. Never throws for an already-gone process. Exec actions return their outcome. */
export async function runStopAction(action: StopAction, run: CommandRunner = defaultCommandRunner): Promise<ActionOutcome | null> {
  if (action.kind === 'exec') {
    let args = action.args;
    let result = await run(action.command, args);
    if (result.code !== 0 && args.includes('/T') && rejectsOption(result)) {
      // Wine's taskkill knows no /T ("Unknown or invalid command line option"): ask again without it.
      args = args.filter((a) => a !== '/T');
      result = await run(action.command, args);
    }
    return { commandLine: [action.command, ...args].join(' '), result };
  }
  if (action.processGroup) {
    try {
      process.kill(-action.pid, action.signal);
      return null;
    } catch {
      /* not a group leader (or gone): signal the pid itself */
    }
  }
  try {
    process.kill(action.pid, action.signal);
  } catch {
    /* gone */
  }
  return null;
}

async function waitGone(pid: number, ms: number, child?: ChildProcess): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    const exited = child ? child.exitCode !== null || child.signalCode !== null : false;
    if (exited || !isAlive(pid)) return true;
    if (Date.now() >= end) return false;
    await abortableSleep(50); // no signal: a stop that Ctrl-C started runs to its end
  }
}

export interface TerminateOptions {
  platform: Platform;
  graceMs: number;
  force?: boolean;
  run?: CommandRunner;
  child?: ChildProcess;
}

export interface TerminateResult {
  forced: boolean;
  gone: boolean;
  /** The forced kill's outcome when it was a command (taskkill /F): its exit code and message. */
  forceOutcome: ActionOutcome | null;
}

/**
 * Graceful then forced stop of a verified pid; resolves when it is gone (or gives up). On Windows,
 * a graceful taskkill that fails (typically "can only be terminated forcefully") goes to /F at once.
 */
export async function terminate(pid: number, opts: TerminateOptions): Promise<TerminateResult> {
  const plan = planStop({ pid, platform: opts.platform, force: opts.force });
  if (plan.graceful) {
    const g = await runStopAction(plan.graceful, opts.run);
    // A graceful taskkill that failed delivered nothing to wait for: "can only be terminated
    // forcefully" (a console JVM has no window to close; Wine says "Could not find process"), or
    // it is gone already. Either way the grace period would be spent for nothing.
    const skipGrace = g !== null && (g.result.code !== 0 || onlyForcefully(g.result));
    if (await waitGone(pid, skipGrace ? 0 : opts.graceMs, opts.child)) return { forced: false, gone: true, forceOutcome: null };
  }
  const f = await runStopAction(plan.force, opts.run);
  // A forced kill command that failed will not succeed later: look briefly, then report it.
  const failed = f !== null && f.result.code !== 0;
  return { forced: true, gone: await waitGone(pid, failed ? 1000 : 5000, opts.child), forceOutcome: f };
}
