/**
 * Storage layer against a real PostgreSQL: datomic_kvs rows built by hand exactly as
 * docs/datomic-storage.md §6 describes (catalog pod + tail rows, named roots, bare-uuid gzip segments).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type pg from 'pg';
import { freshStorage, freshDatabase, withAdmin } from '../helpers/pg.js';
import { connect } from '../../src/core/postgres/client.js';
import { purgeDatabase } from '../../src/core/storage/walk/purge.js';
import { squuidTimeMs } from '../../src/core/storage/squuid.js';
import { DtxError } from '../../src/core/errors.js';
import { printEdn, readEdn, EdnMap, EdnSet, kw } from '../../src/core/edn/index.js';
import {
  checkKvsTable,
  getRow,
  getRows,
  casRef,
  insertRef,
  deleteRow,
  readCatalog,
  writeCatalog,
  deleteDatabaseOffline,
  undeleteOffline,
  removeDeletedId,
  readHeartbeat,
  readHeartbeats,
  judgeAlive,
  waitForAdvance,
  kvsStats,
  type Catalog,
} from '../../src/core/storage/index.js';

type Storage = Awaited<ReturnType<typeof freshStorage>>;

interface SeededDb {
  name: string;
  dbId: string;
  /** all row ids belonging to the database (roots, direct refs, deeper segments) */
  roots: string[];
  direct: string[];
  deep: string[];
}

async function open(st: Storage): Promise<pg.Client> {
  return connect({ url: st.url, purpose: 'storage' });
}

async function sql(c: pg.Client, text: string, values: unknown[] = []): Promise<void> {
  await c.query(text, values);
}

/** Every row, for before/after comparisons (a full scan is fine in a test). */
async function snapshot(c: pg.Client): Promise<Map<string, string>> {
  const r = await c.query<{ id: string; rev: number | null; map: string | null; val: string | null }>(
    "select id, rev, map, encode(val, 'hex') as val from datomic_kvs order by id",
  );
  return new Map(r.rows.map((x) => [x.id, JSON.stringify([x.rev, x.map, x.val])]));
}

function diff(before: Map<string, string>, after: Map<string, string>): { added: string[]; removed: string[]; changed: string[] } {
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k));
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}

/** A fake Fressian-ish payload that mentions other segment ids as strings (like index nodes do). */
function segmentBytes(refs: string[], gzip = true): Buffer {
  const body = Buffer.concat([Buffer.from([0xef, 0xcd, 0x01]), ...refs.map((r) => Buffer.concat([Buffer.from([0xdb, r.length]), Buffer.from(r, 'latin1')])), Buffer.from(randomUUID())]);
  return gzip ? gzipSync(body) : body;
}

async function insertValueRow(c: pg.Client, id: string, val: Buffer, map = '{}'): Promise<void> {
  await sql(c, 'insert into datomic_kvs (id, map, val) values ($1, $2, $3)', [id, map, val]);
}

/** Seeds one database the way create-database leaves it (plus a garbage root when gc=true). */
async function seedDb(c: pg.Client, name: string, opts: { gc?: boolean } = {}): Promise<SeededDb> {
  const dbId = `${name}-${randomUUID()}`;
  const deep = [randomUUID(), `${randomUUID()}_${'0'.repeat(12)}a1f`, randomUUID()];
  const indexRoot = randomUUID();
  const logRoot = randomUUID();
  const logTail = randomUUID();
  const direct = [indexRoot, logRoot, logTail];
  for (const d of deep) await insertValueRow(c, d, segmentBytes([]));
  await insertValueRow(c, indexRoot, segmentBytes([deep[0] as string, deep[1] as string]));
  await insertValueRow(c, logRoot, segmentBytes([deep[2] as string]));
  await insertValueRow(c, logTail, segmentBytes([], false));
  await insertRef(c, `ref-index-root/${dbId}`, 0, printEdn(new EdnMap([[kw('key'), indexRoot]])));
  await insertRef(
    c,
    `pod-log-tail/${dbId}`,
    3,
    printEdn(new EdnMap([[kw('d/r'), logRoot], [kw('d/v'), '1'], [kw('d/l'), 3], [kw('tail'), logTail]])),
  );
  const roots = [`ref-index-root/${dbId}`, `pod-log-tail/${dbId}`];
  if (opts.gc) {
    const gcRoot = randomUUID();
    await insertValueRow(c, gcRoot, segmentBytes([]));
    await insertRef(c, `ref-gc-root/${dbId}`, 1, printEdn(new EdnMap([[kw('key'), gcRoot]])));
    roots.push(`ref-gc-root/${dbId}`);
    direct.push(gcRoot);
  }
  return { name, dbId, roots, direct, deep };
}

