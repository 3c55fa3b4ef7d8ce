/**
 * Rows of one database (by db-id). Only the named roots carry the db-id (datomic-facts.md §5):
 *   pod-log-tail/<id>, ref-index-root/<id>, ref-gc-root/<id>, ref-log-root/<id>
 * Everything else is a bare-uuid segment in one shared key space. Point lookups only: never LIKE.
 *
 * purgeOffline deletes only what can be proven to belong to the database without decoding
 * Fressian: the named roots and the rows their map columns reference directly by uuid. Deeper
 * segments (referenced from inside gzip+Fressian segment values) are NOT deleted; see the report.
 */
import { gunzipSync } from 'node:zlib';
import type { PgClient } from '../postgres/client.js';
import { DtxError, ExitCode } from '../errors.js';
import { readEdn, EdnMap, EdnSet, EdnList, Tagged, type EdnValue } from '../edn/index.js';
import { deleteRow, getRow, type KvRow, type Queryable } from './kvs.js';
import { writeCatalog, DELETED_KEY, type Catalog } from './catalog.js';
import { throwIfAborted } from '../abort.js';

export const ROOT_ROW_KINDS = ['pod-log-tail', 'ref-index-root', 'ref-gc-root', 'ref-log-root'] as const;
export type RootRowKind = (typeof ROOT_ROW_KINDS)[number];

/** The named root row ids of a database. */
export function rootRowIds(dbId: string): string[] {
  return ROOT_ROW_KINDS.map((k) => `${k}/${dbId}`);
}

/** A segment/value row id: `<uuid>` or `<uuid>_<hex>` (fulltext chunks etc.). */
export const SEGMENT_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:_[0-9a-f]+)?$/i;

export interface DbRow {
  id: string;
  rev: number | null;
  /** length of val in bytes (0 when NULL) */
  bytes: number;
  /** the map column as printed */
  mapText: string;
  /** the map column decoded (null when it is not a readable EDN map) */
  map: EdnMap | null;
  /** segment ids referenced directly from the map column's values (e.g. :key, :tail, :d/r) */
  refs: string[];
}

function decodeMap(text: string): EdnMap | null {
  try {
    const v = readEdn(text === '' ? '{}' : text);
    return v instanceof EdnMap ? v : null;
  } catch {
    return null;
  }
}

/** All segment-id-looking strings among the values (recursively) of an EDN value. Keys are ignored. */
export function collectSegmentRefs(v: EdnValue, out: Set<string> = new Set()): Set<string> {
  if (typeof v === 'string') {
    if (SEGMENT_ID_RE.test(v)) out.add(v);
  } else if (Array.isArray(v)) {
    for (const x of v) collectSegmentRefs(x, out);
  } else if (v instanceof EdnList) {
    for (const x of v.items) collectSegmentRefs(x, out);
  } else if (v instanceof EdnSet) {
    for (const x of v) collectSegmentRefs(x, out);
  } else if (v instanceof EdnMap) {
    for (const x of v.values()) collectSegmentRefs(x, out);
  } else if (v instanceof Tagged) {
    collectSegmentRefs(v.value, out);
  }
  return out;
}

function toDbRow(row: KvRow): DbRow {
  const map = decodeMap(row.map);
  return {
    id: row.id,
    rev: row.rev,
    bytes: row.val?.length ?? 0,
    mapText: row.map,
    map,
    refs: map ? [...collectSegmentRefs(map)] : [],
  };
}

/** The existing named root rows of a database (point lookups of the four ids). */
export async function readDbRootRows(c: Queryable, dbId: string): Promise<DbRow[]> {
  const out: DbRow[] = [];
  for (const id of rootRowIds(dbId)) {
    const row = await getRow(c, id);
    if (row) out.push(toDbRow(row));
  }
  return out;
}

export interface DbRowsView {
  dbId: string;
  roots: DbRow[];
  /** rows referenced directly from the roots' maps that exist */
  referenced: DbRow[];
  /** ids referenced from the roots' maps that are not in the table */
  missing: string[];
}

