/**
 * Batched reads by primary key for the tree walk: `where id = any($1)` in batches, so a level of a
 * tree costs a few round trips instead of one per node. Only the rows asked for are read; leaves are
 * never fetched (their ids and sizes are enough).
 */
import { translateKvsError, KVS_TABLE, type Queryable } from '../kvs.js';

export const FETCH_BATCH = 500;

export interface ValRow {
  id: string;
  val: Buffer | null;
}

export interface MapRow {
  id: string;
  rev: number | null;
  map: string;
}

async function batched<R extends object>(c: Queryable, ids: readonly string[], sql: string, what: string): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < ids.length; i += FETCH_BATCH) {
    try {
      const r = await c.query<R>(sql, [ids.slice(i, i + FETCH_BATCH)]);
      out.push(...r.rows);
    } catch (e) {
      throw translateKvsError(e, what);
    }
  }
  return out;
}

/** id and val of the rows among `ids` that exist. */
export function fetchVals(c: Queryable, ids: readonly string[]): Promise<ValRow[]> {
  return batched<ValRow>(c, ids, `select id, val from ${KVS_TABLE} where id = any($1::text[])`, 'reading tree nodes');
}

/** id, rev and map of the rows among `ids` that exist (no val). */
export async function fetchMaps(c: Queryable, ids: readonly string[]): Promise<MapRow[]> {
  const rows = await batched<{ id: string; rev: number | null; map: string | null }>(
    c,
    ids,
    `select id, rev, map from ${KVS_TABLE} where id = any($1::text[])`,
    'reading root rows',
  );
  return rows.map((r) => ({ id: r.id, rev: r.rev, map: r.map ?? '' }));
}
