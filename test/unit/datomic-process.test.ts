import { describe, it, expect, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile, mkdir, readFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAlive, looksLikeTransactor, processCommandLine, isOurTransactor, type ExecText } from '../../src/core/datomic/process.js';
import { acquireLock } from '../../src/core/datomic/lock.js';
import { readPidFile, writePidFile, transactorPaths } from '../../src/core/datomic/pidfile.js';
import { parseHeartbeat, judgeAlive, judgeAdvance, heartbeatAgeMs } from '../../src/core/storage/heartbeat.js';
import { tailFile, readLogs, followLogs, newestFile, fileSizes, linesWrittenSince } from '../../src/core/datomic/logs.js';
import { makeZombie } from '../helpers/zombie.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => c.on('exit', r));
  return c.pid as number;
}

describe('process inspection', () => {
  it('isAlive', async () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(await deadPid())).toBe(false);
    expect(isAlive(0)).toBe(false);
    expect(isAlive(-5)).toBe(false);
  });

  it.skipIf(process.platform !== 'linux')('isAlive: a zombie (state Z: exited, never reaped) is not alive, nor a transactor (linux)', async () => {
    const z = await makeZombie();
    children.push(z.parent);
    // The kernel still answers kill(pid, 0) for it: that alone is not liveness.
    expect(() => process.kill(z.pid, 0)).not.toThrow();
    expect(isAlive(z.pid)).toBe(false);
    expect(await isOurTransactor(z.pid)).toBe(false);
  });

  it('isAlive reads the state from /proc/<pid>/stat, even when the name holds ") Z ("', async () => {
    const procRoot = await mkdtemp(path.join(tmpdir(), 'dtx-proc-'));
    const write = async (state: string) => {
      await mkdir(path.join(procRoot, String(process.pid)), { recursive: true });
      await writeFile(path.join(procRoot, String(process.pid), 'stat'), `${process.pid} (java) Z (x) ${state} 1 ${process.pid} ${process.pid} 0 -1 4194560\n`);
    };
    await write('Z');
    expect(isAlive(process.pid, { platform: 'linux', procRoot })).toBe(false);
    await write('X');
    expect(isAlive(process.pid, { platform: 'linux', procRoot })).toBe(false);
    await write('S');
    expect(isAlive(process.pid, { platform: 'linux', procRoot })).toBe(true);
    // No stat file (proc not mounted): kill(pid, 0) decides.
    expect(isAlive(process.pid, { platform: 'linux', procRoot: path.join(procRoot, 'none') })).toBe(true);
  });

  it('looksLikeTransactor accepts java/launcher, the wrapper, transactor.cmd and the fake', () => {
    expect(looksLikeTransactor('java -server -cp lib/* -Xmx1g clojure.main --main datomic.launcher /s/t.properties')).toBe(true);
    expect(looksLikeTransactor('/bin/bash /opt/datomic-pro-1.0.7469/bin/transactor -Xmx1g /s/t.properties')).toBe(true);
    expect(looksLikeTransactor('C:\\Windows\\system32\\cmd.exe /d /s /c ""C:\\Program Files\\datomic-pro-1.0.7469\\bin\\transactor.cmd" -Xmx1g "C:\\s\\t.properties""')).toBe(true);
    expect(looksLikeTransactor('node fake/transactor.mjs -Xmx1g /tmp/x/t.properties')).toBe(true);
    expect(looksLikeTransactor('/usr/bin/vim /opt/datomic/bin/transactor-notes.txt')).toBe(false);
    expect(looksLikeTransactor('postgres: checkpointer')).toBe(false);
    expect(looksLikeTransactor('node server.js')).toBe(false);
  });

  it.skipIf(process.platform !== 'linux')('reads /proc cmdline on linux and says a foreign pid is not ours', async () => {
    const c = spawn(process.execPath, ['-e', 'setTimeout(()=>{}, 60000)', 'marker-arg']);
    children.push(c);
    await new Promise((r) => c.once('spawn', r));
    expect(await processCommandLine(c.pid as number)).toContain('marker-arg');
    expect(await isOurTransactor(c.pid as number)).toBe(false);
    expect(await isOurTransactor(await deadPid())).toBe(false);
  });

  it.skipIf(process.platform !== 'linux')('a process that looks like the fake is ours (linux)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-proc-'));
    await mkdir(path.join(dir, 'fake'));
    await writeFile(path.join(dir, 'fake', 'transactor.mjs'), 'setTimeout(()=>{}, 60000)');
    const c = spawn(process.execPath, ['fake/transactor.mjs', '/x.properties'], { cwd: dir });
    children.push(c);
    await new Promise((r) => c.once('spawn', r));
    expect(await isOurTransactor(c.pid as number)).toBe(true);
  });

  it('darwin uses ps -o command= -p; win32 uses Get-CimInstance then wmic', async () => {
    const calls: Array<[string, string[]]> = [];
    const exec: ExecText = async (cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === 'ps') return '/usr/bin/java -server clojure.main --main datomic.launcher /p\n';
      if (cmd === 'powershell.exe') return '';
      return '\r\nCommandLine=cmd.exe /d /s /c ""C:\\d\\bin\\transactor.cmd" C:\\p"\r\n';
    };
    expect(await processCommandLine(123, { platform: 'darwin', exec })).toContain('datomic.launcher');
    expect(calls[0]).toEqual(['ps', ['-o', 'command=', '-p', '123']]);
    expect(await processCommandLine(123, { platform: 'win32', exec })).toContain('transactor.cmd');
    expect(calls[1]?.[0]).toBe('powershell.exe');
    expect(calls[1]?.[1].join(' ')).toContain('Get-CimInstance Win32_Process -Filter "ProcessId=123"');
    expect(calls[2]).toEqual(['wmic', ['process', 'where', 'ProcessId=123', 'get', 'CommandLine', '/value']]);
  });
});

