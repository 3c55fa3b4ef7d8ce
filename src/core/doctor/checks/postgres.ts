/**
 * Doctor checks of the PostgreSQL storage: the admin connection, the storage role's connection,
 * the datomic_kvs table (columns, primary key, the role's privileges, a PUBLIC grant) and the
 * database's encoding and locale. All read-only; everything the role needs is readable by it
 * (information_schema, pg_class.relacl, has_table_privilege).
 */
import { DtxError } from '../../errors.js';
import { connect, type PgClient } from '../../postgres/client.js';
import { checkKvsTable, KVS_TABLE } from '../../storage/kvs.js';
import { fail, fromError, pass, warn, type CheckResult } from '../types.js';

/** What dtx knows about its embedded server for this storage target (to name the right fix). */
export interface EmbeddedHint {
  /** the target is this machine, on the default port or the embedded cluster's */
  applies: boolean;
  initialized: boolean;
  running: boolean;
}

const CONNECT_TIMEOUT_MS = 5000;

export async function checkRoleConnection(storageUrl: string, embedded: EmbeddedHint): Promise<{ result: CheckResult; client: PgClient | null }> {
  let client: PgClient;
  try {
    client = await connect({ url: storageUrl, purpose: 'storage', connectTimeoutMs: CONNECT_TIMEOUT_MS });
  } catch (e) {
    if (e instanceof DtxError && e.code === 'PG_UNREACHABLE' && embedded.applies) {
      const fix = embedded.initialized
        ? "dtx's embedded PostgreSQL of this state dir is not running: start it with `dtx postgres start` (or `dtx init-postgres`, which starts it too)."
        : "Nothing listens there: `dtx init-postgres` starts dtx's embedded PostgreSQL and creates the storage; or start your own server.";
      return { client: null, result: fail('postgres-role', e.message, fix) };
    }
    return { client: null, result: fromError('postgres-role', e) };
  }
  const r = await client.query<{ u: string; db: string; v: string }>("select current_user as u, current_database() as db, current_setting('server_version') as v");
  const row = r.rows[0];
  const where = embedded.applies && embedded.running ? " (dtx's embedded server)" : '';
  return { client, result: pass('postgres-role', `connected as role "${row?.u ?? '?'}" to database "${row?.db ?? '?'}", PostgreSQL ${row?.v ?? '?'}${where}`) };
}

export interface AdminCheckInput {
  url: string;
  /** given by the user (--admin-url, DTX_ADMIN_URL, PG*, config) or known to dtx (the embedded superuser) */
  known: boolean;
}

export async function checkAdminConnection(o: AdminCheckInput): Promise<CheckResult> {
  let c: PgClient;
  try {
    c = await connect({ url: o.url, purpose: 'admin', connectTimeoutMs: CONNECT_TIMEOUT_MS });
  } catch (e) {
    if (!o.known) {
      return warn(
        'postgres-admin',
        `not checked: no admin connection is configured, and the default one failed (${e instanceof Error ? e.message : String(e)}); only \`dtx init-postgres\` needs it`,
        'To check it, pass --admin-url postgresql://postgres:PASSWORD@HOST:PORT/postgres (or set DTX_ADMIN_URL, or PGUSER and PGPASSWORD).',
      );
    }
    return fromError('postgres-admin', e);
  }
  try {
    const r = await c.query<{ u: string; sup: boolean; cdb: boolean; crole: boolean }>(
      'select current_user as u, rolsuper as sup, rolcreatedb as cdb, rolcreaterole as crole from pg_roles where rolname = current_user',
    );
    const row = r.rows[0];
    if (!row) return warn('postgres-admin', 'connected, but the admin role is not in pg_roles', null);
    if (row.sup) return pass('postgres-admin', `connected as "${row.u}" (superuser)`);
    if (row.cdb && row.crole) return pass('postgres-admin', `connected as "${row.u}" (CREATEDB, CREATEROLE)`);
    return warn(
      'postgres-admin',
      `connected as "${row.u}", which is neither a superuser nor has CREATEDB and CREATEROLE: \`dtx init-postgres\` cannot create a missing database or role with it`,
      'Use a superuser in --admin-url, or as one: ALTER ROLE <admin> CREATEDB CREATEROLE;',
    );
  } finally {
    await c.end().catch(() => {});
  }
}

export interface KvsOutcome {
  result: CheckResult;
  /** the table is there with Datomic's columns and the role can use it */
  usable: boolean;
  /** rows, estimated from the planner's statistics (null when never analyzed) */
  estimatedRows: number | null;
}

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

