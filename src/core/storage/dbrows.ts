/**
 * The named root rows of one database (by db-id). Only these carry the db-id
 * (docs/datomic-storage.md): pod-log-tail/<id>, ref-index-root/<id>, ref-gc-root/<id>,
 * ref-log-root/<id>. Everything else is a bare-uuid row in one shared key space, reached from these
 * by Datomic's tree walk (./walk). Point lookups only: never LIKE.
 */
import { readEdn, EdnMap } from '../edn/index.js';
import { getRow, type KvRow, type Queryable } from './kvs.js';

export const ROOT_ROW_KINDS = ['pod-log-tail', 'ref-index-root', 'ref-gc-root', 'ref-log-root'] as const;
export type RootRowKind = (typeof ROOT_ROW_KINDS)[number];

/** The named root row ids of a database. */
export function rootRowIds(dbId: string): string[] {
  return ROOT_ROW_KINDS.map((k) => `${k}/${dbId}`);
}

export interface DbRow {
  id: string;
  rev: number | null;
  /** length of val in bytes (0 when NULL) */
  bytes: number;
  /** the map column as printed */
  mapText: string;
  /** the map column decoded (null when it is not a readable EDN map) */
  map: EdnMap | null;
}

/** A row's map column as an EDN map; null when it is not one. */
export function decodeMap(text: string): EdnMap | null {
  try {
    const v = readEdn(text === '' ? '{}' : text);
    return v instanceof EdnMap ? v : null;
  } catch {
    return null;
  }
}

function toDbRow(row: KvRow): DbRow {
  return { id: row.id, rev: row.rev, bytes: row.val?.length ?? 0, mapText: row.map, map: decodeMap(row.map) };
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

/** Does a db-id still have named rows? */
export async function hasRootRows(c: Queryable, dbId: string): Promise<boolean> {
  return (await readDbRootRows(c, dbId)).length > 0;
}
