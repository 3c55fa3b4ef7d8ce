/**
 * Row access to `datomic_kvs` using ONLY the statement shapes Datomic itself issues
 * (docs/datomic-storage.md §6): point select by id, insert of a value row (id, map, val), insert of a
 * ref/pod row (id, rev, map), CAS update of rev+map, delete by id. No LIKE, no scans.
 */
import type { PgClient } from '../postgres/client.js';
import { DtxError } from '../errors.js';

export const KVS_TABLE = 'datomic_kvs';

export interface KvRow {
  id: string;
  /** Set on ref/pod rows, NULL on value rows. */
  rev: number | null;
  /** Printed EDN of extra keys; at least `{}` (a NULL in the table is returned as ''). */
  map: string;
  /** Bytes of value rows; NULL on ref/pod rows. */
  val: Buffer | null;
}

/** What the storage functions need from a connection (a pg.Client satisfies it). */
export type Queryable = Pick<PgClient, 'query'>;

interface PgErrorLike {
  code?: string;
  message?: string;
}

const INIT_HINT = 'Create it with `dtx init-postgres` (or run Datomic\'s bin/sql/postgres-table.sql in that database).';

/** Turns PostgreSQL errors on datomic_kvs into DtxErrors with hints; passes DtxErrors through. */
export function translateKvsError(e: unknown, what: string): unknown {
  if (e instanceof DtxError) return e;
  const err = (e ?? {}) as PgErrorLike;
  if (err.code === '42P01') {
    return new DtxError({ code: 'KVS_TABLE_MISSING', message: `table ${KVS_TABLE} does not exist (${what})`, hint: INIT_HINT, cause: e });
  }
  if (err.code === '42501') {
    return new DtxError({
      code: 'KVS_NO_ACCESS',
      message: `permission denied on ${KVS_TABLE} (${what}): ${err.message ?? ''}`,
      hint: 'Grant the storage role SELECT, INSERT, UPDATE, DELETE on datomic_kvs (`dtx init-postgres` does).',
      cause: e,
    });
  }
  return e;
}

async function q<R extends object>(c: Queryable, what: string, text: string, values: unknown[]): Promise<{ rows: R[]; rowCount: number | null }> {
  try {
    const r = await c.query<R>(text, values);
    return { rows: r.rows, rowCount: r.rowCount };
  } catch (e) {
    throw translateKvsError(e, what);
  }
}

/**
 * A query function for code that reads or writes datomic_kvs in bulk (walks, reports, purges,
 * sweeps): it returns the rows and turns PostgreSQL errors into DtxErrors naming `what` it was doing.
 */
export function kvsQuery(what: string) {
  return async <R extends object>(c: Queryable, text: string, values: unknown[] = []): Promise<R[]> => (await q<R>(c, what, text, values)).rows;
}

interface RawRow {
  id: string;
  rev: number | null;
  map: string | null;
  val: Buffer | null;
}

/** `select id, rev, map, val from datomic_kvs where id = $1`; null when absent. */
export async function getRow(c: Queryable, id: string): Promise<KvRow | null> {
  const r = await q<RawRow>(c, `reading ${id}`, 'select id, rev, map, val from datomic_kvs where id = $1', [id]);
  const row = r.rows[0];
  if (!row) return null;
  return { id: row.id, rev: row.rev, map: row.map ?? '', val: row.val };
}

/** Point lookups of several ids (one select per id, Datomic's shape). Absent ids are not in the result. */
export async function getRows(c: Queryable, ids: Iterable<string>): Promise<Map<string, KvRow>> {
  const out = new Map<string, KvRow>();
  for (const id of new Set(ids)) {
    const row = await getRow(c, id);
    if (row) out.set(id, row);
  }
  return out;
}

/** `insert into datomic_kvs (id, map, val) values ($1, $2, $3)`: a value row (rev NULL). */
export async function insertValue(c: Queryable, id: string, map: string, val: Buffer): Promise<void> {
  await q(c, `inserting ${id}`, 'insert into datomic_kvs (id, map, val) values ($1, $2, $3)', [id, map, val]);
}

/** `insert into datomic_kvs (id, rev, map) values ($1, $2, $3)`: a ref/pod row (val NULL). */
export async function insertRef(c: Queryable, id: string, rev: number, map: string): Promise<void> {
  await q(c, `inserting ${id}`, 'insert into datomic_kvs (id, rev, map) values ($1, $2, $3)', [id, rev, map]);
}

