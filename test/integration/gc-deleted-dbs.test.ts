/**
 * What Datomic's own gc-deleted-dbs really deletes (datomic.garbage/gc-deleted-dbs from the peer
 * jar, on storage written by real Datomic code): the named roots, the garbage its gc tree lists and
 * the id in the catalog, but of the index and log segments only full batches of 1000
 * (`(partition 1000 ...)` drops the rest), while printing "Deleted N of N".
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { rowIds, withStorage } from '../helpers/real-peer.js';
import { runReferee, type RealStorageManifest } from '../helpers/real-storage.js';
import { loadedRealStorage, noRealStorage } from '../helpers/real-storage-copy.js';
import { readCatalog } from '../../src/core/storage/catalog.js';

const skip = noRealStorage('gc-deleted-dbs.test');

describe.skipIf(skip)("Datomic's gc-deleted-dbs on real storage", () => {
  let m: RealStorageManifest;
  let url: string;
  beforeAll(async () => {
    ({ url, m } = await loadedRealStorage('gcd'));
  }, 120_000);

  it('says it deleted every segment, deletes none of a database with fewer than 1000; deletes its roots, listed garbage and catalog entry', async () => {
    const before = await rowIds(url);
    const res = (await runReferee(url, [{ label: 'gc', op: 'gc-deleted-dbs' }])).get('gc')!;
    expect(res.ok, res.error).toBe(true);
    const after = await rowIds(url);
    const g = m.databases.gone;
    // what it prints
    const said = /Deleted (\d+) of (\d+) index segments/.exec(res.output ?? '');
    expect(said?.[1]).toBe(said?.[2]);
    expect(Number(said?.[1])).toBeGreaterThan(50);
    // what it did: every row Datomic's own backup copies for the database is still there
    expect(g.backupKeys.filter((k) => !after.has(k))).toEqual([]);
    // but the roots are gone, so nothing reaches them any more
    for (const root of [`pod-log-tail/${g.dbId}`, `ref-index-root/${g.dbId}`, `ref-gc-root/${g.dbId}`]) {
      expect(before.has(root), root).toBe(true);
      expect(after.has(root), root).toBe(false);
    }
    const gone = [...before].filter((id) => !after.has(id));
    expect(gone.length).toBeGreaterThan(3); // + the garbage its gc tree listed, an old catalog tail row
    expect(await withStorage(url, (c) => readCatalog(c))).toMatchObject({ deleted: [] });
  }, 120_000);
});