/** Writes the catalog by hand: a tail row + pod-catalog (rev given). */
async function seedCatalog(c: pg.Client, value: EdnMap | string, rev = 7): Promise<string> {
  const tail = randomUUID();
  await insertValueRow(c, tail, Buffer.from(typeof value === 'string' ? value : printEdn(value), 'utf8'));
  await sql(c, "delete from datomic_kvs where id = 'pod-catalog'");
  await insertRef(c, 'pod-catalog', rev, `{:tail "${tail}"}`);
  return tail;
}

function catalogOf(dbs: SeededDb[], deleted: string[] = [], extra: [EdnMap | null] = [null]): EdnMap {
  const m = new EdnMap();
  for (const d of dbs) m.set(d.name, new EdnMap([[kw('db-id'), d.dbId]]));
  if (extra[0]) for (const [k, v] of extra[0]) m.set(k, v);
  m.set(kw('datomic/deleted'), new EdnSet(deleted));
  return m;
}

async function expectDtx(p: Promise<unknown>, code: string): Promise<DtxError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DtxError);
    expect((e as DtxError).code).toBe(code);
    return e as DtxError;
  }
  throw new Error(`expected DtxError ${code}`);
}

const NAMES = ['a', 'ab', 'a-b', 'abc', '0f', 'ünïcødé', '日本語', 'todo'];

describe('datomic_kvs table check', () => {
  it('accepts Datomic\'s table and explains a missing, mismatched or inaccessible one', async () => {
    const st = await freshStorage();
    const c = await open(st);
    try {
      const info = await checkKvsTable(c);
      expect(info.columns.map((x) => x.name)).toEqual(['id', 'rev', 'map', 'val']);
      await withAdmin((a) => a.query(`revoke all on datomic_kvs from ${a.escapeIdentifier(st.role)}`), st.database);
      await expectDtx(checkKvsTable(c), 'KVS_NO_ACCESS');
      await expectDtx(getRow(c, 'pod-catalog'), 'KVS_NO_ACCESS');
    } finally {
      await c.end();
    }
    const empty = await freshDatabase('nokvs');
    await withAdmin(async (a) => {
      const e = await expectDtx(checkKvsTable(a), 'KVS_TABLE_MISSING');
      expect(e.hint).toContain('dtx init-postgres');
      await expectDtx(getRow(a, 'x'), 'KVS_TABLE_MISSING');
      await a.query('create table datomic_kvs (id text primary key, rev bigint, map text)');
      const m = await expectDtx(checkKvsTable(a), 'KVS_TABLE_MISMATCH');
      expect(m.message).toMatch(/rev is bigint/);
      expect(m.message).toMatch(/val is missing/);
    }, empty);
  });
});