/**
 * CAS: `update datomic_kvs set rev=$1, map=$2 where id=$3 and rev=$4`.
 * Returns true when exactly one row changed, false when the expected rev did not match.
 */
export async function casRef(c: Queryable, id: string, expectedRev: number, newRev: number, map: string): Promise<boolean> {
  const r = await q(c, `updating ${id}`, 'update datomic_kvs set rev=$1, map=$2 where id=$3 and rev=$4', [newRev, map, id, expectedRev]);
  return r.rowCount === 1;
}

/** `delete from datomic_kvs where id = $1`; returns whether a row was deleted. */
export async function deleteRow(c: Queryable, id: string): Promise<boolean> {
  const r = await q(c, `deleting ${id}`, 'delete from datomic_kvs where id = $1', [id]);
  return r.rowCount === 1;
}

/** Is this a PostgreSQL unique violation (a concurrent insert of the same id)? */
export function isUniqueViolation(e: unknown): boolean {
  return (e as PgErrorLike | null)?.code === '23505';
}

const EXPECTED_COLUMNS: Record<string, string> = { id: 'text', rev: 'integer', map: 'text', val: 'bytea' };

export interface KvsTableInfo {
  schema: string;
  columns: { name: string; type: string }[];
}

/**
 * Checks that datomic_kvs exists (in the search path) with Datomic's columns.
 * Throws DtxError KVS_TABLE_MISSING (hint `dtx init-postgres`), KVS_NO_ACCESS, or KVS_TABLE_MISMATCH.
 */
export async function checkKvsTable(c: Queryable): Promise<KvsTableInfo> {
  // What information_schema.columns answers (the columns this role may use, in search-path order),
  // read from pg_catalog: the view costs ~8 ms on a fresh backend, this ~1 ms (dtx's startup).
  const r = await c.query<{ table_schema: string; column_name: string; data_type: string }>(
    `select n.nspname as table_schema, a.attname as column_name, format_type(a.atttypid, null) as data_type
       from pg_catalog.pg_class c
       join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where c.relname = $1 and c.relkind in ('r', 'p', 'v', 'f', 'm')
        and n.nspname = any (current_schemas(false))
        and (pg_has_role(c.relowner, 'USAGE') or has_column_privilege(c.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES'))
      order by array_position(current_schemas(false), n.nspname), a.attnum`,
    [KVS_TABLE],
  );
  if (r.rows.length === 0) {
    // information_schema only lists columns the role may use: distinguish "missing" from "no access".
    const reg = await c.query<{ exists: boolean }>('select to_regclass($1) is not null as exists', [KVS_TABLE]);
    if (reg.rows[0]?.exists) {
      throw new DtxError({
        code: 'KVS_NO_ACCESS',
        message: `table ${KVS_TABLE} exists but this role has no privileges on it`,
        hint: 'Grant the storage role SELECT, INSERT, UPDATE, DELETE on datomic_kvs (`dtx init-postgres` does).',
      });
    }
    const db = await c.query<{ db: string }>('select current_database() as db');
    throw new DtxError({
      code: 'KVS_TABLE_MISSING',
      message: `table ${KVS_TABLE} does not exist in database "${db.rows[0]?.db ?? '?'}"`,
      hint: INIT_HINT,
    });
  }
  const schema = r.rows[0]?.table_schema ?? 'public';
  const columns = r.rows.filter((x) => x.table_schema === schema).map((x) => ({ name: x.column_name, type: x.data_type }));
  const problems: string[] = [];
  for (const [name, type] of Object.entries(EXPECTED_COLUMNS)) {
    const col = columns.find((x) => x.name === name);
    if (!col) problems.push(`column ${name} is missing`);
    else if (col.type !== type) problems.push(`column ${name} is ${col.type}, expected ${type}`);
  }
  if (problems.length > 0) {
    throw new DtxError({
      code: 'KVS_TABLE_MISMATCH',
      message: `table ${schema}.${KVS_TABLE} does not have Datomic's columns: ${problems.join('; ')}`,
      hint: 'Datomic expects (id text primary key, rev integer, map text, val bytea); see bin/sql/postgres-table.sql.',
      details: { columns },
    });
  }
  return { schema, columns };
}
