/**
 * Marks everything the storage's roots reach, owner by owner: the catalog (pod-catalog and its
 * current tail chain), the system rows (pod-coord, pod-standby), then every database the catalog
 * knows, live ones by name and deleted ones by db-id. The marks go to a MarkStore (temp tables).
 */
import type { Catalog } from '../catalog.js';
import { CATALOG_POD_ID } from '../catalog.js';
import { ACTIVE_HEARTBEAT_ID, STANDBY_HEARTBEAT_ID } from '../heartbeat.js';
import type { Queryable } from '../kvs.js';
import { fetchMaps } from './fetch.js';
import { MarkStore } from './mark-store.js';
import { walkDatabase, type WalkProblem, type WalkStats } from './walk.js';

/** System rows other than the catalog (ref-storage-config exists on DynamoDB+S3 only). */
export const SYSTEM_ROW_IDS = [ACTIVE_HEARTBEAT_ID, STANDBY_HEARTBEAT_ID, 'ref-storage-config'] as const;

export type OwnerKind = 'catalog' | 'system' | 'database' | 'deleted';

export interface Owner {
  index: number;
  kind: OwnerKind;
  /** database name (live databases), else null */
  name: string | null;
  dbId: string | null;
}

export interface MarkProgress {
  /** what is being walked, e.g. `database "alpha"` */
  what: string;
  /** databases done / total */
  done: number;
  total: number;
  stats: WalkStats;
}

export interface MarkOptions {
  signal?: AbortSignal;
  onProgress?: (p: MarkProgress) => void;
  /** temp tables dropped at the end of the caller's transaction */
  onCommitDrop?: boolean;
  /** a db-id NOT to walk (a purge marks everything else as the rows to keep) */
  exclude?: string;
}

export interface MarkResult {
  owners: Owner[];
  store: MarkStore;
  problems: WalkProblem[];
  stats: WalkStats;
}

function sumStats(a: WalkStats, b: WalkStats): WalkStats {
  return { nodes: a.nodes + b.nodes, bytesFetched: a.bytesFetched + b.bytesFetched, leaves: a.leaves + b.leaves, collected: a.collected + b.collected };
}

export function databaseOwners(catalog: Catalog, first = 0, exclude?: string): Owner[] {
  const owners: Owner[] = [];
  for (const d of catalog.databases) if (d.dbId !== exclude) owners.push({ index: first + owners.length, kind: 'database', name: d.name, dbId: d.dbId });
  for (const id of catalog.deleted) if (id !== exclude) owners.push({ index: first + owners.length, kind: 'deleted', name: null, dbId: id });
  return owners;
}

export async function markStorage(c: Queryable, catalog: Catalog, opts: MarkOptions = {}): Promise<MarkResult> {
  const store = await MarkStore.create(c, { onCommitDrop: opts.onCommitDrop });
  const owners: Owner[] = [
    { index: 0, kind: 'catalog', name: null, dbId: null },
    { index: 1, kind: 'system', name: null, dbId: null },
    ...databaseOwners(catalog, 2, opts.exclude),
  ];
  let stats: WalkStats = { nodes: 0, bytesFetched: 0, leaves: 0, collected: 0 };
  const problems: WalkProblem[] = [];
  if (catalog.rev !== null) await store.add(0, 'root', [CATALOG_POD_ID, ...catalog.chain]);
  await store.add(1, 'root', (await fetchMaps(c, [...SYSTEM_ROW_IDS])).map((r) => r.id));
  const dbs = owners.filter((o) => o.dbId !== null);
  let done = 0;
  for (const o of dbs) {
    const what = o.name !== null ? `database ${JSON.stringify(o.name)}` : `deleted ${o.dbId}`;
    const r = await walkDatabase(c, o.dbId!, store.sink(o.index), {
      signal: opts.signal,
      onProgress: (s) => opts.onProgress?.({ what, done, total: dbs.length, stats: sumStats(stats, s) }),
    });
    stats = sumStats(stats, r.stats);
    problems.push(...r.problems);
    done++;
  }
  await store.flush();
  return { owners, store, problems, stats };
}
