/**
 * Ctrl-C cancels, never shortcuts (issue 9, item 1), at the core level with an AbortController:
 * every write path (catalog delete and undelete, purge, init-postgres) checks its signal before each
 * write and an abort in the middle of a transaction rolls it back. The CLI with a real SIGINT is in
 * test/e2e/cancel.test.ts.
 */
import { describe, it, expect, inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { freshStorage, uniqueName, withAdmin, adminUrl } from '../helpers/pg.js';
import { connect } from '../../src/core/postgres/client.js';
import { DtxError } from '../../src/core/errors.js';
import { printEdn, EdnMap, kw } from '../../src/core/edn/index.js';
import { insertRef, writeCatalog, deleteDatabaseOffline, undeleteOffline, readCatalog } from '../../src/core/storage/index.js';
import { purgeDatabase } from '../../src/core/storage/walk/purge.js';
import { dumpRows } from '../helpers/real-peer.js';
import { loadedRealStorage } from '../helpers/real-storage-copy.js';
import { initPostgres } from '../../src/core/postgres/bootstrap.js';
import { formatPgUrl, parsePgUrl } from '../../src/core/postgres/url.js';

/** A storage with database `name` (catalog entry + two root rows + a segment). */
async function seeded(name: string): Promise<{ c: pg.Client; dbId: string }> {
  const st = await freshStorage('cancel');
  const c = await connect({ url: st.url, purpose: 'storage' });
  const dbId = `${name}-${randomUUID()}`;
  const seg = randomUUID();
  await c.query('insert into datomic_kvs (id, map, val) values ($1, $2, $3)', [seg, '{}', Buffer.from([1, 2, 3])]);
  await insertRef(c, `ref-index-root/${dbId}`, 0, printEdn(new EdnMap([[kw('key'), seg]])));
  await insertRef(c, `pod-log-tail/${dbId}`, 0, '{}');
  await writeCatalog(c, (cur) => {
    const next = cur.value.clone();
    next.set(name, new EdnMap([[kw('db-id'), dbId]]));
    next.set('keep', new EdnMap([[kw('db-id'), `keep-${randomUUID()}`]]));
    return { value: next };
  });
  return { c, dbId };
}

/** A client whose query() aborts `ac` when a statement matching `re` is about to run (and lets it run). */
function abortOn(c: pg.Client, ac: AbortController, re: RegExp): pg.Client {
  const query = c.query.bind(c) as (...a: unknown[]) => Promise<unknown>;
  (c as unknown as { query: (...a: unknown[]) => Promise<unknown> }).query = (...a: unknown[]) => {
    if (typeof a[0] === 'string' && re.test(a[0])) ac.abort();
    return query(...a);
  };
  return c;
}

async function cancelled(p: Promise<unknown>): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DtxError);
  expect((e as DtxError).code).toBe('CANCELLED');
  expect((e as DtxError).exitCode).toBe(130);
}

describe('Ctrl-C before a catalog write writes nothing', () => {
  it('delete with an aborted signal', async () => {
    const { c } = await seeded('gone');
    const before = await dumpRows(c);
    const ac = new AbortController();
    ac.abort();
    await cancelled(deleteDatabaseOffline(c, 'gone', { signal: ac.signal }));
    expect(await dumpRows(c)).toEqual(before);
    await c.end();
  });

  it('delete aborted after its new tail row was inserted: the transaction rolls back', async () => {
    const { c } = await seeded('gone');
    const before = await dumpRows(c);
    const ac = new AbortController();
    await cancelled(deleteDatabaseOffline(abortOn(c, ac, /^insert into datomic_kvs \(id, map, val\)/), 'gone', { signal: ac.signal }));
    expect(await dumpRows(c)).toEqual(before);
    await c.end();
  });

  it('undelete with a signal aborted before the write', async () => {
    const { c, dbId } = await seeded('gone');
    await deleteDatabaseOffline(c, 'gone');
    const before = await dumpRows(c);
    const ac = new AbortController();
    await cancelled(undeleteOffline(abortOn(c, ac, /^insert into datomic_kvs \(id, map, val\)/), dbId, 'back', { signal: ac.signal }));
    expect(await dumpRows(c)).toEqual(before);
    expect((await readCatalog(c)).deleted).toEqual([dbId]);
    await c.end();
  });

  it.skipIf(!inject('realStorageDir'))('purge (real storage) aborted during its first batch: no further batch runs, and a re-run finishes', async () => {
    const { url, m } = await loadedRealStorage('cancelp');
    const c = await connect({ url, purpose: 'storage' });
    const count = async () => Number((await c.query<{ n: string }>('select count(*)::text as n from datomic_kvs')).rows[0]!.n);
    const before = await count();
    const ac = new AbortController();
    // every batch commits on its own (a purge is resumable, not one transaction); Ctrl-C stops
    // it before the next batch
    await cancelled(purgeDatabase(abortOn(c, ac, /^with b as/), m.databases.gone.dbId, { signal: ac.signal, batchSize: 10 }));
    expect(await count()).toBe(before - 10);
    expect((await readCatalog(c)).deleted).toEqual([m.databases.gone.dbId]);
    const r = await purgeDatabase(c, m.databases.gone.dbId);
    expect(r.removedFromCatalog).toBe(true);
    await c.end();
  });
});

describe('Ctrl-C in init-postgres writes nothing after it', () => {
  async function state(db: string, role: string) {
    return withAdmin(async (a) => {
      const d = await a.query('select 1 from pg_database where datname = $1', [db]);
      const r = await a.query('select 1 from pg_roles where rolname = $1', [role]);
      let table = false;
      if (d.rowCount) {
        table = await withAdmin(async (x) => ((await x.query("select to_regclass('public.datomic_kvs') is not null as t")).rows[0] as { t: boolean }).t, db);
      }
      return { database: Boolean(d.rowCount), role: Boolean(r.rowCount), table };
    });
  }

  const cases: [RegExp, { database: boolean; role: boolean; table: boolean }][] = [
    [/^checking the server/, { database: false, role: false, table: false }],
    [/^creating database/, { database: false, role: false, table: false }],
    [/^creating role/, { database: true, role: false, table: false }],
    [/^creating table/, { database: true, role: true, table: false }],
  ];
  for (const [stage, expected] of cases) {
    it(`Ctrl-C at "${stage.source.slice(1)}" leaves ${JSON.stringify(expected)}`, async () => {
      const db = uniqueName('cdb');
      const role = uniqueName('crole');
      const pgT = parsePgUrl(formatPgUrl({ host: '127.0.0.1', port: inject('pgPort'), database: db, user: role, password: 'Cancel-pw-1', params: {} }));
      const ac = new AbortController();
      await cancelled(
        initPostgres({
          pg: pgT,
          adminUrl: adminUrl(),
          signal: ac.signal,
          onProgress: (s) => {
            if (stage.test(s)) ac.abort();
          },
        }),
      );
      expect(await state(db, role)).toEqual(expected);
    });
  }
});