describe('pid files', () => {
  it('write/read, garbage and missing are null', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-pid-'));
    const f = path.join(dir, 'a', 't.pid');
    await writePidFile(f, 1234);
    expect(await readPidFile(f)).toBe(1234);
    await writeFile(f, 'not a pid');
    expect(await readPidFile(f)).toBeNull();
    expect(await readPidFile(path.join(dir, 'none'))).toBeNull();
    await writeFile(f, '5678'); // Datomic writes no newline
    expect(await readPidFile(f)).toBe(5678);
  });

  it('transactorPaths are absolute under <stateDir>/transactor', () => {
    const p = transactorPaths('rel/state');
    expect(path.isAbsolute(p.pidFile)).toBe(true);
    expect(p.outLog.endsWith(path.join('transactor', 'transactor.out.log'))).toBe(true);
  });
});

describe('start lock', () => {
  it('excludes a second holder while the first lives; release frees it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-lock-'));
    const f = path.join(dir, 'start.lock');
    const l1 = await acquireLock(f);
    await expect(acquireLock(f)).rejects.toMatchObject({ code: 'LOCKED', exitCode: 1 });
    const c = spawn(process.execPath, ['-e', 'setTimeout(()=>{}, 60000)']);
    children.push(c);
    await new Promise((r) => c.once('spawn', r));
    await expect(acquireLock(f, { pid: c.pid as number })).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringContaining(`pid ${process.pid}`) });
    await l1.release();
    const l2 = await acquireLock(f);
    expect(await readFile(f, 'utf8')).toBe(`${process.pid}\n`);
    await l2.release();
  });

  it('takes over a stale lock whose holder is dead', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-lock-'));
    const f = path.join(dir, 'start.lock');
    await writeFile(f, `${await deadPid()}\n`);
    const l = await acquireLock(f);
    expect(await readFile(f, 'utf8')).toBe(`${process.pid}\n`);
    await l.release();
  });

  it('concurrent acquisitions: exactly one wins', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-lock-'));
    const f = path.join(dir, 'start.lock');
    const rs = await Promise.allSettled(Array.from({ length: 8 }, () => acquireLock(f)));
    expect(rs.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});

describe('heartbeat rows (src/core/storage/heartbeat, as the transactor core uses it)', () => {
  const vec = '["localhost" nil 4334 "8c1d-user" "9f2e-secret" 1700000000000 "1.0.7469" true 2]';
  const map = `{:key ${JSON.stringify(vec)}}`;

  it('parses the printed vector without keeping credentials', () => {
    const hb = parseHeartbeat('pod-coord', 7, map);
    expect(hb).toEqual({ id: 'pod-coord', rev: 7, host: 'localhost', altHost: null, port: 4334, timestampMs: 1700000000000, version: '1.0.7469', encryptChannel: true, protocol: 2 });
    expect(JSON.stringify(hb)).not.toContain('secret');
  });

  it('judges liveness: one-shot (3 intervals) and advanced across samples', () => {
    const hb = parseHeartbeat('pod-coord', 7, map);
    expect(judgeAlive(hb, 1700000014000, 5000).alive).toBe(true);
    expect(judgeAlive(hb, 1700000015000, 5000).alive).toBe(false);
    expect(judgeAlive(null, Date.now()).alive).toBe(false);
    expect(judgeAdvance(hb, { ...hb, rev: 8 }).alive).toBe(true);
    expect(judgeAdvance(hb, { ...hb }).alive).toBe(false);
    expect(judgeAdvance(null, hb).alive).toBe(true);
    expect(heartbeatAgeMs(hb, 1700000000500)).toBe(500);
    expect(heartbeatAgeMs(hb, 1600000000000)).toBe(0);
    expect(heartbeatAgeMs(null)).toBeNull();
  });

  it('garbage maps are HEARTBEAT_CORRUPT without secrets', () => {
    expect(() => parseHeartbeat('pod-coord', 1, '{}')).toThrow(expect.objectContaining({ code: 'HEARTBEAT_CORRUPT' }));
  });
});

