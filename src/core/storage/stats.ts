/** Size of the Datomic storage table. */
import { KVS_TABLE, translateKvsError, type Queryable } from './kvs.js';

export interface KvsStats {
  rows: number;
  /** pg_total_relation_size: heap + TOAST + indexes, in bytes (includes dead tuples until VACUUM) */
  totalBytes: number;
}

export async function kvsStats(c: Queryable): Promise<KvsStats> {
  try {
    const r = await c.query<{ rows: string; total: string }>(
      `select (select count(*) from ${KVS_TABLE})::text as rows, pg_total_relation_size(to_regclass($1))::text as total`,
      [KVS_TABLE],
    );
    const row = r.rows[0];
    return { rows: Number(row?.rows ?? 0), totalBytes: Number(row?.total ?? 0) };
  } catch (e) {
    throw translateKvsError(e, 'measuring the table');
  }
}
