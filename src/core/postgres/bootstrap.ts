/**
 * init-postgres: the database, the LOGIN role and the datomic_kvs table, as Datomic's bundled
 * bin/sql scripts do, but idempotent, without the PUBLIC grant, and with a locale that exists.
 * Plan first (read-only), check privileges for everything the plan needs, then act, then verify by
 * running Datomic's own statement shapes as the role in a rolled-back transaction.
 */
import type { Client } from 'pg';
import { DtxError, ExitCode } from '../errors.js';
import { withClient } from './client.js';
import { statement, type SqlValue } from './sqlfiles.js';
import { scramVerifier } from './scram.js';
import { unusablePasswordReason } from './saslprep.js';
import { formatPgUrl, toJdbcUrl, type PgTarget } from './url.js';
import { throwIfAborted } from '../abort.js';

export const TABLE: SqlValue = { qualified: ['public', 'datomic_kvs'] };
const EXPECTED_COLUMNS: Record<string, string> = { id: 'text', rev: 'integer', map: 'text', val: 'bytea' };
const LOCALE_CANDIDATES = ['en_US.UTF-8', 'C.UTF-8'];

export interface InitOptions {
  pg: PgTarget;
  adminUrl: string;
  locale?: string | undefined;
  resetPassword?: boolean;
  dryRun?: boolean;
  onProgress?: (stage: string) => void;
  /** Ctrl-C: checked before every statement that changes the server (CANCELLED, exit 130). */
  signal?: AbortSignal;
}

export interface InitResult {
  database: { name: string; created: boolean; locale: string | null };
  role: { name: string; created: boolean; passwordReset: boolean };
  table: { created: boolean; granted: boolean };
  /** JDBC URL for sql-url in transactor properties. */
  sqlUrl: string;
  sqlUser: string;
  sqlPassword: string | undefined;
  /** postgresql:// URL of the storage role (password included; render masked). */
  pgUrl: string;
  /** SQL statements run (or, with dryRun, that would run), passwords masked. */
  statements: string[];
  warnings: string[];
  verified: boolean;
  dryRun: boolean;
  changed: boolean;
}

/** Refuse names PostgreSQL would mangle or reject, with the reason. */
export function validateNames(pg: PgTarget): void {
  const problems: string[] = [];
  const check = (what: string, v: string) => {
    if (v.length === 0) problems.push(`${what} is empty`);
    if (v.includes('\0')) problems.push(`${what} contains a NUL character`);
    if (Buffer.byteLength(v, 'utf8') > 63) problems.push(`${what} "${v}" is longer than 63 bytes (PostgreSQL would silently truncate it)`);
  };
  check('database name', pg.database);
  check('role name', pg.user);
  if (/^pg_/i.test(pg.user)) problems.push(`role name "${pg.user}" starts with pg_, which PostgreSQL reserves`);
  if (['public', 'none', 'current_user', 'session_user', 'current_role'].includes(pg.user.toLowerCase())) {
    problems.push(`role name "${pg.user}" is reserved in PostgreSQL`);
  }
  if (['template0', 'template1'].includes(pg.database)) problems.push(`database name "${pg.database}" is a PostgreSQL template`);
  if (pg.password === undefined || pg.password === '') {
    problems.push('the storage URL has no password, and the transactor logs in with one');
  } else if (pg.password.includes('\0')) problems.push('the password contains a NUL character');
  if (problems.length) {
    throw new DtxError({
      code: 'NAME_INVALID',
      message: `cannot use this storage target: ${problems.join('; ')}`,
      hint: 'Choose other names in --pg-url, e.g. postgresql://datomic:PASSWORD@localhost:5432/datomic (percent-encode special characters).',
      exitCode: ExitCode.usage,
    });
  }
  const unusable = unusablePasswordReason(pg.password as string);
  if (unusable) {
    throw new DtxError({
      code: 'PASSWORD_UNUSABLE',
      message: `the password in the storage URL cannot be used: ${unusable}`,
      hint: 'Choose another password in --pg-url: any printable characters work, including non-ASCII letters; avoid mixing an emoji or a private-use character with letters that Unicode normalization changes (ligatures, full-width or decomposed letters).',
      exitCode: ExitCode.usage,
    });
  }
}

interface AdminCaps {
  user: string;
  superuser: boolean;
  createdb: boolean;
  createrole: boolean;
}