/** Roots plus the rows they reference directly (for `db inspect`). */
export async function readDbRows(c: Queryable, dbId: string): Promise<DbRowsView> {
  const roots = await readDbRootRows(c, dbId);
  const refIds = new Set(roots.flatMap((r) => r.refs));
  const referenced: DbRow[] = [];
  const missing: string[] = [];
  for (const id of refIds) {
    const row = await getRow(c, id);
    if (row) referenced.push(toDbRow(row));
    else missing.push(id);
  }
  return { dbId, roots, referenced, missing };
}

export interface PurgeReport {
  dbId: string;
  /** was the id in :datomic/deleted before the purge */
  wasInDeletedSet: boolean;
  /** rows deleted (named roots, then directly referenced segments) */
  deletedRows: { id: string; kind: 'root' | 'segment'; bytes: number }[];
  bytesDeleted: number;
  /** directly referenced ids kept because another database's named rows reference them too */
  keptShared: { id: string; sharedWith: string[] }[];
  /** directly referenced ids that were not in the table */
  missingRefs: string[];
  /** what is left behind */
  leftBehind: {
    /** distinct segment-id candidates found by scanning the deleted segments' decompressed bytes (heuristic, may over-count) */
    scannedRefs: number;
    /** how many of those exist in the table (not deleted: they need Fressian decoding to prove ownership) */
    existingScannedRefs: number;
    existingScannedBytes: number;
    /** true when the scan stopped at its limit */
    scanTruncated: boolean;
    description: string;
  };
  catalogRev: number | null;
}

const LEFT_BEHIND =
  'Deeper index, log and garbage segments are referenced from inside the gzip+Fressian values of the ' +
  'deleted segments and are NOT deleted (dtx does not decode Fressian). They are unreachable bare-uuid ' +
  'rows now. To reclaim them, run Datomic\'s `bin/datomic gc-deleted-dbs` BEFORE purging (it walks the ' +
  'trees), or restore the storage from a backup into a fresh table. PostgreSQL also needs VACUUM to return space.';

const SCAN_LIMIT = 10_000;
const SCAN_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:_[0-9a-f]{1,32})?/gi;

function scanBytes(val: Buffer): string[] {
  let bytes = val;
  if (val.length >= 2 && val[0] === 0x1f && val[1] === 0x8b) {
    try {
      bytes = gunzipSync(val);
    } catch {
      bytes = val;
    }
  }
  const out: string[] = [];
  for (const m of bytes.toString('latin1').match(SCAN_RE) ?? []) {
    // Length-prefixed strings may sit next to other hex text: also try the bare uuid and a
    // 15-digit suffix (`<uuid>_<hex15>`); only ids that exist are counted later.
    out.push(m.toLowerCase());
    if (m.length > 36) {
      out.push(m.slice(0, 36).toLowerCase());
      if (m.length > 52) out.push(m.slice(0, 52).toLowerCase());
    }
  }
  return out;
}

export interface PurgeOptions {
  /** Allow purging an id that is in neither the live names nor :datomic/deleted (orphan rows). */
  allowOrphan?: boolean;
  maxAttempts?: number;
  /** Ctrl-C: checked before every row delete and catalog write; an abort rolls the whole purge back. */
  signal?: AbortSignal;
}

/**
 * Offline purge of one database (the caller guarantees no transactor is running): in ONE
 * transaction, deletes its named root rows and the rows their maps reference directly by uuid
 * (unless another catalog database's named rows reference the same id), and drops the id from
 * :datomic/deleted. Refuses a live database (DB_NOT_DELETED). Never touches rows of other ids,
 * pod-catalog, catalog tail rows, pod-coord or pod-standby.
 */
