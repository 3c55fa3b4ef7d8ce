/**
 * The one way purge and sweep delete rows of datomic_kvs: by primary key, in batches, taking the
 * ids from a temp table that lists them. Each batch takes up to `batch` ids (in `order`), deletes
 * those rows of datomic_kvs that the keep set `dtx_mark` does not hold (unless `spareMarked` is
 * false), and drops the ids from the list, all in one statement. `check` runs before every batch
 * (the abort signal, the no-transactor guard).
 */
import { KVS_TABLE, kvsQuery, type Queryable } from '../kvs.js';

export interface DeleteListedOptions {
  /** the temp table listing the ids (a column `id`) */
  table: 'dtx_purge' | 'dtx_sweep';
  /** which of its ids, e.g. `level = $1`, with `params` as $1.. */
  where: string;
  params: unknown[];
  order: string;
  batch: number;
  /** leave rows the keep set holds (false only for rows that are marked and must go anyway) */
  spareMarked: boolean;
  /** what the caller is doing, for error messages */
  what: string;
  check: () => Promise<void>;
  /** after each batch: the rows it deleted */
  onBatch?: (deleted: number) => void;
}

/** Deletes until the selected ids are used up; returns the rows deleted. */
export async function deleteListed(c: Queryable, o: DeleteListedOptions): Promise<number> {
  const q = kvsQuery(o.what);
  const limit = `$${o.params.length + 1}`;
  const spare = o.spareMarked ? 'and not exists (select 1 from dtx_mark m where m.id = b.id)' : '';
  const sql = `with b as (select id from ${o.table} where ${o.where} order by ${o.order} limit ${limit}),
                    d as (delete from ${KVS_TABLE} k using b where k.id = b.id ${spare} returning k.id),
                    x as (delete from ${o.table} t using b where t.id = b.id returning t.id)
               select (select count(*) from d)::text as n, (select count(*) from x)::text as taken`;
  let deleted = 0;
  for (;;) {
    await o.check();
    const [r] = await q<{ n: string; taken: string }>(c, sql, [...o.params, o.batch]);
    const n = Number(r?.n ?? 0);
    deleted += n;
    o.onBatch?.(n);
    if (Number(r?.taken ?? 0) < o.batch) return deleted;
  }
}