interface TableState {
  exists: boolean;
  columns: Record<string, string>;
  hasPk: boolean;
  roleHasDml: boolean;
  publicPrivileges: string[];
}

function pgErrorToDtx(e: unknown, doing: string): DtxError {
  if (e instanceof DtxError) return e;
  const err = e as { code?: string; message?: string };
  if (err.code === '42501') {
    return new DtxError({
      code: 'PG_PERMISSION_DENIED',
      message: `${doing}: ${err.message ?? 'permission denied'}`,
      hint: 'Run init-postgres with a superuser (--admin-url postgresql://postgres:PASSWORD@HOST/postgres), or ask your DBA to run `dtx init-postgres --dry-run` output.',
      cause: e,
    });
  }
  return new DtxError({ code: 'PG_ERROR', message: `${doing}: ${err.message ?? String(e)}`, hint: 'Run with --verbose for details.', cause: e });
}

async function adminCaps(c: Client): Promise<AdminCaps> {
  const r = await c.query<{ user: string; rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean }>(
    'select current_user as user, rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = current_user',
  );
  const row = r.rows[0];
  return { user: row?.user ?? '?', superuser: Boolean(row?.rolsuper), createdb: Boolean(row?.rolcreatedb), createrole: Boolean(row?.rolcreaterole) };
}

async function chooseLocale(c: Client, requested: string | undefined): Promise<string[]> {
  if (requested) return [requested];
  // Collations imported from the OS at initdb time tell which locales the server knows.
  const r = await c.query<{ collname: string }>(
    "select collname from pg_collation where collprovider = 'c' and lower(replace(collname, '-', '')) in ('en_us.utf8', 'c.utf8')",
  );
  const have = new Set(r.rows.map((x) => x.collname.toLowerCase().replace('-', '')));
  const out: string[] = [];
  if (have.has('en_us.utf8')) out.push('en_US.UTF-8');
  if (have.has('c.utf8')) out.push('C.UTF-8');
  // Even when pg_collation does not list them, the server may accept them; try before the default.
  for (const l of LOCALE_CANDIDATES) if (!out.includes(l)) out.push(l);
  return out;
}

async function tableState(c: Client, role: string, roleExists: boolean): Promise<TableState> {
  const cols = await c.query<{ column_name: string; data_type: string }>(
    "select column_name, data_type from information_schema.columns where table_schema = 'public' and table_name = 'datomic_kvs' order by ordinal_position",
  );
  if (cols.rowCount === 0) return { exists: false, columns: {}, hasPk: false, roleHasDml: false, publicPrivileges: [] };
  const columns: Record<string, string> = {};
  for (const r of cols.rows) columns[r.column_name] = r.data_type;
  const pk = await c.query<{ cols: string }>(
    `select string_agg(a.attname, ',') as cols from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
     where i.indrelid = 'public.datomic_kvs'::regclass and i.indisprimary`,
  );
  let roleHasDml = false;
  if (roleExists) {
    // The role's own grants (or ownership / superuser), not what it gets through PUBLIC: a later
    // REVOKE ... FROM PUBLIC (the fix for the bundled script's grant) must not lock it out.
    const own = await c.query<{ n: string; owner: boolean; sup: boolean }>(
      `select (select count(distinct a.privilege_type) from pg_class c, aclexplode(c.relacl) a
                where c.oid = 'public.datomic_kvs'::regclass and a.grantee = r.oid
                  and a.privilege_type in ('SELECT', 'INSERT', 'UPDATE', 'DELETE')) as n,
              (select relowner = r.oid from pg_class where oid = 'public.datomic_kvs'::regclass) as owner,
              r.rolsuper as sup
         from pg_roles r where r.rolname = $1`,
      [role],
    );
    const row = own.rows[0];
    roleHasDml = Boolean(row && (Number(row.n) === 4 || row.owner || row.sup));
  }
  const pub = await c.query<{ privilege_type: string }>(
    "select a.privilege_type from pg_class c, aclexplode(c.relacl) a where c.oid = 'public.datomic_kvs'::regclass and a.grantee = 0",
  );
  return { exists: true, columns, hasPk: pk.rows[0]?.cols === 'id', roleHasDml, publicPrivileges: pub.rows.map((r) => r.privilege_type) };
}

