/**
 * Footprints and the storage report on storage written by real Datomic code.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import pg from 'pg';
import { withStorage } from '../helpers/real-peer.js';
import type { RealStorageManifest } from '../helpers/real-storage.js';
import { connectedRealStorage, loadedRealStorage, noRealStorage } from '../helpers/real-storage-copy.js';
import { writeBeat } from '../helpers/heartbeat.js';
import { computeFootprints } from '../../src/core/storage/walk/footprint.js';
import { storageReport } from '../../src/core/storage/walk/report.js';

const skip = noRealStorage('footprint-report.test');

describe.skipIf(skip)('footprints and the storage report on real storage', () => {
  let m: RealStorageManifest;
  let c: pg.Client;
  let url: string;
  beforeAll(async () => {
    ({ url, m, c } = await connectedRealStorage('fp'));
    // the system rows, as an active transactor and a standby write them
    await writeBeat(url);
    await writeBeat(url, { id: 'pod-standby' });
    return async () => {
      await c.end();
    };
  }, 120_000);

  it('footprints: every database, rows = roots + log tail + backup set + gc nodes, nothing shared', async () => {
    const r = await computeFootprints(c);
    expect(r.unreadable).toEqual([]);
    const byId = new Map(r.footprints.map((f) => [f.dbId, f]));
    for (const key of ['alpha', 'beta', 'restored', 'gone', 'empty'] as const) {
      const db = m.databases[key];
      const f = byId.get(db.dbId)!;
      expect(f.status).toBe(key === 'gone' ? 'deleted' : 'active');
      expect(f.byKind.index.rows + f.byKind.fulltext.rows + f.byKind.log.rows).toBe(db.backupKeys.length);
      expect(f.rows).toBe(Object.values(f.byKind).reduce((a, k) => a + k.rows, 0));
      expect(f.shared).toBe(0);
      const b = await c.query<{ b: string }>('select coalesce(sum(octet_length(val)),0)::text as b from datomic_kvs where id = any($1)', [db.backupKeys]);
      expect(f.byKind.index.bytes + f.byKind.fulltext.bytes + f.byKind.log.bytes).toBe(Number(b.rows[0]!.b));
    }
  });

  it('report: every row in exactly one group; deleted, catalog, system, pending garbage and lost garbage shown', async () => {
    const r = await storageReport(c);
    expect(r.unreadable).toEqual([]);
    expect(r.groups.reduce((a, g) => a + g.rows, 0)).toBe(r.rows);
    expect(r.rows).toBe(m.rows + 2); // + pod-coord and pod-standby
    expect(r.groups.reduce((a, g) => a + g.bytes, 0)).toBe(r.bytes);
    const g = (kind: string, name?: string) => r.groups.filter((x) => x.kind === kind && (name === undefined || x.name === name));
    expect(g('deleted').map((x) => x.dbId)).toEqual([m.databases.gone.dbId]);
    expect(g('database').map((x) => x.name).sort()).toEqual(['alpha', 'beta', 'empty', 'restored']);
    expect(g('catalog')[0]!.rows).toBe(1 + 1); // pod-catalog + one tail row
    expect(g('system')).toMatchObject([{ name: 'system', dbId: null, rows: 2 }]);
    expect(g('unreferenced', 'pending garbage of alpha').length).toBe(1);
    // beta's lost garbage (pending in the generator at exit) is unreferenced, not pending
    const lost = await c.query<{ n: string }>('select count(*)::text as n from datomic_kvs where id = any($1)', [m.lostGarbage.beta]);
    const nLost = Number(lost.rows[0]!.n);
    expect(nLost).toBeGreaterThan(0);
    expect(g('unreferenced', 'catalog tail')[0]!.rows).toBeGreaterThan(0);
    expect(r.table.totalBytes).toBeGreaterThan(0);
    // the same storage without the lost rows: beta's pending garbage and every owned group stay as
    // they are, the unreferenced rows outside pending garbage shrink by exactly their number
    const { url: url2 } = await loadedRealStorage('fl');
    await writeBeat(url2);
    await writeBeat(url2, { id: 'pod-standby' });
    const r2 = await withStorage(url2, async (c2) => {
      await c2.query('delete from datomic_kvs where id = any($1)', [m.lostGarbage.beta]);
      return storageReport(c2);
    });
    const owned = (rep: typeof r) => rep.groups.filter((x) => x.kind !== 'unreferenced');
    const pending = (rep: typeof r) => rep.groups.filter((x) => x.unreferencedKind === 'pending garbage');
    const orphans = (rep: typeof r) => rep.groups.filter((x) => x.kind === 'unreferenced' && x.unreferencedKind !== 'pending garbage').reduce((a, x) => a + x.rows, 0);
    expect(owned(r2)).toEqual(owned(r));
    expect(pending(r2)).toEqual(pending(r));
    expect(g('unreferenced', 'pending garbage of beta').length).toBe(1);
    expect(orphans(r) - orphans(r2)).toBe(nLost);
  });

  it('a transactor writing during the walk: rows committed after the snapshot are neither counted nor called unreferenced; newRows says how many', async () => {
    const before = Number((await c.query<{ n: string }>('select count(*)::text as n from datomic_kvs')).rows[0]!.n);
    const writer = new pg.Client({ connectionString: url });
    let id = '';
    const r = await storageReport(c, {
      countNewRows: true,
      onSnapshot: async () => {
        // a fresh segment id, as an index job in flight would write
        id = `${Math.floor(Date.now() / 1000).toString(16)}-0000-4000-8000-000000000001`;
        await writer.connect();
        await writer.query("insert into datomic_kvs (id, map, val) values ($1, '{}', $2)", [id, Buffer.from([0x1f, 0x8b, 0])]);
      },
    });
    await writer.end();
    expect(r.rows).toBe(before);
    expect(r.groups.reduce((a, g) => a + g.rows, 0)).toBe(before);
    expect(r.snapshot.newRows).toBe(1);
    await c.query('delete from datomic_kvs where id = $1', [id]);
  });
});

