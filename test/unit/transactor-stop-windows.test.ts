/**
 * The Windows branch of `transactor stop`, run on any OS with an injected command runner: taskkill's
 * own exit code and message reach the user, and a graceful `taskkill /T` that answers "can only be
 * terminated forcefully" goes to /F at once instead of waiting out the grace period.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { terminate } from '../../src/core/datomic/transactor/terminate.js';
import { stopTransactor } from '../../src/core/datomic/transactor/stop.js';
import { transactorPaths, writePidFile } from '../../src/core/datomic/pidfile.js';
import { isAlive, type CommandRunner, type ExecText } from '../../src/core/datomic/process.js';
import { DtxError } from '../../src/core/errors.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A live process standing in for cmd.exe running bin\transactor.cmd. */
async function liveProcess(): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  children.push(c);
  await new Promise((r) => c.once('spawn', r));
  return c;
}

/** Get-CimInstance answers with the command line of a transactor started through cmd.exe. */
const windowsLookup: ExecText = async (cmd) =>
  cmd === 'powershell.exe' ? 'C:\\Windows\\system32\\cmd.exe /d /s /c ""C:\\Program Files\\datomic\\bin\\transactor.cmd" C:\\s\\t.properties"' : null;

const FORCEFULLY = (pid: number) =>
  `ERROR: The process with PID ${pid} (child process of PID 4242) could not be terminated.\r\nReason: This process can only be terminated forcefully (with /F option).\r\n`;

describe('transactor stop on Windows (taskkill through an injected runner)', () => {
  it('a graceful taskkill /T that answers "only forcefully" goes to /F at once, not after the grace period', async () => {
    const c = await liveProcess();
    const pid = c.pid as number;
    const calls: string[][] = [];
    const run: CommandRunner = async (command, args) => {
      calls.push([command, ...args]);
      if (!args.includes('/F')) return { code: 1, stdout: '', stderr: FORCEFULLY(pid) };
      c.kill('SIGKILL');
      return { code: 0, stdout: `SUCCESS: The process with PID ${pid} (child process of PID 4242) has been terminated.\r\n`, stderr: '' };
    };
    // An hour of grace: waiting it out would time the test out.
    const r = await terminate(pid, { platform: 'win32', graceMs: 3_600_000, run });
    expect(r).toMatchObject({ forced: true, gone: true });
    expect(calls).toEqual([
      ['taskkill', '/PID', String(pid), '/T'],
      ['taskkill', '/PID', String(pid), '/T', '/F'],
    ]);
  });

  it('a failing taskkill /F is reported with its own exit code and message, not only "still running"', async () => {
    const c = await liveProcess();
    const pid = c.pid as number;
    const stateDir = await mkdtemp(path.join(tmpdir(), 'dtx-win-stop-'));
    await writePidFile(transactorPaths(stateDir).pidFile, pid);
    const denied = `ERROR: The process with PID ${pid} could not be terminated.\r\nReason: Access is denied.\r\n`;
    const run: CommandRunner = async () => ({ code: 1, stdout: '', stderr: denied });
    let err: unknown;
    try {
      await stopTransactor({ stateDir, platform: 'win32', timeoutMs: 50, exec: windowsLookup, run });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DtxError);
    const e = err as DtxError;
    expect(e).toMatchObject({ code: 'TRANSACTOR_STOP_FAILED', exitCode: 1 });
    expect(e.message).toContain(`taskkill /PID ${pid} /T /F`);
    expect(e.message).toContain('exit 1');
    expect(e.message).toContain('Reason: Access is denied.');
    expect(e.hint).not.toContain(`taskkill /PID ${pid} /T /F`); // not the same failing command again
    expect(e.hint).toMatch(/elevated|administrator|user that started it/i);
    expect(isAlive(pid)).toBe(true);
  });

  it('a successful graceful taskkill /T stops it without /F', async () => {
    const c = await liveProcess();
    const pid = c.pid as number;
    const calls: string[][] = [];
    const run: CommandRunner = async (command, args) => {
      calls.push([command, ...args]);
      c.kill('SIGTERM');
      return { code: 0, stdout: `SUCCESS: Sent termination signal to the process with PID ${pid}.\r\n`, stderr: '' };
    };
    const r = await terminate(pid, { platform: 'win32', graceMs: 3_600_000, run });
    expect(r).toMatchObject({ forced: false, gone: true });
    expect(calls).toEqual([['taskkill', '/PID', String(pid), '/T']]);
  });

  it("a taskkill without /T (Wine's) is asked again without it; a graceful one that could not be delivered goes to /F at once", async () => {
    // What Wine 8's taskkill answered in the Wine smoke test (test/wine/smoke.mjs) for a live
    // cmd.exe: /T is unknown, and without /F it finds no window to close ("Could not find process").
    const c = await liveProcess();
    const pid = c.pid as number;
    const calls: string[][] = [];
    const run: CommandRunner = async (command, args) => {
      calls.push([command, ...args]);
      if (args.includes('/T')) return { code: 1, stdout: 'Error: Unknown or invalid command line option specified.\nUsage: taskkill [/?] [/f] [/im ProcessName | /pid ProcessID]\n', stderr: '' };
      if (!args.includes('/F')) return { code: 128, stdout: `Error: Could not find process "${pid}".\r\n`, stderr: '' };
      c.kill('SIGKILL');
      return { code: 0, stdout: `Process with PID ${pid} was forcibly terminated.\r\n`, stderr: '' };
    };
    // An hour of grace: waiting it out would time the test out.
    const r = await terminate(pid, { platform: 'win32', graceMs: 3_600_000, run });
    expect(r).toMatchObject({ forced: true, gone: true });
    expect(calls).toEqual([
      ['taskkill', '/PID', String(pid), '/T'],
      ['taskkill', '/PID', String(pid)],
      ['taskkill', '/PID', String(pid), '/T', '/F'],
      ['taskkill', '/PID', String(pid), '/F'],
    ]);
  });
});
