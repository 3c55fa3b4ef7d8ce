/**
 * Reclaiming space exactly, proven on storage written by real Datomic code: purging a deleted
 * database deletes every row of its backup set and nothing of the others (which Datomic's own
 * loader still reads whole); sweeping after Datomic's gc-deleted-dbs deletes what it left behind.
 */
import { describe, it, expect, vi } from 'vitest';
import { rowIds, withStorage } from '../helpers/real-peer.js';
import { runReferee } from '../helpers/real-storage.js';
import { LIVE_DBS, expectReadWhole, loadedRealStorage, noRealStorage } from '../helpers/real-storage-copy.js';
import { purgeDatabase } from '../../src/core/storage/walk/purge.js';
import { sweepStorage } from '../../src/core/storage/walk/sweep.js';
import { computeFootprints } from '../../src/core/storage/walk/footprint.js';
import { readCatalog, deleteDatabaseOffline } from '../../src/core/storage/catalog.js';

const skip = noRealStorage('purge-sweep.test');

describe.skipIf(skip)('purge and sweep on real storage', () => {
  it('purging the deleted database: dry run first, then exactly its rows go; the others read whole; the catalog forgets it', async () => {
    const { url, m } = await loadedRealStorage('pg');
    const gone = m.databases.gone;
    await withStorage(url, async (c) => {
      const fp = (await computeFootprints(c)).footprints.find((f) => f.dbId === gone.dbId)!;
      const before = await rowIds(c);
      const plan = await purgeDatabase(c, gone.dbId, { dryRun: true });
      expect(await rowIds(c)).toEqual(before); // a dry run deletes nothing
      expect(plan.rows - plan.byKind.garbage.rows).toBe(fp.rows);
      expect(plan.byKind.garbage.rows).toBeGreaterThan(0);
      expect(plan.kept).toBe(0);
      expect(plan.sample.length).toBe(5);

      const r = await purgeDatabase(c, gone.dbId, { batchSize: 37 });
      expect(r.rows).toBe(plan.rows);
      expect(r.bytes).toBe(plan.bytes);
      expect(r.removedFromCatalog).toBe(true);
      const after = await rowIds(c);
      expect(gone.backupKeys.filter((k) => after.has(k))).toEqual([]);
      expect([...before].filter((id) => !after.has(id)).length).toBe(r.rows);
      for (const k of LIVE_DBS) {
        expect(m.databases[k].backupKeys.filter((id) => !after.has(id)), k).toEqual([]);
      }
      expect((await readCatalog(c)).deleted).toEqual([]);
      // a re-run finds nothing to do
      await expect(purgeDatabase(c, gone.dbId)).rejects.toMatchObject({ code: 'DB_NOT_FOUND' });
    });
    await expectReadWhole(url, m, LIVE_DBS);
  }, 180_000);

  it('delete + purge of a live database with fulltext (alpha): its backup set goes, beta/restored/empty read whole', async () => {
    const { url, m } = await loadedRealStorage('pa');
    await withStorage(url, async (c) => {
      await deleteDatabaseOffline(c, 'alpha');
      const r = await purgeDatabase(c, m.databases.alpha.dbId);
      expect(r.byKind.fulltext.rows).toBeGreaterThan(50);
      const after = await rowIds(c);
      expect(m.databases.alpha.backupKeys.filter((k) => after.has(k))).toEqual([]);
      expect([...after].filter((id) => id.endsWith(m.databases.alpha.dbId))).toEqual([]);
    });
    await expectReadWhole(url, m, ['beta', 'restored', 'empty']);
  }, 180_000);

  it("after Datomic's own gc-deleted-dbs, storage gc --older-than 0 deletes exactly what it left behind of the deleted db (and other unreferenced rows), nothing live", async () => {
    const { url, m } = await loadedRealStorage('sw');
    const gc = await runReferee(url, [{ label: 'gc', op: 'gc-deleted-dbs' }]);
    expect(gc.get('gc')!.ok).toBe(true);
    await withStorage(url, async (c) => {
      const left = await rowIds(c);
      const leftOfGone = m.databases.gone.backupKeys.filter((k) => left.has(k));
      // Datomic's gc-deleted-dbs deletes only full batches of 1000 ids: all of these stay
      expect(leftOfGone.length).toBe(m.databases.gone.backupKeys.length);
      const live = await computeFootprints(c);
      expect(live.unreadable).toEqual([]);
      const dry = await sweepStorage(c, { olderThanMs: 0, lastHeartbeatMs: null, dryRun: true });
      expect(await rowIds(c)).toEqual(left);
      expect(dry.rows).toBeGreaterThanOrEqual(leftOfGone.length);
      const r = await sweepStorage(c, { olderThanMs: 0, lastHeartbeatMs: null, batchSize: 50 });
      expect(r.rows).toBe(dry.rows);
      const after = await rowIds(c);
      expect(m.databases.gone.backupKeys.filter((k) => after.has(k))).toEqual([]);
      for (const k of LIVE_DBS) {
        expect(m.databases[k].backupKeys.filter((id) => !after.has(id)), k).toEqual([]);
      }
      // what is left is exactly the live databases' footprints, the catalog and the system rows
      const fp = await computeFootprints(c);
      const reachable = fp.footprints.reduce((a, f) => a + f.rows, 0) + 2;
      expect(after.size).toBe(reachable);
      // a second sweep finds nothing
      expect((await sweepStorage(c, { olderThanMs: 0, lastHeartbeatMs: null })).rows).toBe(0);
    });
    await expectReadWhole(url, m, LIVE_DBS);
  }, 180_000);

  it('--older-than keeps young garbage: with a recent heartbeat nothing unlisted is old enough, listed garbage goes by its :tstamp', async () => {
    const { url, m } = await loadedRealStorage('sy');
    // The cached storage may be days old: times count from its generation, and the clock is put two
    // days on so that nothing here may read it.
    const t = m.generatedAtMs;
    vi.useFakeTimers({ toFake: ['Date'], now: t + 2 * 86_400_000 });
    try {
      await withStorage(url, async (c) => {
        const day = await sweepStorage(c, { olderThanMs: 86_400_000, nowMs: t + 60_000, lastHeartbeatMs: t + 60_000, dryRun: true });
        expect(day.rows).toBe(0); // everything was written in the minute before
        expect(day.tooYoung.rows).toBeGreaterThan(0);
        const now = await sweepStorage(c, { olderThanMs: 0, nowMs: t + 60_000, lastHeartbeatMs: t + 120_000, dryRun: true });
        // unlisted rows are dated by the (later) heartbeat: kept; listed garbage is older than now
        expect(now.swept.segment.rows + now.swept['catalog tail'].rows).toBe(0);
        expect(now.swept['pending garbage'].rows).toBeGreaterThan(0);
      });
    } finally {
      vi.useRealTimers();
    }
  });
});
