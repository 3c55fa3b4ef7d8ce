/**
 * `transactor start` preflight against the real PostgreSQL and the fake distribution: Ctrl-C during
 * the checks launches nothing and writes nothing, and the live-transactor check is the one liveness
 * judgement (src/core/storage/liveness.ts): a transactor whose clock is behind but whose heartbeat
 * advances is alive, so no second transactor is started next to it.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtemp, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { freshStorage } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';
import { startBeating, writeBeat } from '../helpers/heartbeat.js';
import { installFakeDatomic } from '../fixtures/fake-datomic/install.mjs';
import { renderTransactorProperties, writeSecretFile } from '../../src/core/datomic/properties.js';
import { transactorPaths } from '../../src/core/datomic/pidfile.js';
import { startTransactor } from '../../src/core/datomic/transactor/start.js';
import { SECOND_SAMPLE_STAGE } from '../../src/core/datomic/transactor/preflight.js';
import type { StartTransactorOptions } from '../../src/core/datomic/transactor/start-options.js';
import { stopTransactor } from '../../src/core/datomic/transactor/stop.js';
import { isAlive } from '../../src/core/datomic/process.js';
import { DtxError } from '../../src/core/errors.js';

const MIN = 60_000;
let home: string | null = null;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.().catch(() => {});
});

async function rig(): Promise<{ url: string; stateDir: string; opts: StartTransactorOptions }> {
  home ??= await installFakeDatomic(path.join(await mkdtemp(path.join(tmpdir(), 'dtx-fake-')), 'datomic-pro-1.0.7469'));
  const stateDir = path.join(await mkdtemp(path.join(tmpdir(), 'dtx-state-')), 'state');
  const storage = await freshStorage('pre');
  const port = await freePort();
  let pingPort = await freePort();
  while (pingPort === port) pingPort = await freePort();
  const p = transactorPaths(stateDir);
  const r = renderTransactorProperties({
    pgUrl: storage.url, host: '127.0.0.1', port, dataDir: p.dataDir, logDir: p.logDir, pidFile: p.datomicPidFile,
    pingHost: '127.0.0.1', pingPort, heartbeatIntervalMsec: 1000,
  });
  await writeSecretFile(p.propertiesFile, r.text);
  cleanups.push(() => stopTransactor({ stateDir, force: true, timeoutMs: 2000 }));
  return {
    url: storage.url,
    stateDir,
    opts: { stateDir, propertiesFile: p.propertiesFile, datomicHome: home, env: { ...process.env }, javaCheck: false, timeoutMs: 20_000 },
  };
}

async function exists(f: string): Promise<boolean> {
  return access(f).then(() => true, () => false);
}

async function rejection(p: Promise<unknown>): Promise<DtxError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(DtxError);
  return e as DtxError;
}

/** Nothing of a launch: no spawn, no pid file, no launch record, no captured output log. */
async function expectNothingLaunched(stateDir: string, spawned: boolean): Promise<void> {
  const p = transactorPaths(stateDir);
  expect(spawned).toBe(false);
  expect(await exists(p.pidFile)).toBe(false);
  expect(await exists(p.launchFile)).toBe(false);
  expect(await exists(p.outLog)).toBe(false);
}

describe('Ctrl-C during transactor start preflight', () => {
  it('an abort during the wait for a second heartbeat sample is CANCELLED, and nothing is launched or written', async () => {
    const r = await rig();
    // A fresh heartbeat of another machine that does not advance (a transactor just killed): the
    // preflight watches it for more than one interval before it starts anything.
    await writeBeat(r.url);
    const ac = new AbortController();
    let spawned = false;
    const stages: string[] = [];
    const e = await rejection(startTransactor({
      ...r.opts,
      signal: ac.signal,
      beforeSpawn: async () => void (spawned = true),
      onProgress: (s) => {
        stages.push(s);
        // 200 ms into the check: inside the wait, which lasts more than one 1000 ms interval
        if (s === 'checking for a live transactor') setTimeout(() => ac.abort(), 200);
      },
    }));
    expect(e).toMatchObject({ code: 'CANCELLED', exitCode: 130 });
    await expectNothingLaunched(r.stateDir, spawned);
    expect(stages.at(-1)).toBe(SECOND_SAMPLE_STAGE); // the abort came during the wait
  });

  it('an abort after the last check (ports) launches nothing', async () => {
    const r = await rig();
    const ac = new AbortController();
    let spawned = false;
    const e = await rejection(startTransactor({
      ...r.opts,
      signal: ac.signal,
      beforeSpawn: async () => void (spawned = true),
      onProgress: (s) => {
        if (s === 'checking ports') ac.abort();
      },
    }));
    expect(e).toMatchObject({ code: 'CANCELLED', exitCode: 130 });
    await expectNothingLaunched(r.stateDir, spawned);
  });

  it('an aborted signal leaves a stale pid file where it is (no write after Ctrl-C)', async () => {
    const r = await rig();
    const other = spawn(process.execPath, ['-e', 'setTimeout(()=>{}, 30000)']);
    cleanups.push(async () => other.kill('SIGKILL'));
    await new Promise((res) => other.once('spawn', res));
    const p = transactorPaths(r.stateDir);
    await writeSecretFile(p.pidFile, `${other.pid}\n`);
    const ac = new AbortController();
    ac.abort();
    let spawned = false;
    const e = await rejection(startTransactor({ ...r.opts, signal: ac.signal, beforeSpawn: async () => void (spawned = true) }));
    expect(e).toMatchObject({ code: 'CANCELLED', exitCode: 130 });
    expect(spawned).toBe(false);
    expect(await exists(p.pidFile)).toBe(true);
    expect(await exists(p.launchFile)).toBe(false);
    expect(isAlive(other.pid as number)).toBe(true);
  });
});

describe('transactor start refuses while a transactor is alive (the one liveness judgement)', () => {
  it('a heartbeat 20 minutes behind whose rev advances every second is a live transactor: TRANSACTOR_ALREADY_RUNNING', async () => {
    const r = await rig();
    const tx = await startBeating(r.url, { skewMs: -20 * MIN, everyMs: 1000 });
    cleanups.push(tx.stop);
    let spawned = false;
    const e = await rejection(startTransactor({ ...r.opts, beforeSpawn: async () => void (spawned = true) }));
    expect(e).toMatchObject({ code: 'TRANSACTOR_ALREADY_RUNNING', exitCode: 1, message: expect.stringContaining('192.0.2.10:4334') });
    await expectNothingLaunched(r.stateDir, spawned);
  });

  it('a dead transactor of this machine (its port refuses) does not hold up a start: no wait for a second sample', async () => {
    const r = await rig();
    const gone = await freePort();
    await writeBeat(r.url, { host: '127.0.0.1', port: gone });
    const stages: string[] = [];
    const res = await startTransactor({ ...r.opts, onProgress: (s) => stages.push(s) });
    expect(res.role).toBe('active');
    expect(stages).toContain('checking for a live transactor');
    expect(stages).not.toContain(SECOND_SAMPLE_STAGE);
  });
});
