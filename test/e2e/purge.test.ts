/**
 * Purges through the built CLI on storage written by real Datomic code: interrupted at the worst
 * moments (kill -9, the server dropping the connection, Ctrl-C), raced by other dtx commands and by a
 * transactor coming alive. The interruption point is made deterministic by holding a row lock on a
 * level-1 row of the database in another session: the purge has deleted every leaf and then blocks.
 */
import { describe, it, expect } from 'vitest';
import pg from 'pg';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dtx, dtxSpawn, ok, ROOT, tempStateDir } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { writeBeat } from '../helpers/heartbeat.js';
import { rowIds as ids, withStorage } from '../helpers/real-peer.js';
import { LIVE_DBS, expectReadWhole, loadedRealStorage, noRealStorage, rowsAtLevel } from '../helpers/real-storage-copy.js';
import { installFakeDatomic } from '../fixtures/fake-datomic/install.mjs';

const skip = noRealStorage('purge.test');

/** The first index row of the database at `level` (1: a dir node, 2: a root node), to hold a lock on. */
async function indexRowAt(url: string, dbId: string, level = 1): Promise<string> {
  return (await rowsAtLevel(url, dbId, 'index', level))[0]!;
}

/** Holds a row lock on `id` until released: DELETEs of that row wait. */
async function holdRow(url: string, id: string): Promise<{ release: () => Promise<void> }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('BEGIN');
  await c.query('select id from datomic_kvs where id = $1 for update', [id]);
  return {
    release: async () => {
      await c.query('ROLLBACK').catch(() => {});
      await c.end();
    },
  };
}

/** Waits until a backend of `url`'s database waits on a lock (the purge blocked on our row). */
async function waitBlocked(url: string, timeoutMs = 30_000): Promise<number> {
  return withStorage(url, async (c) => {
    const db = new URL(url).pathname.slice(1);
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
      const r = await c.query<{ pid: number }>(
        "select pid from pg_stat_activity where datname = $1 and wait_event_type = 'Lock' and query ilike '%delete from datomic_kvs%'",
        [db],
      );
      if (r.rows[0]) return r.rows[0].pid;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('the purge never blocked on the held row');
  });
}

