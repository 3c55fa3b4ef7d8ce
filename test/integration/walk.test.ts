/**
 * Datomic's tree walk on storage written by real Datomic code. The referee is Datomic's own
 * backup: for each database, the walk finds exactly the value rows datomic.backup/backup copied,
 * plus what backup does not copy (root rows, log tail rows, gc tree nodes).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import type pg from 'pg';
import type { RealStorageManifest, DbKey } from '../helpers/real-storage.js';
import { connectedRealStorage, noRealStorage } from '../helpers/real-storage-copy.js';
import { walkDatabase, type WalkSink } from '../../src/core/storage/walk/walk.js';
import type { RowKind } from '../../src/core/storage/walk/ids.js';
import type { GarbageEntry } from '../../src/core/storage/walk/nodes.js';

const skip = noRealStorage('walk.test');

class MemorySink implements WalkSink {
  byKind = new Map<RowKind, Set<string>>();
  garbageEntries: GarbageEntry[] = [];
  async add(kind: RowKind, ids: readonly string[]) {
    let s = this.byKind.get(kind);
    if (!s) this.byKind.set(kind, (s = new Set()));
    for (const id of ids) s.add(id);
  }
  async garbage(entries: readonly GarbageEntry[]) {
    this.garbageEntries.push(...entries);
  }
  ids(...kinds: RowKind[]): Set<string> {
    return new Set(kinds.flatMap((k) => [...(this.byKind.get(k) ?? [])]));
  }
}

describe.skipIf(skip)('the tree walk on real storage', () => {
  let m: RealStorageManifest;
  let c: pg.Client;
  beforeAll(async () => {
    ({ m, c } = await connectedRealStorage('walk'));
    return async () => {
      await c.end();
    };
  }, 120_000);

  for (const key of ['alpha', 'beta', 'restored', 'gone', 'empty'] as DbKey[]) {
    it(`${key}: index + fulltext + log rows are exactly what Datomic's backup copied`, async () => {
      const db = m.databases[key];
      const sink = new MemorySink();
      const r = await walkDatabase(c, db.dbId, sink);
      expect(r.problems).toEqual([]);
      const walked = [...sink.ids('index', 'fulltext', 'log')].sort();
      expect(walked).toEqual(db.backupKeys);
      // what backup does not copy
      expect(r.roots.length).toBeGreaterThanOrEqual(2);
      expect(sink.ids('logTail').size).toBeGreaterThan(0);
      if (key !== 'empty') expect(sink.ids('gc').size).toBeGreaterThan(0);
      // leaves are not fetched
      expect(r.stats.nodes).toBeLessThan(walked.length);
    });
  }
});