export async function checkKvs(c: PgClient): Promise<KvsOutcome> {
  let schema: string;
  try {
    schema = (await checkKvsTable(c)).schema;
  } catch (e) {
    return { usable: false, estimatedRows: null, result: fromError('kvs-table', e) };
  }
  const table = `${schema}.${KVS_TABLE}`;
  const info = await c.query<{
    pk: string | null; sel: boolean; ins: boolean; upd: boolean; del: boolean; pub: string[] | null; own: boolean; reltuples: number; role: string; owner: string;
  }>(
    `select (select string_agg(a.attname, ',' order by a.attnum) from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
              where i.indrelid = t.oid and i.indisprimary) as pk,
            has_table_privilege(t.oid, 'SELECT') as sel, has_table_privilege(t.oid, 'INSERT') as ins,
            has_table_privilege(t.oid, 'UPDATE') as upd, has_table_privilege(t.oid, 'DELETE') as del,
            (select array_agg(a.privilege_type::text order by a.privilege_type) from aclexplode(t.relacl) a where a.grantee = 0) as pub,
            (t.relowner = r.oid or r.rolsuper
              or (select count(distinct a.privilege_type) from aclexplode(t.relacl) a
                   where a.grantee <> 0 and pg_has_role(r.oid, a.grantee, 'MEMBER') and a.privilege_type in ('SELECT', 'INSERT', 'UPDATE', 'DELETE')) = 4) as own,
            t.reltuples::float8 as reltuples, r.rolname as role, pg_get_userbyid(t.relowner) as owner
       from pg_class t, pg_roles r
      where t.oid = to_regclass($1) and r.rolname = current_user`,
    [table],
  );
  const row = info.rows[0];
  if (!row) return { usable: false, estimatedRows: null, result: fail('kvs-table', `cannot read the catalog entry of ${table}`, null) };
  const estimatedRows = row.reltuples >= 0 ? Math.round(row.reltuples) : null;
  const missing = (['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const).filter((p, i) => ![row.sel, row.ins, row.upd, row.del][i]);
  const grant = `GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE ${schema}.${KVS_TABLE} TO ${q(row.role)};`;
  if (row.pk !== 'id') {
    return {
      usable: false,
      estimatedRows,
      result: fail('kvs-table', `${table} has ${row.pk ? `its primary key on (${row.pk})` : 'no primary key'}; Datomic's table has it on id (constraint pk_id)`, "Create the table as Datomic's bin/sql/postgres-table.sql does (dtx init-postgres does, in a fresh database); dtx never alters an existing table."),
    };
  }
  if (missing.length) {
    return {
      usable: false,
      estimatedRows,
      result: fail('kvs-table', `role "${row.role}" lacks ${missing.join(', ')} on ${table}`, `As the table owner ("${row.owner}") or a superuser: ${grant} (\`dtx init-postgres\` does it).`),
    };
  }
  if (row.pub?.length) {
    const revoke = `REVOKE ALL ON TABLE ${schema}.${KVS_TABLE} FROM PUBLIC;`;
    return {
      usable: true,
      estimatedRows,
      result: warn(
        'kvs-table',
        `PUBLIC has ${row.pub.join(', ')} on ${table} (Datomic's bundled postgres-table.sql grants ALL to public): every role on this server can read and change all Datomic data`,
        row.own
          ? `As the table owner ("${row.owner}") or a superuser: ${revoke}`
          : `Role "${row.role}" only has access through PUBLIC: first ${grant} then ${revoke} (as the table owner "${row.owner}" or a superuser).`,
      ),
    };
  }
  return { usable: true, estimatedRows, result: pass('kvs-table', `${table}: Datomic's columns and primary key; role "${row.role}" has SELECT, INSERT, UPDATE, DELETE; no PUBLIC grant`) };
}

export async function checkLocale(c: PgClient): Promise<CheckResult> {
  const r = await c.query<{ db: string; enc: string; collate: string; ctype: string }>(
    `select datname as db, pg_encoding_to_char(encoding) as enc, datcollate as collate, datctype as ctype
       from pg_database where datname = current_database()`,
  );
  const row = r.rows[0];
  if (!row) return warn('locale', 'cannot read the database entry in pg_database', null);
  const what = `database "${row.db}": encoding ${row.enc}, collation ${row.collate || '(provider default)'}, ctype ${row.ctype || '(provider default)'}`;
  if (row.enc !== 'UTF8') {
    return warn(
      'locale',
      `${what}: Datomic's bin/sql/postgres-db.sql creates it as UTF8, and database names and EDN in the map column are UTF-8 text, so names outside ${row.enc} cannot be stored`,
      "Create a UTF8 storage database (dtx init-postgres picks en_US.UTF-8, else C.UTF-8) and move the databases there with Datomic's backup-db / restore-db.",
    );
  }
  return pass('locale', `${what} (Datomic does not depend on the collation)`);
}