describe.skipIf(skip)('purge through the CLI on real storage', () => {
  it('db purge: dry run changes nothing; without a terminal it needs --yes; then exactly the plan goes; a re-run is DB_NOT_FOUND', async () => {
    const { url, m } = await loadedRealStorage('cp');
    const a = ['--pg-url', url, '--state-dir', tempStateDir()];
    const gone = m.databases.gone.dbId;
    const before = await ids(url);
    const plan = (await ok(dtx(['--json', 'db', 'purge', gone, '--dry-run', ...a]))).json() as { rows: number; dryRun: boolean; byKind: Record<string, { rows: number }> };
    expect(plan.dryRun).toBe(true);
    expect(plan.byKind.fulltext!.rows).toBeGreaterThan(0);
    expect(await ids(url)).toEqual(before);
    const noYes = await dtx(['db', 'purge', gone, ...a]);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/hint: Re-run with --yes/);
    const done = (await ok(dtx(['--json', 'db', 'purge', gone, '--yes', ...a]))).json() as { rows: number; removedFromCatalog: boolean };
    expect(done).toMatchObject({ rows: plan.rows, removedFromCatalog: true });
    expect((await ids(url)).size).toBe(before.size - plan.rows + 1); // + the new catalog tail row
    const again = await dtx(['db', 'purge', gone, '--yes', ...a]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/not in the catalog's deleted set/);
    const live = await dtx(['db', 'purge', m.databases.alpha.dbId, '--yes', ...a]);
    expect(live.code).toBe(2);
    expect(live.stderr).toMatch(/belongs to the live database "alpha"/);
  }, 120_000);

  it('kill -9 in the middle of a purge, then the same command finishes: same final state, the others read whole', async () => {
    const { url, m } = await loadedRealStorage('ck');
    const a = ['--pg-url', url, '--state-dir', tempStateDir()];
    const gone = m.databases.gone.dbId;
    const before = await ids(url);
    const plan = (await ok(dtx(['--json', 'db', 'purge', gone, '--dry-run', ...a]))).json() as { rows: number };
    const hold = await holdRow(url, await indexRowAt(url, gone));
    const p = dtxSpawn(['db', 'purge', gone, '--yes', ...a]);
    await waitBlocked(url);
    p.child.kill('SIGKILL');
    await p.done;
    await hold.release();
    const mid = await ids(url);
    expect(mid.size).toBeLessThan(before.size); // the leaves went
    expect(mid.size).toBeGreaterThan(before.size - plan.rows); // not everything
    await ok(dtx(['db', 'purge', gone, '--yes', ...a]));
    const after = await ids(url);
    expect(m.databases.gone.backupKeys.filter((k) => after.has(k))).toEqual([]);
    expect(after.size).toBe(before.size - plan.rows + 1);
    await expectReadWhole(url, m, LIVE_DBS);
  }, 180_000);

  it('db delete NAME --purge interrupted after its catalog delete (server drops the connection): the same command resumes it', async () => {
    const { url, m } = await loadedRealStorage('cr');
    const a = ['--pg-url', url, '--state-dir', tempStateDir()];
    const alpha = m.databases.alpha;
    const hold = await holdRow(url, await indexRowAt(url, alpha.dbId));
    const p = dtxSpawn(['db', 'delete', 'alpha', '--purge', '--yes', ...a]);
    const pid = await waitBlocked(url);
    await withStorage(url, (c) => c.query('select pg_terminate_backend($1)', [pid])); // as if PostgreSQL restarted under it
    const first = await p.done;
    await hold.release();
    expect(first.code).toBe(1);
    // the name is gone from the catalog, the id is in :datomic/deleted, rows remain
    const list = (await ok(dtx(['--json', 'db', 'list', ...a]))).json() as { databases: { name: string }[]; deleted: { dbId: string }[] };
    expect(list.databases.map((d) => d.name)).not.toContain('alpha');
    expect(list.deleted.map((d) => d.dbId)).toContain(alpha.dbId);
    const resumed = await ok(dtx(['db', 'delete', 'alpha', '--purge', '--yes', ...a]));
    expect(resumed.stderr).toMatch(/resuming the purge of "alpha"/);
    const after = await ids(url);
    expect(alpha.backupKeys.filter((k) => after.has(k))).toEqual([]);
    const list2 = (await ok(dtx(['--json', 'db', 'list', ...a]))).json() as { deleted: { dbId: string }[] };
    expect(list2.deleted.map((d) => d.dbId)).not.toContain(alpha.dbId);
    // and now the name is simply unknown
    const unknown = await dtx(['db', 'delete', 'alpha', '--purge', '--yes', ...a]);
    expect(unknown.code).toBe(3);
    await expectReadWhole(url, m, ['beta', 'restored', 'empty']);
  }, 180_000);

  it("db gc runs Datomic's gc-deleted-dbs (real code, through the fake distribution's bin/datomic), says what it left, and deletes that too", async () => {
    const { url, m } = await loadedRealStorage('cg');
    const home = path.join(ROOT, 'test', 'fixtures', 'fake-datomic');
    const a = ['--pg-url', url, '--state-dir', tempStateDir(), '--datomic-home', home];
    const r = await ok(dtx(['--json', 'db', 'gc', ...a], { timeoutMs: 180_000 }));
    const j = r.json() as { collected: string[]; remaining: string[]; rowsBefore: number; deletedByDatomic: number; leftBehind: { rows: number }; deletedByDtx: { rows: number } | null };
    expect(j.collected).toEqual([m.databases.gone.dbId]);
    expect(j.remaining).toEqual([]);
    // Datomic's gc-deleted-dbs left every segment of the database (fewer than 1000 of them)
    expect(j.leftBehind.rows).toBeGreaterThanOrEqual(m.databases.gone.backupKeys.length);
    expect(j.deletedByDtx?.rows).toBe(j.leftBehind.rows);
    const after = await ids(url);
    expect(m.databases.gone.backupKeys.filter((k) => after.has(k))).toEqual([]);
    const human = await ok(dtx(['db', 'gc', ...a], { timeoutMs: 180_000 }));
    expect(human.stdout).toMatch(/collected 0 databases/);
    await expectReadWhole(url, m, LIVE_DBS);
  }, 240_000);

  it('races: a second purge, an offline delete, an undelete and a transactor start wait for the lock or are refused; a transactor registering stops the purge; Ctrl-C cancels between batches', async () => {
    const { url, m } = await loadedRealStorage('cx');
    const a = ['--pg-url', url, '--state-dir', tempStateDir()];
    const gone = m.databases.gone.dbId;
    const hold = await holdRow(url, await indexRowAt(url, gone));
    const p = dtxSpawn(['db', 'purge', gone, '--yes', ...a]);
    await waitBlocked(url);
    // another purge of it: refused at once
    const second = await dtx(['--json', 'db', 'purge', gone, '--yes', ...a]);
    expect(second.code).toBe(1);
    expect(second.json()).toMatchObject({ ok: false, error: { code: 'STORAGE_BUSY' } });
    // an offline catalog rewrite: waits a moment for the lock, then refused
    const del = await dtx(['--json', 'db', 'delete', 'beta', '--yes', ...a]);
    expect(del.code).toBe(1);
    expect(del.json()).toMatchObject({ error: { code: 'STORAGE_BUSY' } });
    // undelete of the half-purged database: it is not whole any more
    const und = await dtx(['--json', 'db', 'undelete', gone, 'back', ...a]);
    expect(und.code).toBe(3);
    expect(und.json()).toMatchObject({ error: { code: 'DB_ROWS_MISSING' } });
    // a transactor start through dtx is refused while the purge runs
    const home = await installFakeDatomic(path.join(mkdtempSync(path.join(tmpdir(), 'dtx-px-')), 'datomic'));
    const start = await dtx(['--json', 'transactor', 'start', '--datomic-home', home, '--port', String(await freePort()), '--ping-port', String(await freePort()), ...a]);
    expect(start.code).toBe(1);
    expect(start.json()).toMatchObject({ error: { code: 'STORAGE_BUSY' } });
    // a transactor registers anyway (not through dtx): the purge stops before its next write
    await writeBeat(url, { host: '127.0.0.1', port: 1 });
    await hold.release();
    const stopped = await p.done;
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(/a transactor registered in this storage while a purge was running/);
    await withStorage(url, (c) => c.query("delete from datomic_kvs where id = 'pod-coord'"));
    // Ctrl-C while blocked: the batch in flight completes, nothing after it, exit 130 (the leaves and
    // dirs are gone by now: hold an index root node)
    const hold2 = await holdRow(url, await indexRowAt(url, gone, 2));
    const q = dtxSpawn(['db', 'purge', gone, '--yes', ...a]);
    await waitBlocked(url);
    const mid = await ids(url);
    q.child.kill('SIGINT');
    await new Promise((res) => setTimeout(res, 300));
    await hold2.release();
    const cancelled = await q.done;
    expect(cancelled.code).toBe(130);
    expect(cancelled.stderr).toMatch(/error: cancelled/);
    expect((await ids(url)).size).toBeGreaterThanOrEqual(mid.size - 5000);
    // and the same command finishes
    await ok(dtx(['db', 'purge', gone, '--yes', ...a]));
    const after = await ids(url);
    expect(m.databases.gone.backupKeys.filter((k) => after.has(k))).toEqual([]);
    await expectReadWhole(url, m, LIVE_DBS);
  }, 240_000);

  it('storage gc with a live transactor deletes nothing itself: it runs gc-storage on each database through it and reports what is left', async () => {
    const { url, m } = await loadedRealStorage('cl');
    const state = tempStateDir();
    const home = path.join(ROOT, 'test', 'fixtures', 'fake-datomic');
    const a = ['--pg-url', url, '--state-dir', state, '--datomic-home', home];
    await ok(dtx(['transactor', 'start', ...a, '--port', String(await freePort()), '--ping-port', String(await freePort()), '--heartbeat-interval-msec', '1000']));
    try {
      const before = await ids(url);
      const r = await ok(dtx(['--json', 'storage', 'gc', '--older-than', '0', '--yes', ...a]));
      const j = r.json() as { mode: string; gcStorage: string[]; unreferenced: { name: string; rows: number; oldest: string | null }[] };
      expect(j.mode).toBe('transactor');
      expect(j.gcStorage.sort()).toEqual(['alpha', 'beta', 'empty', 'restored']);
      expect(j.unreferenced.find((g) => g.name === 'pending garbage of alpha')?.rows).toBeGreaterThan(0);
      expect(j.unreferenced.every((g) => g.oldest !== null)).toBe(true);
      expect(await ids(url)).toEqual(before); // (the fake's gc-storage has nothing to delete)
      // purging behind a live transactor is refused
      const p = await dtx(['--json', 'db', 'purge', m.databases.gone.dbId, '--yes', ...a]);
      expect(p.code).toBe(2);
      expect(p.json()).toMatchObject({ error: { code: 'TRANSACTOR_ALIVE' } });
    } finally {
      await dtx(['transactor', 'stop', '--state-dir', state, '--timeout', '5']);
    }
  }, 120_000);
});
