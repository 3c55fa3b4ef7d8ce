/**
 * Each database's footprint: the rows its roots reach (docs/datomic-storage.md), their bytes
 * (sum of octet_length(val), NULL counting 0), split by kind, and how many of them another
 * database reaches too (normally none). Read in one snapshot (REPEATABLE READ): with a transactor
 * running, the figures describe that instant.
 */
import type { PgClient } from '../../postgres/client.js';
import { withTransaction } from '../../postgres/client.js';
import { readCatalog, type Catalog } from '../catalog.js';
import type { RowKind } from './ids.js';
import { markStorage, type MarkOptions } from './mark-all.js';
import { emptyByKind, MarkStore, missingRowsProblem, type KindTotals } from './mark-store.js';
import { walkDatabase, type WalkProblem, type WalkStats } from './walk.js';

export interface DbFootprint {
  dbId: string;
  /** null for a deleted database */
  name: string | null;
  status: 'active' | 'deleted';
  rows: number;
  bytes: number;
  byKind: Record<RowKind, KindTotals>;
  shared: number;
}

export interface FootprintsResult {
  /** the catalog, read in the same snapshot */
  catalog: Catalog;
  footprints: DbFootprint[];
  /** nodes that are missing, do not decode or have an unexpected shape; leaves that are missing */
  unreadable: WalkProblem[];
  stats: WalkStats & { ms: number };
}

/** Footprints of every database in the catalog (live and deleted), in one snapshot. */
export async function computeFootprints(c: PgClient, opts: MarkOptions = {}): Promise<FootprintsResult> {
  const started = performance.now();
  return withTransaction(
    c,
    async () => {
      const catalog = await readCatalog(c);
      const { owners, store, problems, stats } = await markStorage(c, catalog, { ...opts, onCommitDrop: true });
      const totals = await store.totals();
      const unreadable = [...problems];
      const footprints: DbFootprint[] = [];
      for (const o of owners) {
        if (o.dbId === null) continue;
        const t = totals.get(o.index);
        const missing = missingRowsProblem(o.dbId, t);
        if (missing) unreadable.push(missing);
        footprints.push({
          dbId: o.dbId,
          name: o.name,
          status: o.kind === 'deleted' ? 'deleted' : 'active',
          rows: t?.rows ?? 0,
          bytes: t?.bytes ?? 0,
          byKind: t?.byKind ?? emptyByKind(),
          shared: t?.shared ?? 0,
        });
      }
      return { catalog, footprints, unreadable, stats: { ...stats, ms: Math.round(performance.now() - started) } };
    },
    { isolation: 'repeatable read' },
  );
}

export interface IntactResult {
  /** every row its trees reference exists and decodes */
  intact: boolean;
  rows: number;
  problems: WalkProblem[];
}

/**
 * Is one database whole? (before undelete: a database that gc or a purge has partly deleted must
 * not come back, since Datomic could not read it). Walks its trees and checks every leaf exists.
 */
export async function databaseIntact(c: PgClient, dbId: string, opts: { signal?: AbortSignal } = {}): Promise<IntactResult> {
  return withTransaction(
    c,
    async () => {
      const store = await MarkStore.create(c, { onCommitDrop: true });
      const walk = await walkDatabase(c, dbId, store.sink(0), { signal: opts.signal });
      const t = (await store.totals()).get(0);
      const problems = [...walk.problems];
      const missing = missingRowsProblem(dbId, t);
      if (missing) problems.push(missing);
      return { intact: problems.length === 0 && walk.roots.length > 0, rows: t?.rows ?? 0, problems };
    },
    { isolation: 'repeatable read' },
  );
}
