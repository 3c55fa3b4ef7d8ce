/**
 * Transactor lifecycle against the real PostgreSQL (globalSetup) and the fake Datomic distribution
 * (test/fixtures/fake-datomic). Every test starts its own storage, ports and state dir; afterEach
 * force-stops whatever was started.
 */
import { describe, it, expect, afterEach, afterAll } from 'vitest';
import { mkdtemp, readFile, writeFile, stat, mkdir, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { expectDtxError } from '../helpers/dtx-error.js';
import { adminUrl, freshStorage, withAdmin } from '../helpers/pg.js';
import { freePort, freePorts } from '../helpers/ports.js';
import { writeBeat } from '../helpers/heartbeat.js';
import { installFakeDatomic } from '../fixtures/fake-datomic/install.mjs';
import { renderTransactorProperties, writeSecretFile, parseProperties, stringifyProperties } from '../../src/core/datomic/properties.js';
import { transactorPaths, readPidFile } from '../../src/core/datomic/pidfile.js';
import { startTransactor, runTransactorForeground } from '../../src/core/datomic/transactor/start.js';
import type { StartTransactorOptions, StartResult } from '../../src/core/datomic/transactor/start-options.js';
import { stopTransactor } from '../../src/core/datomic/transactor/stop.js';
import { transactorStatus } from '../../src/core/datomic/transactor/status.js';
import { newestFile, readLogs } from '../../src/core/datomic/logs.js';
import { isAlive } from '../../src/core/datomic/process.js';
import { checkJava } from '../../src/core/datomic/java.js';
import type { DtxError } from '../../src/core/errors.js';
import { connect, type PgClient } from '../../src/core/postgres/client.js';
import { makeZombie } from '../helpers/zombie.js';

interface Rig {
  home: string;
  stateDir: string;
  storage: { database: string; role: string; password: string; url: string };
  port: number;
  pingPort: number;
  propertiesFile: string;
  logDir: string;
  opts: StartTransactorOptions;
}

const fakeHomes = new Map<string, string>();

/** Installs the fake once per directory name (e.g. with spaces) and reuses it. */
async function fakeHome(name = 'datomic-pro-1.0.7469'): Promise<string> {
  let h = fakeHomes.get(name);
  if (!h) {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-fake-'));
    h = await installFakeDatomic(path.join(dir, name));
    fakeHomes.set(name, h);
  }
  return h;
}

async function makeRig(opts: { homeName?: string; stateName?: string; storage?: Rig['storage'] } = {}): Promise<Rig> {
  const home = await fakeHome(opts.homeName);
  const base = await mkdtemp(path.join(tmpdir(), 'dtx-state-'));
  const stateDir = path.join(base, opts.stateName ?? 'state');
  const storage = opts.storage ?? (await freshStorage());
  const [port, pingPort] = (await freePorts(2)) as [number, number];
  const p = transactorPaths(stateDir);
  const r = renderTransactorProperties({
    pgUrl: storage.url,
    host: '127.0.0.1',
    port,
    dataDir: p.dataDir,
    logDir: p.logDir,
    pidFile: p.datomicPidFile,
    pingHost: '127.0.0.1',
    pingPort,
    heartbeatIntervalMsec: 1000,
  });
  await writeSecretFile(p.propertiesFile, r.text);
  return {
    home, stateDir, storage, port, pingPort, propertiesFile: p.propertiesFile, logDir: p.logDir,
    opts: {
      stateDir,
      propertiesFile: p.propertiesFile,
      datomicHome: home,
      // The fake must not sleep 30 s after "Terminating process"... but dtx must not wait for it anyway:
      // keep the real 30 s so the tests prove dtx kills it instead of waiting.
      env: { ...process.env, FAKE_DATOMIC_TERMINATE_DELAY_MS: '30000' },
      javaCheck: false,
      timeoutMs: 20_000,
    },
  };
}

/** Epoch ms of the fake's "System started" log line (log-dir file, local time with ms). */
async function systemStartedLoggedAt(logDir: string): Promise<number | null> {
  const f = await newestFile(logDir);
  if (!f) return null;
  const lines = (await readFile(f, 'utf8')).split('\n').filter((l) => l.includes('System started'));
  const last = lines.at(-1);
  const m = last && /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})/.exec(last);
  if (!m) return null;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
}