describe('logs', () => {
  it('tailFile returns the last lines across chunk boundaries', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-logs-'));
    const f = path.join(dir, 'x.log');
    await writeFile(f, Array.from({ length: 20000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    expect(await tailFile(f, 3)).toEqual(['line 19997', 'line 19998', 'line 19999']);
    expect((await tailFile(f, 5000))?.[0]).toBe('line 15000');
    expect(await tailFile(path.join(dir, 'none'), 3)).toBeNull();
  });

  it('readLogs masks secrets and picks the newest log-dir file', async () => {
    const state = await mkdtemp(path.join(tmpdir(), 'dtx-logs-'));
    const p = transactorPaths(state);
    await mkdir(p.logDir, { recursive: true });
    await writeFile(p.outLog, 'Launching\nSystem started datomic:sql://<DB-NAME>?jdbc:postgresql://h/d?user=u&password=hunter22\n');
    await writeFile(path.join(p.logDir, '2024-01-01.log'), 'old\n');
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(path.join(p.logDir, '2024-01-02.log'), 'new 1\nnew 2\n');
    const r = await readLogs({ stateDir: state, lines: 10 });
    expect(r.captured?.lines[1]).toContain('password=***');
    expect(JSON.stringify(r)).not.toContain('hunter22');
    expect(r.log).toEqual({ file: path.join(p.logDir, '2024-01-02.log'), lines: ['new 1', 'new 2'] });
    expect(await newestFile(path.join(state, 'none'))).toBeNull();
  });

  it('linesWrittenSince: only what was appended after the snapshot (grown, new and truncated files)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-logdir-'));
    await writeFile(path.join(dir, 'day.log'), 'old BindException\nold 2\n');
    await writeFile(path.join(dir, 'other.log'), 'untouched BindException\n');
    await writeFile(path.join(dir, 'rotated.log'), 'a long old line that will be truncated\n');
    const before = await fileSizes(dir);
    await appendFile(path.join(dir, 'day.log'), 'new 1\nnew 2\n');
    await writeFile(path.join(dir, 'rotated.log'), 'fresh\n');
    await writeFile(path.join(dir, 'new.log'), 'brand new\n');
    const r = await linesWrittenSince(dir, before);
    expect(r.lines.sort()).toEqual(['brand new', 'fresh', 'new 1', 'new 2']);
    expect(r.files.map((f) => path.basename(f)).sort()).toEqual(['day.log', 'new.log', 'rotated.log']);
    expect(await linesWrittenSince(path.join(dir, 'missing'), new Map())).toEqual({ files: [], lines: [] });
  });

  it('followLogs yields appended lines until aborted', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-logs-'));
    const f = path.join(dir, 'x.log');
    await writeFile(f, 'before\n');
    const ac = new AbortController();
    const got: string[] = [];
    const it = (async () => {
      for await (const l of followLogs({ files: [f], signal: ac.signal, pollMs: 20 })) {
        got.push(l.line);
        if (got.length === 2) ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    await appendFile(f, 'one\npassword=hunter22\npart');
    await it;
    expect(got).toEqual(['one', 'password=***']);
  });
});

describe('runCommand: the one way dtx runs a helper program (ps, taskkill, id, systemd-analyze, ...)', () => {
  it('exit code and output, ENOENT for a missing program, "timed out" after the timeout; defaultExecText is its stdout on success only', async () => {
    const { runCommand, notInstalled, defaultExecText } = await import('../../src/core/datomic/process.js');
    const node = process.execPath;
    const ok = await runCommand(node, ['-e', 'process.stdout.write("out"); process.stderr.write("err")'], 10_000);
    expect(ok).toEqual({ code: 0, stdout: 'out', stderr: 'err' });
    const failed = await runCommand(node, ['-e', 'process.stdout.write("half"); process.exit(3)'], 10_000);
    expect(failed).toEqual({ code: 3, stdout: 'half', stderr: '' });
    expect(notInstalled(failed)).toBe(false);
    const missing = await runCommand('dtx-no-such-program-7f3a', [], 10_000);
    expect(missing).toMatchObject({ code: null, error: 'ENOENT' });
    expect(notInstalled(missing)).toBe(true);
    const slow = await runCommand(node, ['-e', 'setTimeout(() => {}, 20000)'], 200);
    expect(slow).toMatchObject({ code: null, error: 'timed out' });
    expect(await defaultExecText(node, ['-e', 'process.stdout.write("x")'])).toBe('x');
    expect(await defaultExecText(node, ['-e', 'process.stdout.write("x"); process.exit(1)'])).toBeNull();
    expect(await defaultExecText('dtx-no-such-program-7f3a', [])).toBeNull();
  });
});
