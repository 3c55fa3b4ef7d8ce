/**
 * What Datomic's own gc-deleted-dbs really deletes (datomic.garbage/gc-deleted-dbs from the peer
 * jar, on storage written by real Datomic code).
 */
import { describe, it, expect, beforeAll, inject } from 'vitest';
import pg from 'pg';
import { freshStorage } from '../helpers/pg.js';
import { REAL_PEER_SKIP_REASON } from '../helpers/real-peer.js';
import { loadRealStorage, runReferee, type RealStorageManifest } from '../helpers/real-storage.js';

const dir = inject('realStorageDir');
const skip = !dir;
if (skip) console.warn(`[gc-deleted-dbs.test] skipped: ${REAL_PEER_SKIP_REASON}`);

describe.skipIf(skip)("Datomic's gc-deleted-dbs on real storage", () => {
  let m: RealStorageManifest;
  let url: string;
  beforeAll(async () => {
    url = (await freshStorage('gcd')).url;
    m = await loadRealStorage(url, dir);
  }, 120_000);

  it('deletes the named roots and the gc tree but leaves the segments of a database with fewer than 1000 of them', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const ids = async () => new Set((await c.query<{ id: string }>('select id from datomic_kvs')).rows.map((r) => r.id));
    const before = await ids();
    const res = await runReferee(url, [{ label: 'gc', op: 'gc-deleted-dbs' }]);
    const after = await ids();
    await c.end();
    const gone = [...before].filter((id) => !after.has(id));
    const added = [...after].filter((id) => !before.has(id));
    console.log(res.get('gc'), { deleted: gone.length, added: added.length, deletedIds: gone.slice(0, 20) });
    const g = m.databases.gone;
    const leftOfBackup = g.backupKeys.filter((k) => after.has(k)).length;
    console.log({ backupKeys: g.backupKeys.length, leftOfBackup });
    expect(res.get('gc')!.ok).toBe(true);
  }, 120_000);
});