function columnMismatch(columns: Record<string, string>): string | null {
  const diffs: string[] = [];
  for (const [name, type] of Object.entries(EXPECTED_COLUMNS)) {
    if (!(name in columns)) diffs.push(`missing column ${name} ${type}`);
    else if (columns[name] !== type) diffs.push(`column ${name} is ${columns[name]}, expected ${type}`);
  }
  for (const name of Object.keys(columns)) if (!(name in EXPECTED_COLUMNS)) diffs.push(`extra column ${name}`);
  return diffs.length ? diffs.join(', ') : null;
}

function emptyResult(pg: PgTarget, dryRun: boolean): InitResult {
  return {
    database: { name: pg.database, created: false, locale: null },
    role: { name: pg.user, created: false, passwordReset: false },
    table: { created: false, granted: false },
    sqlUrl: toJdbcUrl(pg),
    sqlUser: pg.user,
    sqlPassword: pg.password,
    pgUrl: formatPgUrl(pg),
    statements: [],
    warnings: [],
    verified: false,
    dryRun,
    changed: false,
  };
}

/**
 * --dry-run when the embedded server has not been created yet: its fresh cluster (owner postgres,
 * C.UTF-8 available, nothing else there) would get everything.
 */
export function planOnFreshEmbedded(pg: PgTarget): InitResult {
  validateNames(pg);
  const result = emptyResult(pg, true);
  const role: SqlValue = { ident: pg.user };
  result.statements.push(
    statement('postgres-db.sql', 'create-database', { database: { ident: pg.database }, owner: { ident: 'postgres' }, locale: { literal: 'C.UTF-8' } }),
    statement('postgres-user.sql', 'create-role', { role, password: { literal: '***' } }),
    statement('postgres-table.sql', 'create-table', { table: TABLE }),
    statement('postgres-table.sql', 'grant', { table: TABLE, role }),
  );
  result.warnings.push('the embedded server is not running yet: on its fresh cluster everything would be created (locale C.UTF-8 there)');
  return result;
}

