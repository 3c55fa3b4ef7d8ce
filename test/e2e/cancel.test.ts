/**
 * Issue 9, items 1 and 2, through the built CLI: Ctrl-C (a real SIGINT) during the liveness wait of
 * `db delete` (also --purge) and `db undelete` writes nothing and exits 130; a live transactor whose
 * clock is 20 minutes behind (its rev advances every second) is never taken for dead.
 */
import { describe, it, expect, afterEach, inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dtx, dtxSpawn, tempStateDir } from '../helpers/cli.js';
import { freshStorage, adminUrl, uniqueName, withAdmin } from '../helpers/pg.js';
import { startBeating, writeBeat } from '../helpers/heartbeat.js';
import { dumpRows, withStorage, writeHandCatalog, type KvsRow } from '../helpers/real-peer.js';
import { printEdn, EdnMap, EdnSet, kw } from '../../src/core/edn/index.js';

const MIN = 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** Storage holding databases "app" and "keep" (catalog in Datomic's layout, root rows) and a deleted one. */
async function seeded(): Promise<{ url: string; deletedId: string; rows: () => Promise<KvsRow[]> }> {
  const st = await freshStorage('cx');
  const app = `app-${randomUUID()}`;
  const keep = `keep-${randomUUID()}`;
  const deletedId = `old-${randomUUID()}`;
  const cat = new EdnMap();
  cat.set('app', new EdnMap([[kw('db-id'), app]]));
  cat.set('keep', new EdnMap([[kw('db-id'), keep]]));
  cat.set(kw('datomic/deleted'), new EdnSet([deletedId]));
  await writeHandCatalog(st.url, [printEdn(cat)], { rev: 4 });
  await withStorage(st.url, async (c) => {
    for (const id of [app, keep, deletedId]) await c.query('insert into datomic_kvs (id, rev, map) values ($1, 0, $2)', [`pod-log-tail/${id}`, '{}']);
  });
  const rows = async () => (await dumpRows(st.url)).filter((r) => r.id !== 'pod-coord');
  return { url: st.url, deletedId, rows };
}

const SECOND_SAMPLE = 'checking whether it advances';

describe('Ctrl-C during the liveness wait writes nothing and exits 130', () => {
  const commands: [string, (deletedId: string) => string[]][] = [
    ['db delete --yes', () => ['db', 'delete', 'app', '--yes']],
    ['db delete --purge --yes', () => ['db', 'delete', 'app', '--purge', '--yes']],
    ['db undelete', (id) => ['db', 'undelete', id, 'back']],
  ];
  for (const [label, args] of commands) {
    it(label, async () => {
      const s = await seeded();
      // A heartbeat 60 s old that does not advance: dtx must watch it for more than one interval.
      await writeBeat(s.url, { host: '192.0.2.10', skewMs: -MIN });
      const before = await s.rows();
      const run = dtxSpawn([...args(s.deletedId), '--pg-url', s.url, '--state-dir', tempStateDir()], { env: { NO_COLOR: '1' } });
      await run.waitFor(SECOND_SAMPLE);
      run.child.kill('SIGINT');
      const r = await run.done;
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toMatch(/error: cancelled/);
      expect(r.stdout).not.toMatch(/deleted database|is back as/);
      expect(await s.rows()).toEqual(before);
    });
  }
});

describe('a live transactor whose clock is 20 minutes behind is alive', () => {
  it('db delete --yes, --purge and db undelete never rewrite the catalog behind it', async () => {
    const s = await seeded();
    const tx = await startBeating(s.url, { host: '192.0.2.10', skewMs: -20 * MIN, everyMs: 1000 });
    cleanups.push(tx.stop);
    const before = await s.rows();
    const common = ['--pg-url', s.url, '--state-dir', tempStateDir(), '--json'];

    const del = await dtx(['db', 'delete', 'app', '--yes', ...common]);
    // Judged alive, it goes the transactor's way (d/delete-database), which needs a distribution.
    expect(del.code, del.stdout).not.toBe(0);
    expect(del.stdout).not.toContain('"via": "catalog"');
    expect((del.json() as { error: { code: string } }).error.code).toMatch(/^DATOMIC_HOME|DISTRIBUTION/);

    const purge = await dtx(['db', 'delete', 'app', '--purge', '--yes', ...common]);
    expect(purge.code).toBe(2);
    expect(purge.json()).toMatchObject({ ok: false, error: { code: 'PURGE_NEEDS_STOPPED_TRANSACTOR' } });

    const un = await dtx(['db', 'undelete', s.deletedId, 'back', ...common]);
    expect(un.code).toBe(2);
    expect(un.json()).toMatchObject({ ok: false, error: { code: 'UNDELETE_NEEDS_STOPPED_TRANSACTOR' } });

    expect(await s.rows()).toEqual(before);
  });

  it('the second sample lasts longer than the interval of the last transactor this state dir started', async () => {
    const s = await seeded();
    // The last `dtx transactor start` here ran a transactor with a 2.5 s heartbeat; the config says 1 s.
    const state = tempStateDir();
    mkdirSync(path.join(state, 'transactor'), { recursive: true });
    writeFileSync(
      path.join(state, 'transactor', 'launch.json'),
      JSON.stringify({ pid: 999999, propertiesFile: path.join(state, 'x.properties'), datomicHome: '/nowhere', host: '192.0.2.10', port: 4334, pingHost: null, pingPort: null, heartbeatIntervalMsec: 2500, datomicPidFile: null, logDir: null, outLog: path.join(state, 'out.log'), platform: process.platform, standby: false, startedAt: new Date().toISOString() }),
    );
    const tx = await startBeating(s.url, { host: '192.0.2.10', skewMs: -20 * MIN, everyMs: 2500 });
    cleanups.push(tx.stop);
    const before = await s.rows();
    // Start right after a beat: a 1 s interval's sample (1.45 s) would see no advance and call it dead.
    const n = tx.beats();
    while (tx.beats() === n) await new Promise((r) => setTimeout(r, 20));
    const r = await dtx(['--json', 'db', 'undelete', s.deletedId, 'back', '--pg-url', s.url, '--state-dir', state], { env: { DTX_HEARTBEAT_MSEC: '1000' } });
    expect(r.json()).toMatchObject({ ok: false, error: { code: 'UNDELETE_NEEDS_STOPPED_TRANSACTOR' } });
    expect(await s.rows()).toEqual(before);
  });

  it('the human output shows progress while it takes the second sample', async () => {
    const s = await seeded();
    await writeBeat(s.url, { host: '192.0.2.10', skewMs: -20 * MIN });
    const r = await dtx(['db', 'delete', 'app', '--yes', '--pg-url', s.url, '--state-dir', tempStateDir()], { env: { DTX_HEARTBEAT_MSEC: '1000' } });
    // Not advancing: dead, after the second sample; the catalog rewrite is then correct.
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(SECOND_SAMPLE);
    expect(r.stdout).toContain('no transactor was running');
  });
});

/**
 * A TCP proxy to the test PostgreSQL that holds every connection until release() is called: the
 * command is then stuck connecting, a known moment to press Ctrl-C.
 */
async function holdingProxy(): Promise<{ port: number; connected: Promise<void>; release: () => void; close: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let connected!: () => void;
  const firstConnection = new Promise<void>((r) => (connected = r));
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((client) => {
    sockets.add(client);
    connected();
    void released.then(() => {
      const up = net.connect(inject('pgPort'), '127.0.0.1');
      sockets.add(up);
      client.pipe(up).pipe(client);
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    connected: firstConnection,
    release,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

describe('Ctrl-C in init-postgres', () => {
  it('pressed while it connects: it creates nothing and exits 130', async () => {
    const proxy = await holdingProxy();
    cleanups.push(proxy.close);
    const db = uniqueName('cidb');
    const role = uniqueName('cirole');
    const admin = new URL(adminUrl());
    admin.port = String(proxy.port);
    const run = dtxSpawn(['init-postgres', '--pg-url', `postgresql://${role}:Cancel-pw-1@127.0.0.1:${proxy.port}/${db}`, '--admin-url', admin.toString(), '--state-dir', tempStateDir()], { env: { NO_COLOR: '1' } });
    await proxy.connected;
    run.child.kill('SIGINT');
    await run.waitFor('(stopping');
    proxy.release();
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/error: cancelled/);
    const left = await withAdmin(async (a) => ({
      db: (await a.query('select 1 from pg_database where datname = $1', [db])).rowCount,
      role: (await a.query('select 1 from pg_roles where rolname = $1', [role])).rowCount,
    }));
    expect(left).toEqual({ db: 0, role: 0 });
  });
});