describe('kvs row access', () => {
  it('point reads, CAS and delete', async () => {
    const st = await freshStorage();
    const c = await open(st);
    try {
      expect(await getRow(c, 'nope')).toBeNull();
      await insertRef(c, 'ref-x', 5, '{}');
      expect(await casRef(c, 'ref-x', 4, 6, '{:a 1}')).toBe(false);
      expect(await casRef(c, 'ref-x', 5, 6, '{:a 1}')).toBe(true);
      expect(await getRow(c, 'ref-x')).toEqual({ id: 'ref-x', rev: 6, map: '{:a 1}', val: null });
      const rows = await getRows(c, ['ref-x', 'missing', 'ref-x']);
      expect([...rows.keys()]).toEqual(['ref-x']);
      expect(await deleteRow(c, 'ref-x')).toBe(true);
      expect(await deleteRow(c, 'ref-x')).toBe(false);
      const s = await kvsStats(c);
      expect(s.rows).toBe(0);
      expect(s.totalBytes).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
  });
});

describe('catalog', () => {
  let st: Storage;
  let c: pg.Client;
  let dbs: SeededDb[];
  beforeAll(async () => {
    st = await freshStorage();
    c = await open(st);
  });
  afterAll(async () => {
    await c.end();
  });

  it('is empty without pod-catalog', async () => {
    const cat = await readCatalog(c);
    expect(cat).toMatchObject({ rev: null, tailId: null, databases: [], deleted: [] });
  });

  it('reads a realistic catalog among segment rows', async () => {
    dbs = [];
    for (const n of NAMES) dbs.push(await seedDb(c, n, { gc: n === 'ab' }));
    // unrelated bare segments, including ids that start like hex names
    await insertValueRow(c, `abc${randomUUID().slice(3)}`, segmentBytes([]));
    await insertValueRow(c, `0f${randomUUID().slice(2)}`, segmentBytes([]));
    const extra = new EdnMap([[kw('datomic/future-key'), new EdnMap([[kw('x'), 1]])]]);
    const tail = await seedCatalog(c, catalogOf(dbs, ['gone-11111111-1111-1111-1111-111111111111'], [extra]));
    const cat = await readCatalog(c);
    expect(cat.rev).toBe(7);
    expect(cat.tailId).toBe(tail);
    expect(cat.databases.map((d) => d.name)).toEqual([...NAMES].sort());
    expect(cat.databases.find((d) => d.name === '日本語')?.dbId).toBe(dbs.find((d) => d.name === '日本語')?.dbId);
    expect(cat.deleted).toEqual(['gone-11111111-1111-1111-1111-111111111111']);
    expect(cat.raw).toHaveLength(1);
  });

  it('deleteDatabaseOffline changes only the catalog (new tail + pod-catalog CAS), keeping unknown keys', async () => {
    const before = await snapshot(c);
    const oldCat = await readCatalog(c);
    const a = dbs.find((d) => d.name === 'a') as SeededDb;
    const r = await deleteDatabaseOffline(c, 'a');
    expect(r).toMatchObject({ name: 'a', dbId: a.dbId, rev: 8 });
    const after = await snapshot(c);
    const d = diff(before, after);
    expect(d.removed).toEqual([]);
    expect(d.changed).toEqual(['pod-catalog']);
    expect(d.added).toEqual([r.tailId]);
    const pod = await getRow(c, 'pod-catalog');
    expect(pod).toEqual({ id: 'pod-catalog', rev: 8, map: `{:tail "${r.tailId}"}`, val: null });
    const tail = await getRow(c, r.tailId as string);
    expect(tail?.rev).toBeNull();
    expect(tail?.map).toBe('{}');
    const cat = await readCatalog(c);
    expect(cat.databases.map((x) => x.name)).toEqual(oldCat.databases.map((x) => x.name).filter((n) => n !== 'a'));
    expect(cat.deleted).toEqual(['gone-11111111-1111-1111-1111-111111111111', a.dbId]);
    expect(printEdn(cat.value.get(kw('datomic/future-key')) ?? null)).toBe('{:x 1}');
    // the printed catalog is pr-str shaped
    expect(tail?.val?.toString('utf8')).toMatch(/^\{"ab" \{:db-id "ab-[0-9a-f-]+"\}, "a-b" /);
  });

  it('reports unknown names with suggestions and writes nothing', async () => {
    const before = await snapshot(c);
    const e = await expectDtx(deleteDatabaseOffline(c, 'tod'), 'DB_NOT_FOUND');
    expect(e.hint).toContain('"todo"');
    expect(e.exitCode).toBe(3);
    await expectDtx(deleteDatabaseOffline(c, 'a'), 'DB_NOT_FOUND');
    expect(diff(before, await snapshot(c))).toEqual({ added: [], removed: [], changed: [] });
  });

  it('undeletes a deleted id under a free name and refuses taken names', async () => {
    const a = dbs.find((d) => d.name === 'a') as SeededDb;
    await expectDtx(undeleteOffline(c, a.dbId, 'ab'), 'DB_EXISTS');
    await expectDtx(undeleteOffline(c, a.dbId, 'bad/name'), 'DB_NAME_INVALID');
    await expectDtx(undeleteOffline(c, 'nope-1', 'zz'), 'DB_NOT_DELETED');
    await undeleteOffline(c, a.dbId, 'a-restored');
    let cat = await readCatalog(c);
    expect(cat.databases.find((d) => d.name === 'a-restored')?.dbId).toBe(a.dbId);
    expect(cat.deleted).not.toContain(a.dbId);
    await deleteDatabaseOffline(c, 'a-restored');
    cat = await readCatalog(c);
    expect(cat.deleted).toContain(a.dbId);
    const r = await removeDeletedId(c, 'not-there');
    expect(r.written).toBe(false);
  });

  it('refuses a catalog that loses entries it did not mean to lose', async () => {
    const before = await snapshot(c);
    await expectDtx(
      writeCatalog(c, (cur) => {
        const next = cur.value.clone();
        next.delete('ab');
        next.delete('abc');
        return { value: next, removeNames: ['ab'] };
      }),
      'CATALOG_WRITE_REFUSED',
    );
    await expectDtx(
      writeCatalog(c, (cur) => {
        const next = cur.value.clone();
        next.set(kw('datomic/deleted'), new EdnSet());
        return { value: next };
      }),
      'CATALOG_WRITE_REFUSED',
    );
    await expectDtx(
      writeCatalog(c, (cur) => {
        const next = cur.value.clone();
        next.delete(kw('datomic/future-key'));
        return { value: next };
      }),
      'CATALOG_WRITE_REFUSED',
    );
    expect(diff(before, await snapshot(c))).toEqual({ added: [], removed: [], changed: [] });
  });

});

describe('catalog tail rows dtx writes', () => {
  it('are squuids, dated by their id like the rows Datomic writes (so a superseded one dates itself)', async () => {
    const st = await freshStorage();
    const c = await open(st);
    try {
      const before = Date.now();
      const r = await writeCatalog(c, (cur) => {
        const next = cur.value.clone();
        next.set('x', new EdnMap([[kw('db-id'), `x-${randomUUID()}`]]));
        return { value: next };
      });
      const t = squuidTimeMs(r.tailId!);
      expect(t).not.toBeNull();
      expect(t!).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(t!).toBeLessThanOrEqual(Date.now());
    } finally {
      await c.end();
    }
  });
});

describe('concurrent catalog writers', () => {
  it('parallel deletes on different names through separate connections never lose an entry', async () => {
    const st = await freshStorage();
    const admin = await open(st);
    const dbs: SeededDb[] = [];
    for (const n of NAMES) dbs.push(await seedDb(admin, n));
    await seedCatalog(admin, catalogOf(dbs), 0);
    const victims = ['a', 'ab', 'a-b', '0f', '日本語'];
    const clients = await Promise.all(victims.map(() => open(st)));
    try {
      const results = await Promise.all(victims.map((n, i) => deleteDatabaseOffline(clients[i] as pg.Client, n, { maxAttempts: 20, backoffMs: (k) => Math.floor(Math.random() * 10 * k) })));
      const cat = await readCatalog(admin);
      expect(cat.rev).toBe(victims.length);
      expect(cat.databases.map((d) => d.name).sort()).toEqual(NAMES.filter((n) => !victims.includes(n)).sort());
      expect([...cat.deleted].sort()).toEqual(results.map((r) => r.dbId).sort());
      expect(new Set(results.map((r) => r.rev))).toEqual(new Set([1, 2, 3, 4, 5]));
    } finally {
      await Promise.all(clients.map((x) => x.end()));
      await admin.end();
    }
  });

  it('parallel first writers (no pod-catalog yet) all land', async () => {
    const st = await freshStorage();
    const clients = await Promise.all([0, 1, 2, 3].map(() => open(st)));
    try {
      await Promise.all(
        clients.map((cl, i) =>
          writeCatalog(
            cl,
            (cur: Catalog) => {
              const next = cur.value.clone();
              next.set(`db${i}`, new EdnMap([[kw('db-id'), `db${i}-${randomUUID()}`]]));
              return { value: next };
            },
            { maxAttempts: 20 },
          ),
        ),
      );
      const cat = await readCatalog(clients[0] as pg.Client);
      expect(cat.rev).toBe(3);
      expect(cat.databases.map((d) => d.name)).toEqual(['db0', 'db1', 'db2', 'db3']);
    } finally {
      await Promise.all(clients.map((x) => x.end()));
    }
  });
});

describe('catalog spread over several tail rows', () => {
  it('reads a :prev chain like the real peer (bytes joined oldest first, one form read) and rewrites it as one tail row', async () => {
    const st = await freshStorage();
    const c = await open(st);
    try {
      const t1 = randomUUID();
      const t2 = randomUUID();
      const t3 = randomUUID();
      // Split mid-token and mid-character (é is two bytes in UTF-8).
      const whole = Buffer.from('{"a" {:db-id "a-1"}, "bé" {:db-id "b-1"}, "c" {:db-id "c-1"}, :datomic/deleted #{"x-1"}}');
      const cut1 = whole.indexOf('é') + 1;
      const cut2 = whole.indexOf(':db-id "c') + 3;
      await insertValueRow(c, t1, whole.subarray(0, cut1), '{}');
      await insertValueRow(c, t2, whole.subarray(cut1, cut2), `{:prev "${t1}"}`);
      await insertValueRow(c, t3, whole.subarray(cut2), `{:prev "${t2}"}`);
      await insertRef(c, 'pod-catalog', 4, `{:tail "${t3}"}`);
      const cat = await readCatalog(c);
      expect(cat.chain).toEqual([t3, t2, t1]);
      expect(cat.databases).toEqual([
        { name: 'a', dbId: 'a-1' },
        { name: 'bé', dbId: 'b-1' },
        { name: 'c', dbId: 'c-1' },
      ]);
      expect(cat.deleted).toEqual(['x-1']);
      const before = await snapshot(c);
      const r = await deleteDatabaseOffline(c, 'c');
      const d = diff(before, await snapshot(c));
      expect(d).toEqual({ added: [r.tailId], removed: [], changed: ['pod-catalog'] });
      const after = await readCatalog(c);
      expect(after.chain).toEqual([r.tailId]);
      expect(after.databases.map((x) => x.name)).toEqual(['a', 'bé']);
      expect(after.deleted).toEqual(['x-1', 'c-1']);
    } finally {
      await c.end();
    }
  });

  it('reads only the oldest form when every row holds a whole map (as the real peer does)', async () => {
    const st = await freshStorage();
    const c = await open(st);
    try {
      const t1 = randomUUID();
      const t2 = randomUUID();
      await insertValueRow(c, t1, Buffer.from('{"a" {:db-id "a-1"}, :datomic/deleted #{}}'), '{}');
      await insertValueRow(c, t2, Buffer.from('{"b" {:db-id "b-1"}}'), `{:prev "${t1}"}`);
      await insertRef(c, 'pod-catalog', 1, `{:tail "${t2}"}`);
      expect((await readCatalog(c)).databases.map((x) => x.name)).toEqual(['a']);
    } finally {
      await c.end();
    }
  });

  it('also reads a value split as text over the chain (concatenated oldest first)', async () => {
    const st = await freshStorage();
    const c = await open(st);
    try {
      const t1 = randomUUID();
      const t2 = randomUUID();
      await insertValueRow(c, t1, Buffer.from('{"a" {:db-id "a-1"}, "b" {:db'));
      await insertValueRow(c, t2, Buffer.from('-id "b-1"}, :datomic/deleted #{}}'), `{:prev "${t1}"}`);
      await insertRef(c, 'pod-catalog', 1, `{:tail "${t2}"}`);
      const cat = await readCatalog(c);
      expect(cat.databases.map((d) => d.dbId)).toEqual(['a-1', 'b-1']);
    } finally {
      await c.end();
    }
  });
});

describe('corrupt catalogs', () => {
  const cases: [string, (c: pg.Client) => Promise<void>][] = [
    ['truncated EDN in the tail', async (c) => void (await seedCatalog(c, '{"a" {:db-id "a-1"}, :datomic/del'))],
    ['a tail that is not a map', async (c) => void (await seedCatalog(c, '["a"]'))],
    ['an entry without :db-id', async (c) => void (await seedCatalog(c, '{"a" {:id "a-1"}}'))],
    ['invalid UTF-8', async (c) => {
      const t = randomUUID();
      await insertValueRow(c, t, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
      await insertRef(c, 'pod-catalog', 2, `{:tail "${t}"}`);
    }],
    ['a missing tail row', async (c) => insertRef(c, 'pod-catalog', 2, `{:tail "${randomUUID()}"}`)],
    ['a pod-catalog map that is not EDN', async (c) => insertRef(c, 'pod-catalog', 2, '{:tail')],
    ['a :prev loop', async (c) => {
      const t1 = randomUUID();
      const t2 = randomUUID();
      await insertValueRow(c, t1, Buffer.from('{}'), `{:prev "${t2}"}`);
      await insertValueRow(c, t2, Buffer.from('{}'), `{:prev "${t1}"}`);
      await insertRef(c, 'pod-catalog', 2, `{:tail "${t2}"}`);
    }],
  ];
  for (const [label, setup] of cases) {
    it(`${label} -> CATALOG_CORRUPT and nothing is written`, async () => {
      const st = await freshStorage();
      const c = await open(st);
      try {
        await setup(c);
        const before = await snapshot(c);
        const e = await expectDtx(readCatalog(c), 'CATALOG_CORRUPT');
        expect(e.hint).toBeTruthy();
        await expectDtx(deleteDatabaseOffline(c, 'a'), 'CATALOG_CORRUPT');
        await expectDtx(removeDeletedId(c, 'a-1'), 'CATALOG_CORRUPT');
        await expectDtx(purgeDatabase(c, 'a-1'), 'CATALOG_CORRUPT');
        expect(diff(before, await snapshot(c))).toEqual({ added: [], removed: [], changed: [] });
      } finally {
        await c.end();
      }
    });
  }
});

describe('heartbeat (read only)', () => {
  const SECRET_USER = 'usr-9f8e7d';
  const SECRET_PW = 'pw-SECRET-1a2b3c';
  function hbMap(ts: number): string {
    const vec = printEdn(['tx.example', 'alt.example', 4334, SECRET_USER, SECRET_PW, ts, '1.0.7469', true, 2]);
    return printEdn(new EdnMap([[kw('key'), vec]]));
  }

  it('parses pod-coord, drops the credentials and judges liveness', async () => {
    const st = await freshStorage();
    const c = await open(st);
    const writer = await open(st);
    try {
      expect(await readHeartbeat(c)).toBeNull();
      expect(judgeAlive(null, Date.now()).alive).toBe(false);
      const now = Date.now();
      await insertRef(writer, 'pod-coord', 10, hbMap(now));
      const hb = await readHeartbeat(c);
      expect(hb).toEqual({
        id: 'pod-coord', rev: 10, host: 'tx.example', altHost: 'alt.example', port: 4334,
        timestampMs: now, version: '1.0.7469', encryptChannel: true, protocol: 2,
      });
      expect(JSON.stringify(hb)).not.toContain(SECRET_PW);
      expect(JSON.stringify(hb)).not.toContain(SECRET_USER);
      expect(judgeAlive(hb, now + 14_000).alive).toBe(true);
      expect(judgeAlive(hb, now + 15_000).alive).toBe(false);
      expect(judgeAlive(hb, now + 2_000, 500).alive).toBe(false);
      expect((await readHeartbeats(c)).standby).toBeNull();

      const before = await snapshot(c);
      // a stale row: does not advance
      const stale = await waitForAdvance(c, 100, { waitMs: 150 });
      expect(stale.alive).toBe(false);
      expect(diff(before, await snapshot(c))).toEqual({ added: [], removed: [], changed: [] });

      // a live "transactor" bumping rev+timestamp every 50 ms
      let rev = 10;
      const timer = setInterval(() => {
        const next = rev + 1;
        void writer.query('update datomic_kvs set rev=$1, map=$2 where id=$3 and rev=$4', [next, hbMap(Date.now()), 'pod-coord', rev]).then(() => {
          rev = next;
        });
      }, 50);
      try {
        const live = await waitForAdvance(c, 50);
        expect(live.alive).toBe(true);
        expect((live.after?.rev ?? 0) > (live.before?.rev ?? 0)).toBe(true);
      } finally {
        clearInterval(timer);
      }
    } finally {
      await c.end();
      await writer.end();
    }
  });

  it('a corrupt heartbeat never leaks the secrets', async () => {
    const st = await freshStorage();
    const c = await open(st);
    try {
      const bad = printEdn(new EdnMap([[kw('key'), `["h" nil 4334 "u" ${SECRET_PW} @@ 1 "1.0" true 2]`]]));
      await insertRef(c, 'pod-standby', 1, bad);
      const e = await expectDtx(readHeartbeat(c, 'pod-standby'), 'HEARTBEAT_CORRUPT');
      expect(e.message).not.toContain(SECRET_PW);
      expect(JSON.stringify(e.details)).not.toContain(SECRET_PW);
      expect(e.cause).toBeUndefined();
    } finally {
      await c.end();
    }
  });
});

describe('EDN on real rows', () => {
  it('catalog text survives a UTF-8 round trip through bytea', async () => {
    const st = await freshStorage();
    const c = await open(st);
    try {
      await writeCatalog(c, (cur) => {
        const next = cur.value.clone();
        for (const n of NAMES) next.set(n, new EdnMap([[kw('db-id'), `${n}-${randomUUID()}`]]));
        return { value: next };
      });
      const cat = await readCatalog(c);
      expect(cat.databases.map((d) => d.name)).toEqual([...NAMES].sort());
      const tail = await getRow(c, cat.tailId as string);
      expect(printEdn(readEdn(tail?.val?.toString('utf8') ?? ''))).toBe(tail?.val?.toString('utf8'));
      expect(cat.rev).toBe(0);
    } finally {
      await c.end();
    }
  });
});