async function cleanup(rigs: Rig[]): Promise<void> {
  for (const r of rigs.splice(0)) {
    await stopTransactor({ stateDir: r.stateDir, force: true, timeoutMs: 2000 }).catch(() => {});
  }
}

const rigs: Rig[] = [];
const servers: net.Server[] = [];
async function rig(o: Parameters<typeof makeRig>[0] = {}): Promise<Rig> {
  const r = await makeRig(o);
  rigs.push(r);
  return r;
}
afterEach(async () => {
  await cleanup(rigs);
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function occupy(port: number): Promise<net.Server> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
  servers.push(s);
  return s;
}

const latencies: Array<{ test: string; systemStartedToReadyMs: number | null; loggedToReadyMs: number | null; spawnToReadyMs: number }> = [];
async function recordLatency(test: string, r: Rig, res: StartResult): Promise<void> {
  const logged = await systemStartedLoggedAt(r.logDir);
  latencies.push({ test, systemStartedToReadyMs: res.timings.systemStartedToReadyMs, loggedToReadyMs: logged === null ? null : res.timings.readyAt - logged, spawnToReadyMs: res.timings.spawnToReadyMs });
}
afterAll(() => {
  // Printed for the report: ms from the fake's "System started" (its log timestamp) to dtx reporting ready.
  console.log(`readiness latency: ${JSON.stringify(latencies)}`);
});

/** A storage client that counts the reads of pod-coord. */
async function countingClient(url: string): Promise<{ client: PgClient; coordReads: () => number }> {
  const real = await connect({ url, purpose: 'storage' });
  let n = 0;
  const query = real.query.bind(real) as (...a: unknown[]) => unknown;
  const client = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'query') {
        return (...a: unknown[]) => {
          if (JSON.stringify(a).includes('pod-coord')) n++;
          return query(...a);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  return { client, coordReads: () => n };
}

describe('transactor lifecycle (fake Datomic)', () => {
  it('happy path: start, status, logs, stop; ready within 2 s of "System started"', async () => {
    const r = await rig();
    const stages: string[] = [];
    const res = await startTransactor({ ...r.opts, onProgress: (s) => stages.push(s) });
    expect(res).toMatchObject({ role: 'active', host: '127.0.0.1', port: r.port, pingPort: r.pingPort, version: '1.0.7469', datomicHome: r.home });
    expect(isAlive(res.pid)).toBe(true);
    expect(await readPidFile(transactorPaths(r.stateDir).pidFile)).toBe(res.pid);
    expect(stages).toContain('ready');
    await recordLatency('happy', r, res);
    const logged = await systemStartedLoggedAt(r.logDir);
    expect(logged).not.toBeNull();
    expect(res.timings.readyAt - (logged as number)).toBeLessThan(2000);
    expect(res.timings.systemStartedToReadyMs).toBeLessThan(2000);

    const st = await transactorStatus({ stateDir: r.stateDir });
    expect(st).toMatchObject({
      running: true,
      pid: res.pid,
      health: 'ok',
      portOpen: true,
      active: { host: '127.0.0.1', port: r.port, version: '1.0.7469', alive: true },
      standby: null,
      storage: { checked: true, error: null },
    });
    expect(st.active?.heartbeatAgeMs).toBeLessThan(3000);
    expect(JSON.stringify(st)).not.toContain(r.storage.password);

    const logs = await readLogs({ stateDir: r.stateDir, lines: 50 });
    expect(logs.captured?.lines.some((l) => l.includes('System started'))).toBe(true);
    expect(logs.log?.lines.some((l) => l.includes('System started'))).toBe(true);

    const stop = await stopTransactor({ stateDir: r.stateDir, timeoutMs: 5000 });
    expect(stop).toMatchObject({ stopped: true, pid: res.pid, forced: false });
    expect(isAlive(res.pid)).toBe(false);
    expect(await readPidFile(transactorPaths(r.stateDir).pidFile)).toBeNull();
    expect(await readPidFile(transactorPaths(r.stateDir).datomicPidFile)).toBeNull();

    const again = await stopTransactor({ stateDir: r.stateDir });
    expect(again).toMatchObject({ stopped: false, note: expect.stringContaining('no transactor') });

    // Its heartbeat row stays and still looks fresh; the closed local port settles it at once
    // (the rule of the db commands): one read of pod-coord, no second sample.
    const counted = await countingClient(r.storage.url);
    let sampledTwice = false;
    try {
      const after = await transactorStatus({ stateDir: r.stateDir, client: counted.client, onSecondSample: () => (sampledTwice = true) });
      expect(after).toMatchObject({ running: false, pid: null, active: null, health: 'down', portOpen: false });
      expect(after.heartbeats.coord).toMatchObject({ port: r.port, alive: false });
    } finally {
      await counted.client.end();
    }
    expect(sampledTwice).toBe(false);
    expect(counted.coordReads()).toBe(1);
  });

  it('double start is refused while the first runs; concurrent starts: one wins', async () => {
    const r = await rig();
    const res = await startTransactor(r.opts);
    const e = await expectDtxError(startTransactor(r.opts));
    expect(e).toMatchObject({ code: 'TRANSACTOR_ALREADY_RUNNING', exitCode: 1 });
    expect(e.message).toContain(String(res.pid));
    expect(isAlive(res.pid)).toBe(true);
    // --standby from the same state dir is refused too; the hint must not send the user round in a
    // loop ("or --standby"): a standby needs its own state dir (and, on one machine, its own ports).
    const standbyHere = await expectDtxError(startTransactor({ ...r.opts, standby: true }));
    expect(standbyHere).toMatchObject({ code: 'TRANSACTOR_ALREADY_RUNNING' });
    for (const err of [e, standbyHere]) {
      expect(err.hint).toContain('--standby --state-dir DIR');
      expect(err.hint).toContain('--ping-port');
      expect(err.hint).not.toMatch(/or --standby to start/);
    }

    const r2 = await rig();
    const both = await Promise.allSettled([startTransactor(r2.opts), startTransactor(r2.opts)]);
    expect(both.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    const rejected = both.find((x) => x.status === 'rejected') as PromiseRejectedResult;
    expect(['LOCKED', 'TRANSACTOR_ALREADY_RUNNING']).toContain((rejected.reason as DtxError).code);
  });

  it('kill -9: status sees it dead and cleans the pid file; start works again', async () => {
    const r = await rig();
    const first = await startTransactor(r.opts);
    process.kill(first.pid, 'SIGKILL');
    await new Promise((res) => setTimeout(res, 100));
    const st = await transactorStatus({ stateDir: r.stateDir });
    expect(st).toMatchObject({ running: false, pid: null, active: null });
    expect(st.process.stalePidFileRemoved).toBe(transactorPaths(r.stateDir).pidFile);
    const t0 = Date.now();
    const second = await startTransactor(r.opts);
    expect(second.pid).not.toBe(first.pid);
    expect(second.role).toBe('active');
    await recordLatency('restart after kill -9', r, second);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const st2 = await transactorStatus({ stateDir: r.stateDir });
    expect(st2).toMatchObject({ running: true, pid: second.pid });
  });

  it.skipIf(process.platform !== 'linux')('a zombie (killed, never reaped) is not a running transactor: status, stop and start (linux)', async () => {
    const r = await rig();
    const z = await makeZombie();
    try {
      const p = transactorPaths(r.stateDir);
      await writeFile(p.pidFile, `${z.pid}\n`);
      const st = await transactorStatus({ stateDir: r.stateDir });
      expect(st).toMatchObject({ running: false, pid: null, process: { alive: false, stalePidFileRemoved: p.pidFile } });
      await writeFile(p.pidFile, `${z.pid}\n`);
      await writeFile(p.datomicPidFile, `${z.pid}\n`);
      const stop = await stopTransactor({ stateDir: r.stateDir, timeoutMs: 500 });
      expect(stop).toMatchObject({ stopped: false, note: expect.stringContaining('is not running') });
      expect(await readPidFile(p.pidFile)).toBeNull();
      await writeFile(p.pidFile, `${z.pid}\n`);
      const res = await startTransactor(r.opts);
      expect(res.pid).not.toBe(z.pid);
      expect(res.role).toBe('active');
    } finally {
      z.parent.kill('SIGKILL');
    }
  });

  it('stale pid file pointing at another program is detected and cleaned, not killed', async () => {
    const r = await rig();
    const other = spawn(process.execPath, ['-e', 'setTimeout(()=>{}, 30000)']);
    try {
      await new Promise((res) => other.once('spawn', res));
      const p = transactorPaths(r.stateDir);
      await writeFile(p.pidFile, `${other.pid}\n`);
      const stop = await stopTransactor({ stateDir: r.stateDir });
      expect(stop.stopped).toBe(false);
      expect(stop.note).toContain('belongs to another program');
      expect(isAlive(other.pid as number)).toBe(true);
      await writeFile(p.pidFile, `${other.pid}\n`);
      const res = await startTransactor(r.opts);
      expect(res.pid).not.toBe(other.pid);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('missing table: preflight says dtx init-postgres; at runtime dtx kills the fake instead of waiting 30 s', async () => {
    const r = await rig();
    await withAdmin((c) => c.query('DROP TABLE datomic_kvs'), r.storage.database);
    const pre = await expectDtxError(startTransactor(r.opts));
    expect(pre).toMatchObject({ code: 'STORAGE_TABLE_MISSING', exitCode: 1, hint: expect.stringContaining('dtx init-postgres') });
    expect(await readPidFile(transactorPaths(r.stateDir).pidFile)).toBeNull();

    // The table disappears between preflight and launch: the fake prints the real failure lines.
    const r2 = await rig();
    const t0 = Date.now();
    const e = await expectDtxError(startTransactor({
      ...r2.opts,
      beforeSpawn: () => withAdmin((c) => c.query('DROP TABLE datomic_kvs'), r2.storage.database).then(() => undefined),
    }));
    const elapsed = Date.now() - t0;
    expect(e).toMatchObject({ code: 'STORAGE_TABLE_MISSING', exitCode: 1, hint: expect.stringContaining('dtx init-postgres') });
    expect(e.message).toContain('relation "datomic_kvs" does not exist');
    expect(e.message).toContain('Terminating process - Lifecycle thread failed');
    expect(elapsed).toBeLessThan(5000); // the fake would sleep 30 s
    const pid = JSON.parse(await readFile(transactorPaths(r2.stateDir).launchFile, 'utf8')).pid as number;
    expect(isAlive(pid)).toBe(false);
    expect(await readPidFile(transactorPaths(r2.stateDir).pidFile)).toBeNull();
  });

  it('missing property in a user file: Datomic\'s own message before launch, identical to the fake\'s', async () => {
    const r = await rig();
    const props = parseProperties(await readFile(r.propertiesFile, 'latin1'));
    delete props['memory-index-max'];
    const userFile = path.join(path.dirname(r.propertiesFile), 'user transactor.properties');
    await writeFile(userFile, `# hand-written\n${stringifyProperties(props)}`);
    const e = await expectDtxError(startTransactor({ ...r.opts, propertiesFile: userFile }));
    const expected = `:db.error/missing-transactor-property 'memory-index-max' property not set, required for protocol: sql in ${userFile}`;
    expect(e).toMatchObject({ code: 'PROPERTY_MISSING', exitCode: 2, message: expected });
    expect(await readPidFile(transactorPaths(r.stateDir).pidFile)).toBeNull();
    // Cross-check with the fake itself.
    const out = await new Promise<string>((resolve) => {
      const c = spawn(path.join(r.home, 'bin', 'transactor'), [userFile], { env: r.opts.env as NodeJS.ProcessEnv });
      let s = '';
      c.stdout.on('data', (d: Buffer) => (s += d.toString()));
      c.on('close', () => resolve(s));
    });
    expect(out).toContain(expected);
  });

  it('port in use: refused in preflight; taken after preflight: classified from the fake\'s output', async () => {
    const r = await rig();
    await occupy(r.port);
    const e = await expectDtxError(startTransactor(r.opts));
    expect(e).toMatchObject({ code: 'PORT_IN_USE', exitCode: 1 });
    expect(e.message).toContain(String(r.port));

    const r2 = await rig();
    await occupy(r2.pingPort);
    expect(await expectDtxError(startTransactor(r2.opts))).toMatchObject({ code: 'PORT_IN_USE', message: expect.stringContaining('ping port') });

    const r3 = await rig();
    const t0 = Date.now();
    const e3 = await expectDtxError(startTransactor({ ...r3.opts, beforeSpawn: async () => void (await occupy(r3.port)) }));
    expect(e3).toMatchObject({ code: 'PORT_IN_USE' });
    expect(e3.message).toContain('Address already in use');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a failed start reports this run only: an earlier run\'s BindException in the same log files is not the cause', async () => {
    // Datomic's log file is daily and appended by every run; the captured output is appended too.
    const today = new Date();
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    const earlier = [
      '2020-01-01 00:00:00.000 ERROR default    datomic.transactor - java.net.BindException: Address already in use (host 127.0.0.1, port 4334)',
      '2020-01-01 00:00:00.001 ERROR default    datomic.transactor - Terminating process - Error starting transactor',
    ].join('\n');
    const plantEarlierRun = async (r: Rig): Promise<void> => {
      await mkdir(r.logDir, { recursive: true });
      await writeFile(path.join(r.logDir, `${day}.log`), `${earlier}\n`);
      await mkdir(path.dirname(transactorPaths(r.stateDir).outLog), { recursive: true });
      await appendFile(transactorPaths(r.stateDir).outLog, `${earlier}\n`);
    };

    // 1. Stopped (`dtx transactor stop`) while it waits for its storage.
    const r = await rig();
    await plantEarlierRun(r);
    const locker = new pg.Client({ connectionString: adminUrl(r.storage.database) });
    await locker.connect();
    try {
      const starting = expectDtxError(startTransactor({
        ...r.opts,
        beforeSpawn: async () => {
          await locker.query('BEGIN');
          await locker.query('LOCK TABLE datomic_kvs IN ACCESS EXCLUSIVE MODE');
        },
      }));
      const pidFile = transactorPaths(r.stateDir).pidFile;
      while ((await readPidFile(pidFile)) === null) await new Promise((res) => setTimeout(res, 10));
      expect((await stopTransactor({ stateDir: r.stateDir, timeoutMs: 5000 })).stopped).toBe(true);
      const e = await starting;
      expect(e.code).not.toBe('PORT_IN_USE');
      expect(e.message).not.toContain('BindException');
      expect(e.message).toMatch(/exited during startup/);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await locker.end();
    }

    // 2. Fails for another reason (its properties file vanished before the launch).
    const r2 = await rig();
    await plantEarlierRun(r2);
    const e2 = await expectDtxError(startTransactor({ ...r2.opts, beforeSpawn: () => rm(r2.propertiesFile) }));
    expect(e2.code).toBe('PROPERTIES_NOT_FOUND');
    expect(e2.message).not.toContain('BindException');
  });

  it('java absent from PATH: JAVA_NOT_FOUND (exit 2) naming the fix; the real java check passes here', async () => {
    const r = await rig();
    const emptyBin = await mkdtemp(path.join(tmpdir(), 'dtx-nojava-'));
    const { javaCheck: _skip, ...withJava } = r.opts;
    const e = await expectDtxError(startTransactor({ ...withJava, env: { ...r.opts.env, PATH: emptyBin } }));
    expect(e).toMatchObject({ code: 'JAVA_NOT_FOUND', exitCode: 2, hint: expect.stringMatching(/JAVA_HOME/) });
    const javaHome = await mkdtemp(path.join(tmpdir(), 'dtx-nojdk-'));
    expect(await expectDtxError(startTransactor({ ...withJava, javaHome }))).toMatchObject({ code: 'JAVA_NOT_FOUND' });
    // The machine's real java (skipped where none is installed).
    const haveJava = await checkJava({ pathEnv: process.env.PATH }).catch(() => null);
    if (haveJava) expect(haveJava.major).toBeGreaterThanOrEqual(11);
  });

  it('wrong DATOMIC_HOME: not set, missing, not an install, bin/ instead of root', async () => {
    const r = await rig();
    expect(await expectDtxError(startTransactor({ ...r.opts, datomicHome: undefined }))).toMatchObject({ code: 'DATOMIC_HOME_NOT_SET', exitCode: 2 });
    expect(await expectDtxError(startTransactor({ ...r.opts, datomicHome: path.join(r.home, 'nope') }))).toMatchObject({ code: 'DATOMIC_HOME_NOT_FOUND' });
    expect(await expectDtxError(startTransactor({ ...r.opts, datomicHome: tmpdir() }))).toMatchObject({ code: 'DATOMIC_HOME_INVALID' });
    expect(await expectDtxError(startTransactor({ ...r.opts, datomicHome: path.join(r.home, 'bin') }))).toMatchObject({ code: 'DATOMIC_HOME_IS_BIN', hint: expect.stringContaining(r.home) });
  });

  it('standby: a second transactor on the same storage needs --standby and is reported as standby', async () => {
    const a = await rig();
    const resA = await startTransactor(a.opts);
    const b = await rig({ storage: a.storage });
    const refused = await expectDtxError(startTransactor(b.opts));
    expect(refused).toMatchObject({ code: 'TRANSACTOR_ALREADY_RUNNING', message: expect.stringContaining(`127.0.0.1:${a.port}`) });
    expect(refused.hint).toContain('--standby --state-dir DIR');
    const resB = await startTransactor({ ...b.opts, standby: true });
    expect(resB.role).toBe('standby');
    expect(resB.timings.systemStartedSeenAt).toBeNull();
    const st = await transactorStatus({ stateDir: b.stateDir });
    expect(st).toMatchObject({
      running: true,
      pid: resB.pid,
      active: { port: a.port, alive: true },
      standby: { port: b.port, alive: true },
      portOpen: false, // a standby does not bind the peer port
      health: 'ok',
    });
    // Stop the active one: the standby takes over.
    await stopTransactor({ stateDir: a.stateDir, timeoutMs: 5000 });
    expect(isAlive(resA.pid)).toBe(false);
    let takenOver = false;
    for (let i = 0; i < 60 && !takenOver; i++) {
      await new Promise((res) => setTimeout(res, 100));
      const s = await transactorStatus({ stateDir: b.stateDir });
      takenOver = s.active?.port === b.port;
    }
    expect(takenOver).toBe(true);
  });

  it('paths with spaces: install root and state dir', async () => {
    const r = await rig({ homeName: 'Datomic Pro 1.0.7469 (copy)', stateName: 'my dtx state' });
    expect(r.home).toContain(' ');
    const res = await startTransactor(r.opts);
    expect(res.propertiesFile).toContain('my dtx state');
    await recordLatency('paths with spaces', r, res);
    const st = await transactorStatus({ stateDir: r.stateDir });
    expect(st.running).toBe(true);
    expect((await stopTransactor({ stateDir: r.stateDir })).stopped).toBe(true);
    expect(isAlive(res.pid)).toBe(false);
  });

  it('timeout: stops the transactor and reports what was missing', async () => {
    const r = await rig();
    const e = await expectDtxError(startTransactor({ ...r.opts, timeoutMs: 1 }));
    expect(e).toMatchObject({ code: 'TRANSACTOR_START_TIMEOUT', exitCode: 1 });
    const pid = JSON.parse(await readFile(transactorPaths(r.stateDir).launchFile, 'utf8')).pid as number;
    expect(isAlive(pid)).toBe(false);
  });

  it('foreground: streams output, reports ready, stops on abort', async () => {
    const r = await rig();
    const ac = new AbortController();
    let out = '';
    let ready: StartResult | null = null;
    const res = await runTransactorForeground({
      ...r.opts,
      signal: ac.signal,
      stopTimeoutMs: 5000,
      onOutput: (s) => (out += s),
      onReady: (x) => {
        ready = x;
        setTimeout(() => ac.abort(), 50);
      },
    });
    expect(ready).not.toBeNull();
    expect(out).toContain('System started');
    expect(res.stoppedBySignal).toBe(true);
    expect(res.exitCode === 143 || res.signal === 'SIGTERM').toBe(true);
    expect(await readPidFile(transactorPaths(r.stateDir).pidFile)).toBeNull();
  });

  it('status of a transactor dtx did not start: storage view only', async () => {
    const a = await rig();
    await startTransactor(a.opts);
    const other = await mkdtemp(path.join(tmpdir(), 'dtx-other-'));
    const st = await transactorStatus({ stateDir: other, storageUrl: a.storage.url });
    expect(st).toMatchObject({ running: true, pid: null, health: 'unconfigured', active: { port: a.port, version: '1.0.7469' } });
    const none = await transactorStatus({ stateDir: other });
    expect(none).toMatchObject({ running: false, storage: { checked: false } });
    const bad = await transactorStatus({ stateDir: other, storageUrl: `postgresql://nobody:wrongpw@127.0.0.1:${await freePort()}/x` });
    expect(bad.storage.error?.code).toBe('PG_UNREACHABLE');
    expect(JSON.stringify(bad)).not.toContain('wrongpw');
  });

  it('status samples the heartbeat twice, with onSecondSample for the spinner, when a remote heartbeat is only somewhat old', async () => {
    const storage = await freshStorage();
    await writeBeat(storage.url, { host: 'tx.example.invalid', skewMs: -30_000 }); // 30 s old
    const other = await mkdtemp(path.join(tmpdir(), 'dtx-other-'));
    let sampledTwice = 0;
    const st = await transactorStatus({ stateDir: other, storageUrl: storage.url, intervalMs: 1000, onSecondSample: () => sampledTwice++ });
    expect(sampledTwice).toBe(1);
    expect(st).toMatchObject({ running: false, active: null, heartbeats: { coord: { host: 'tx.example.invalid', alive: false } }, storage: { checked: true, error: null } });
  });

  it('status with a wrong storage password reports the storage error with its hint (never the password)', async () => {
    const a = await rig();
    await startTransactor(a.opts);
    const wrong = new URL(a.storage.url);
    wrong.password = 'definitely-wrong-pw';
    const st = await transactorStatus({ stateDir: a.stateDir, storageUrl: wrong.toString() });
    expect(st.storage.error).toMatchObject({ code: 'PG_AUTH_FAILED', hint: expect.stringContaining('--pg-url') });
    expect(JSON.stringify(st)).not.toContain('definitely-wrong-pw');
  });

  it('wrong storage password: PG_AUTH_FAILED in preflight, nothing launched, password masked', async () => {
    const r = await rig();
    const props = parseProperties(await readFile(r.propertiesFile, 'latin1'));
    props['sql-password'] = 'definitely-wrong-pw';
    await writeSecretFile(r.propertiesFile, stringifyProperties(props));
    const e = await expectDtxError(startTransactor(r.opts));
    expect(e).toMatchObject({ code: 'PG_AUTH_FAILED', exitCode: 1 });
    expect(`${e.message} ${e.hint}`).not.toContain('definitely-wrong-pw');
    expect(await readPidFile(transactorPaths(r.stateDir).pidFile)).toBeNull();
  });

  it('generated properties are 0600', async () => {
    const r = await rig();
    expect((await stat(r.propertiesFile)).mode & 0o777).toBe(0o600);
  });
});