export async function initPostgres(opts: InitOptions): Promise<InitResult> {
  const { pg } = opts;
  validateNames(pg);
  const progress = opts.onProgress ?? (() => {});
  const password = pg.password as string;
  // Always a verifier (never the clear password, whatever its characters): see scram.ts.
  const passwordValue: SqlValue = { literal: scramVerifier(password) };
  const maskedPassword: SqlValue = { literal: '***' };
  const result = emptyResult(pg, Boolean(opts.dryRun));
  const { statements, warnings } = result;

  progress('checking the server');
  await withClient({ url: opts.adminUrl, purpose: 'admin' }, async (admin) => {
    const caps = await adminCaps(admin);
    const dbRow = await admin.query<{ datcollate: string }>('select datcollate from pg_database where datname = $1', [pg.database]);
    const dbExists = (dbRow.rowCount ?? 0) > 0;
    const roleRow = await admin.query<{ rolcanlogin: boolean }>('select rolcanlogin from pg_roles where rolname = $1', [pg.user]);
    const roleExists = (roleRow.rowCount ?? 0) > 0;
    if (roleExists && !roleRow.rows[0]?.rolcanlogin && !opts.resetPassword) {
      warnings.push(`role "${pg.user}" exists but cannot log in (NOLOGIN); --reset-password also grants LOGIN`);
    }
    if (dbExists) result.database.locale = dbRow.rows[0]?.datcollate ?? null;

    // Privileges for what the plan needs, all checked before anything changes.
    const missing: string[] = [];
    if (!dbExists && !caps.superuser && !caps.createdb) missing.push(`create database "${pg.database}" (needs CREATEDB)`);
    if ((!roleExists || opts.resetPassword) && !caps.superuser && !caps.createrole) {
      missing.push(`${roleExists ? 'change the password of' : 'create'} role "${pg.user}" (needs CREATEROLE)`);
    }
    if (missing.length) {
      throw new DtxError({
        code: 'PG_ADMIN_PRIVILEGES',
        message: `admin role "${caps.user}" cannot ${missing.join(' or ')}`,
        hint: 'Use a superuser in --admin-url (e.g. postgresql://postgres:PASSWORD@HOST:5432/postgres), or GRANT it CREATEDB/CREATEROLE.',
      });
    }

    const owner: SqlValue = { ident: caps.user };
    if (!dbExists) {
      const locales = await chooseLocale(admin, opts.locale);
      if (opts.dryRun) {
        result.database.locale = locales[0] ?? null;
        statements.push(statement('postgres-db.sql', 'create-database', { database: { ident: pg.database }, owner, locale: locales[0] ? { literal: locales[0] } : undefined }));
        if (!opts.locale) warnings.push(`locale: ${locales.join(', then ')}, then the template's default, whichever the server accepts first`);
      } else {
        progress(`creating database ${pg.database}`);
        const tries: (string | undefined)[] = [...locales];
        if (!opts.locale) tries.push(undefined);
        for (const loc of tries) {
          const sql = statement('postgres-db.sql', 'create-database', { database: { ident: pg.database }, owner, locale: loc ? { literal: loc } : undefined });
          throwIfAborted(opts.signal);
          try {
            await admin.query(sql);
            statements.push(sql);
            result.database.created = true;
            result.database.locale = loc ?? null;
            break;
          } catch (e) {
            const code = (e as { code?: string }).code;
            const invalidLocale = code === '22023' || code === '0A000' || /locale|collation/i.test(String((e as Error).message));
            if (!invalidLocale) throw pgErrorToDtx(e, `CREATE DATABASE ${pg.database}`);
            if (opts.locale) {
              throw new DtxError({
                code: 'LOCALE_INVALID',
                message: `the server does not accept locale "${opts.locale}": ${(e as Error).message}`,
                hint: 'Pick one the server has (SELECT collname FROM pg_collation), or leave --locale out to let dtx choose.',
                exitCode: ExitCode.usage,
              });
            }
          }
        }
        if (!result.database.created) throw new DtxError({ code: 'PG_ERROR', message: `could not create database "${pg.database}"`, hint: 'Try --locale C.' });
        if (result.database.locale === null) {
          const r = await admin.query<{ datcollate: string }>('select datcollate from pg_database where datname = $1', [pg.database]);
          result.database.locale = r.rows[0]?.datcollate ?? null;
          warnings.push(`neither en_US.UTF-8 nor C.UTF-8 is available; used the template's locale ${result.database.locale ?? '?'}`);
        } else if (result.database.locale !== 'en_US.UTF-8' && !opts.locale) {
          warnings.push(`en_US.UTF-8 is not available on this server; used ${result.database.locale} (Datomic does not depend on the collation)`);
        }
      }
    }

    if (!roleExists) {
      if (opts.dryRun) statements.push(statement('postgres-user.sql', 'create-role', { role: { ident: pg.user }, password: maskedPassword }));
      else {
        progress(`creating role ${pg.user}`);
        throwIfAborted(opts.signal);
        try {
          await admin.query(statement('postgres-user.sql', 'create-role', { role: { ident: pg.user }, password: passwordValue }));
        } catch (e) {
          throw pgErrorToDtx(e, `CREATE ROLE ${pg.user}`);
        }
        statements.push(statement('postgres-user.sql', 'create-role', { role: { ident: pg.user }, password: maskedPassword }));
        result.role.created = true;
      }
    } else if (opts.resetPassword) {
      statements.push(statement('postgres-user.sql', 'reset-password', { role: { ident: pg.user }, password: maskedPassword }));
      if (!opts.dryRun) {
        throwIfAborted(opts.signal);
        try {
          await admin.query(statement('postgres-user.sql', 'reset-password', { role: { ident: pg.user }, password: passwordValue }));
        } catch (e) {
          throw pgErrorToDtx(e, `ALTER ROLE ${pg.user}`);
        }
        result.role.passwordReset = true;
      }
    }
  });

  // The table lives in the storage database; connect there as the admin.
  const dbExistsNow = await withClient({ url: opts.adminUrl, purpose: 'admin' }, async (admin) => {
    const r = await admin.query('select 1 from pg_database where datname = $1', [pg.database]);
    return (r.rowCount ?? 0) > 0;
  });
  const tableSql = statement('postgres-table.sql', 'create-table', { table: TABLE });
  const grantSql = statement('postgres-table.sql', 'grant', { table: TABLE, role: { ident: pg.user } });
  if (!dbExistsNow) {
    // Dry run on a database that does not exist yet: everything would be created.
    statements.push(tableSql, grantSql);
  } else {
    await withClient({ url: opts.adminUrl, purpose: 'admin', database: pg.database }, async (c) => {
      const roleExists = ((await c.query('select 1 from pg_roles where rolname = $1', [pg.user])).rowCount ?? 0) > 0;
      const st = await tableState(c, pg.user, roleExists);
      if (st.exists) {
        const mismatch = columnMismatch(st.columns) ?? (st.hasPk ? null : 'no primary key on id');
        if (mismatch) {
          throw new DtxError({
            code: 'TABLE_MISMATCH',
            message: `datomic_kvs in database "${pg.database}" does not have Datomic's layout: ${mismatch}`,
            hint: "dtx never alters an existing table. Rename or drop it yourself if it is not Datomic's, then re-run init-postgres.",
            details: { columns: st.columns },
          });
        }
        if (st.publicPrivileges.length) {
          warnings.push(
            `PUBLIC has ${st.publicPrivileges.join(', ')} on datomic_kvs (Datomic's bundled script grants ALL to public): every role on this server can read and change Datomic data. dtx leaves it; to close it: REVOKE ALL ON TABLE public.datomic_kvs FROM PUBLIC;`,
          );
        }
      }
      const needTable = !st.exists;
      const needGrant = needTable || !st.roleHasDml;
      if (opts.dryRun) {
        if (needTable) statements.push(tableSql);
        if (needGrant) statements.push(grantSql);
        return;
      }
      if (!needTable && !needGrant) return;
      progress(needTable ? 'creating table datomic_kvs' : 'granting table privileges');
      throwIfAborted(opts.signal);
      try {
        await c.query('BEGIN');
        if (needTable) {
          await c.query(tableSql);
          statements.push(tableSql);
        }
        throwIfAborted(opts.signal);
        await c.query(grantSql);
        statements.push(grantSql);
        throwIfAborted(opts.signal); // an abort rolls the table back
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw pgErrorToDtx(e, needTable ? 'CREATE TABLE datomic_kvs' : 'GRANT on datomic_kvs');
      }
      result.table.created = needTable;
      result.table.granted = true;
    });
  }

  result.changed = !opts.dryRun && (result.database.created || result.role.created || result.role.passwordReset || result.table.created || result.table.granted);
  if (opts.dryRun) return result;

  progress(`checking that role ${pg.user} can run Datomic's statements`);
  throwIfAborted(opts.signal);
  await verifyAsRole(pg, result.role.created || result.role.passwordReset);
  result.verified = true;
  return result;
}

