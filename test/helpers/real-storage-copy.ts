/**
 * The storage written by real Datomic code (test/helpers/real-storage.ts) as test files use it: a
 * copy loaded into a fresh database of the test server, Datomic's own loader as the referee on it,
 * the rows of one level of a database's tree. Apart from real-storage.ts because it needs vitest
 * (inject, expect), which the global setup that imports real-storage.ts must not load.
 */
import { expect, inject } from 'vitest';
import pg from 'pg';
import { freshStorage } from './pg.js';
import { REAL_PEER_SKIP_REASON, withStorage } from './real-peer.js';
import { loadRealStorage, runReferee, type DbKey, type RealStorageManifest } from './real-storage.js';
import { walkDatabase } from '../../src/core/storage/walk/walk.js';
import type { RowKind } from '../../src/core/storage/walk/ids.js';

/** The databases the catalog names (`gone` is deleted). */
export const LIVE_DBS: DbKey[] = ['alpha', 'beta', 'restored', 'empty'];

/** True, after a warning naming `file`, when there is no real storage (the peer is not fetched): for describe.skipIf. */
export function noRealStorage(file: string): boolean {
  if (inject('realStorageDir')) return false;
  console.warn(`[${file}] skipped: ${REAL_PEER_SKIP_REASON}`);
  return true;
}

/** A fresh storage (freshStorage(prefix)) holding a copy of the real storage, and its manifest. */
export async function loadedRealStorage(prefix: string): Promise<Awaited<ReturnType<typeof freshStorage>> & { m: RealStorageManifest }> {
  const st = await freshStorage(prefix);
  return { ...st, m: await loadRealStorage(st.url, inject('realStorageDir')) };
}

/** loadedRealStorage and a client connected to it (the caller ends it). */
export async function connectedRealStorage(prefix: string): Promise<Awaited<ReturnType<typeof loadedRealStorage>> & { c: pg.Client }> {
  const s = await loadedRealStorage(prefix);
  const c = new pg.Client({ connectionString: s.url });
  await c.connect();
  return { ...s, c };
}

/** Datomic's own loader (one JVM) reads each database of `keys` back whole: the summary it had when written. */
export async function expectReadWhole(url: string, m: RealStorageManifest, keys: DbKey[]): Promise<void> {
  const res = await runReferee(url, keys.map((k) => ({ label: k, op: 'summary' as const, dbId: m.databases[k].dbId })));
  for (const k of keys) {
    const r = res.get(k)!;
    expect(r.ok, `${k}: ${r.error}`).toBe(true);
    expect(r.summary, k).toEqual(m.databases[k].summary);
  }
}

/** The ids of the rows of `kind` the walk of `dbId` meets at `level` (0: leaves); throws when there are none. */
export async function rowsAtLevel(url: string, dbId: string, kind: RowKind, level: number): Promise<string[]> {
  const out: string[] = [];
  await withStorage(url, (c) =>
    walkDatabase(c, dbId, {
      add: async (k, ids, l) => {
        if (k === kind && l === level) out.push(...ids);
      },
      garbage: async () => {},
    }),
  );
  if (!out.length) throw new Error(`no ${kind} row at level ${level} in ${dbId}`);
  return out;
}