export async function purgeOffline(client: PgClient, dbId: string, opts: PurgeOptions = {}): Promise<PurgeReport> {
  let report: PurgeReport | undefined;
  const res = await writeCatalog(
    client,
    (current) => {
      const live = current.databases.find((d) => d.dbId === dbId);
      if (live) {
        throw new DtxError({
          code: 'DB_NOT_DELETED',
          message: `db-id ${dbId} belongs to the live database ${JSON.stringify(live.name)}; only deleted databases can be purged`,
          hint: `Delete it first (\`dtx db delete ${live.name}\`).`,
          exitCode: ExitCode.usage,
        });
      }
      const inDeleted = current.deleted.includes(dbId);
      if (!inDeleted && !opts.allowOrphan) {
        throw new DtxError({
          code: 'DB_NOT_FOUND',
          message: `db-id ${dbId} is not in the catalog's deleted set`,
          hint: 'List deleted databases with `dtx db list`.',
          exitCode: ExitCode.notFound,
        });
      }
      if (!inDeleted) return null; // orphan rows only: the catalog stays as it is
      const next = current.value.clone();
      const del = next.get(DELETED_KEY);
      if (del instanceof EdnSet) {
        const d2 = del.clone();
        d2.delete(dbId);
        next.set(DELETED_KEY, d2);
      }
      return { value: next, removeDeleted: [dbId] };
    },
    {
      maxAttempts: opts.maxAttempts,
      signal: opts.signal,
      inTransaction: async (c, current) => {
        report = await deleteOwnedRows(c, dbId, current, opts.signal);
      },
    },
  );
  if (!report) throw new Error('purge did not run');
  report.catalogRev = res.rev;
  return report;
}

async function deleteOwnedRows(c: Queryable, dbId: string, current: Catalog, signal: AbortSignal | undefined): Promise<PurgeReport> {
  const wasInDeletedSet = current.deleted.includes(dbId);
  const protectedIds = new Set<string>(['pod-catalog', 'pod-coord', 'pod-standby', ...current.chain]);
  // Every other database the catalog knows (live and deleted): what their named rows reference.
  const sharedBy = new Map<string, string[]>();
  const others = [...current.databases.map((d) => d.dbId), ...current.deleted].filter((id) => id !== dbId);
  for (const other of others) {
    for (const r of await readDbRootRows(c, other)) {
      for (const ref of r.refs) sharedBy.set(ref, [...(sharedBy.get(ref) ?? []), other]);
    }
  }
  const roots = await readDbRootRows(c, dbId);
  const deletedRows: PurgeReport['deletedRows'] = [];
  const keptShared: PurgeReport['keptShared'] = [];
  const missingRefs: string[] = [];
  const refIds = new Set<string>();
  for (const r of roots) for (const ref of r.refs) refIds.add(ref);
  const scanned = new Set<string>();
  let scanTruncated = false;
  for (const id of refIds) {
    if (protectedIds.has(id)) continue;
    const shared = sharedBy.get(id);
    if (shared) {
      keptShared.push({ id, sharedWith: shared });
      continue;
    }
    const row = await getRow(c, id);
    if (!row) {
      missingRefs.push(id);
      continue;
    }
    if (row.val) {
      for (const s of scanBytes(row.val)) {
        if (scanned.size >= SCAN_LIMIT) {
          scanTruncated = true;
          break;
        }
        scanned.add(s);
      }
    }
    throwIfAborted(signal);
    if (await deleteRow(c, id)) deletedRows.push({ id, kind: 'segment', bytes: row.val?.length ?? 0 });
  }
  for (const r of roots) {
    throwIfAborted(signal);
    if (await deleteRow(c, r.id)) deletedRows.unshift({ id: r.id, kind: 'root', bytes: r.bytes });
  }
  let existingScannedRefs = 0;
  let existingScannedBytes = 0;
  for (const id of scanned) {
    if (refIds.has(id) || protectedIds.has(id)) continue;
    const row = await getRow(c, id);
    if (row) {
      existingScannedRefs++;
      existingScannedBytes += row.val?.length ?? 0;
    }
  }
  return {
    dbId,
    wasInDeletedSet,
    deletedRows,
    bytesDeleted: deletedRows.reduce((a, r) => a + r.bytes, 0),
    keptShared,
    missingRefs,
    leftBehind: {
      scannedRefs: [...scanned].filter((id) => !refIds.has(id)).length,
      existingScannedRefs,
      existingScannedBytes,
      scanTruncated,
      description: LEFT_BEHIND,
    },
    catalogRev: null,
  };
}

/** Convenience for callers that only need to know whether a db-id still has named rows. */
export async function hasRootRows(c: Queryable, dbId: string): Promise<boolean> {
  return (await readDbRootRows(c, dbId)).length > 0;
}