/** Datomic's statement shapes (docs/datomic-storage.md §6) as the storage role, inside a rolled-back transaction. */
export async function verifyAsRole(pg: PgTarget, passwordJustSet: boolean): Promise<void> {
  try {
    await withClient({ url: formatPgUrl(pg), purpose: 'storage' }, async (c) => {
      const id = `dtx-init-check-${process.pid}-${Date.now()}`;
      await c.query('BEGIN');
      try {
        await c.query('select id, rev, map, val from datomic_kvs where id = $1', [id]);
        await c.query('insert into datomic_kvs (id, map, val) values ($1, $2, $3)', [`${id}-v`, '{}', Buffer.from([1, 2, 3])]);
        await c.query('insert into datomic_kvs (id, rev, map) values ($1, $2, $3)', [id, 0, '{}']);
        const u = await c.query('update datomic_kvs set rev = $1, map = $2 where id = $3 and rev = $4', [1, '{:k 1}', id, 0]);
        if (u.rowCount !== 1) throw new Error('the CAS update matched no row');
        await c.query('delete from datomic_kvs where id = $1', [`${id}-v`]);
      } finally {
        await c.query('ROLLBACK').catch(() => {});
      }
    });
  } catch (e) {
    if (e instanceof DtxError && e.code === 'PG_AUTH_FAILED') {
      throw new DtxError({
        code: 'ROLE_PASSWORD_MISMATCH',
        message: `role "${pg.user}" exists but does not accept the password in the storage URL`,
        hint: passwordJustSet
          ? 'Check pg_hba.conf: the server must allow password (scram-sha-256/md5) logins for this role.'
          : 'If the password in --pg-url is wrong, fix it there. To give the role this password instead, re-run with --reset-password (transactors and peers still using the old one then fail to log in).',
      });
    }
    if (e instanceof DtxError) throw e;
    throw pgErrorToDtx(e, `role "${pg.user}" cannot use datomic_kvs`);
  }
}
