/**
 * init-postgres against a real PostgreSQL: creates, is idempotent, no PUBLIC grant, quoting of odd
 * names, privilege and connection failures leave everything unchanged.
 */
import { describe, it, expect } from 'vitest';
import net from 'node:net';
import pg from 'pg';
import { inject } from 'vitest';
import { initPostgres } from '../../src/core/postgres/bootstrap.js';
import { maskSecrets } from '../../src/core/mask.js';
import { parsePgUrl, formatPgUrl } from '../../src/core/postgres/url.js';
import type { DtxError } from '../../src/core/errors.js';
import { adminUrl, uniqueName, withAdmin } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';

function target(db: string, role: string, password: string) {
  return parsePgUrl(formatPgUrl({ host: '127.0.0.1', port: inject('pgPort'), database: db, user: role, password, params: {} }));
}

/**
 * The databases and roles with these names, with their owners, ACLs and passwords. Only the test's own
 * names: other test files share this server and create their own databases in parallel.
 */
async function snapshot(...names: string[]) {
  return withAdmin(async (c) => {
    const dbs = await c.query('select datname, datdba, datacl::text from pg_database where datname = any($1) order by 1', [names]);
    const roles = await c.query('select rolname, rolpassword, rolcanlogin from pg_authid where rolname = any($1) order by 1', [names]);
    return JSON.stringify([dbs.rows, roles.rows]);
  });
}

async function errorOf(p: Promise<unknown>): Promise<DtxError> {
  try {
    await p;
  } catch (e) {
    return e as DtxError;
  }
  throw new Error('expected an error');
}

describe('initPostgres', () => {
  it('creates database, role and table; a second run changes nothing; PUBLIC gets nothing', async () => {
    const t = target(uniqueName('d'), uniqueName('r'), 'Secret-1');
    const first = await initPostgres({ pg: t, adminUrl: adminUrl() });
    expect(first).toMatchObject({ database: { created: true }, role: { created: true }, table: { created: true, granted: true }, verified: true, changed: true });
    expect(first.sqlUrl).toBe(`jdbc:postgresql://127.0.0.1:${inject('pgPort')}/${t.database}`);
    // The server here has no en_US.UTF-8; the fallback is reported.
    expect(first.database.locale).toMatch(/UTF-8|C/);
    expect(first.statements.join('\n')).not.toContain('Secret-1');

    const before = await snapshot(t.database, t.user);
    const second = await initPostgres({ pg: t, adminUrl: adminUrl() });
    expect(second).toMatchObject({ database: { created: false }, role: { created: false }, table: { created: false, granted: false }, changed: false, verified: true });
    expect(second.statements).toEqual([]);
    expect(await snapshot(t.database, t.user)).toBe(before);

    // As the role: Datomic's select works; PUBLIC has no privilege on the table.
    const c = new pg.Client({ connectionString: formatPgUrl(t) });
    await c.connect();
    const r = await c.query("select id, rev, map, val from datomic_kvs where id = 'x'");
    await c.end();
    expect(r.rowCount).toBe(0);
    const pub = await withAdmin(
      (a) => a.query("select a.privilege_type from pg_class c, aclexplode(c.relacl) a where c.oid = 'public.datomic_kvs'::regclass and a.grantee = 0"),
      t.database,
    );
    expect(pub.rowCount).toBe(0);
    const cols = await withAdmin(
      (a) => a.query("select column_name, data_type from information_schema.columns where table_name = 'datomic_kvs' order by ordinal_position"),
      t.database,
    );
    expect(cols.rows).toEqual([
      { column_name: 'id', data_type: 'text' },
      { column_name: 'rev', data_type: 'integer' },
      { column_name: 'map', data_type: 'text' },
      { column_name: 'val', data_type: 'bytea' },
    ]);
    const pk = await withAdmin((a) => a.query("select conname from pg_constraint where conrelid = 'public.datomic_kvs'::regclass and contype = 'p'"), t.database);
    expect(pk.rows).toEqual([{ conname: 'pk_id' }]);
  });

  it('keeps an existing role password unless --reset-password', async () => {
    const db = uniqueName('d');
    const role = uniqueName('r');
    await initPostgres({ pg: target(db, role, 'first-pass'), adminUrl: adminUrl() });
    const err = await errorOf(initPostgres({ pg: target(db, role, 'second-pass'), adminUrl: adminUrl() }));
    expect(err.code).toBe('ROLE_PASSWORD_MISMATCH');
    expect(err.hint).toContain('--reset-password');
    const r = await initPostgres({ pg: target(db, role, 'second-pass'), adminUrl: adminUrl(), resetPassword: true });
    expect(r.role.passwordReset).toBe(true);
    expect(r.verified).toBe(true);
  });

  it('quotes names with quotes, spaces, unicode and SQL in them', async () => {
    const suffix = uniqueName('');
    const t = target(`db "quoted" ünï ${suffix}`, `ro'le; DROP ROLE x;--${suffix}`, "pa'ss\\word \"é\" ; --");
    const r = await initPostgres({ pg: t, adminUrl: adminUrl() });
    expect(r).toMatchObject({ database: { created: true }, role: { created: true }, verified: true });
    const again = await initPostgres({ pg: t, adminUrl: adminUrl() });
    expect(again.changed).toBe(false);
  });

  it('refuses names PostgreSQL would mangle, with reasons, before touching anything', async () => {
    const watched = ['x'.repeat(63), 'd', 'r', 'pg_evil', 'public'];
    const before = await snapshot(...watched);
    const cases: [ReturnType<typeof target>, RegExp][] = [
      [target('x'.repeat(64), 'r', 'p'), /longer than 63 bytes/],
      [target('d', 'pg_evil', 'p'), /reserves/],
      [target('d', 'public', 'p'), /reserved/],
      [{ ...target('d', 'r', 'p'), password: undefined }, /no password/],
    ];
    for (const [t, re] of cases) {
      const err = await errorOf(initPostgres({ pg: t, adminUrl: adminUrl() }));
      expect(err.code).toBe('NAME_INVALID');
      expect(err.exitCode).toBe(2);
      expect(err.message).toMatch(re);
    }
    expect(await snapshot(...watched)).toBe(before);
  });

  it('--dry-run prints SQL with the password masked and changes nothing', async () => {
    const t = target(uniqueName('d'), uniqueName('r'), 'dry-run-secret');
    const before = await snapshot(t.database, t.user);
    const r = await initPostgres({ pg: t, adminUrl: adminUrl(), dryRun: true });
    expect(await snapshot(t.database, t.user)).toBe(before);
    expect(before).toBe('[[],[]]');
    const sql = r.statements.join('\n');
    expect(sql).toContain(`CREATE DATABASE "${t.database}"`);
    expect(sql).toContain(`CREATE ROLE "${t.user}" LOGIN PASSWORD '***'`);
    expect(sql).toContain('CREATE TABLE "public"."datomic_kvs"');
    expect(sql).toContain('GRANT SELECT, INSERT, UPDATE, DELETE');
    expect(sql).not.toContain('dry-run-secret');
    expect(sql).not.toMatch(/TO\s+public/i);
  });

  it('--locale chooses; an unknown locale is refused and nothing is created', async () => {
    const t = target(uniqueName('d'), uniqueName('r'), 'pw-locale');
    const err = await errorOf(initPostgres({ pg: t, adminUrl: adminUrl(), locale: 'xx_NOPE.UTF-8' }));
    expect(err.code).toBe('LOCALE_INVALID');
    const exists = await withAdmin((c) => c.query('select 1 from pg_database where datname = $1', [t.database]));
    expect(exists.rowCount).toBe(0);
    const ok = await initPostgres({ pg: t, adminUrl: adminUrl(), locale: 'C' });
    expect(ok.database.locale).toBe('C');
  });

  it('reports an existing datomic_kvs with other columns and never alters it', async () => {
    const t = target(uniqueName('d'), uniqueName('r'), 'pw-mismatch');
    await withAdmin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(t.database)}`));
    await withAdmin((c) => c.query('CREATE TABLE datomic_kvs (id text primary key, payload jsonb)'), t.database);
    const err = await errorOf(initPostgres({ pg: t, adminUrl: adminUrl() }));
    expect(err.code).toBe('TABLE_MISMATCH');
    expect(err.message).toMatch(/missing column rev integer.*extra column payload/);
    const cols = await withAdmin((c) => c.query("select column_name from information_schema.columns where table_name = 'datomic_kvs'"), t.database);
    expect(cols.rows.map((r) => r.column_name).sort()).toEqual(['id', 'payload']);
  });

  it('warns about the bundled script\'s PUBLIC grant on an existing table and leaves it', async () => {
    const t = target(uniqueName('d'), uniqueName('r'), 'pw-public');
    await withAdmin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(t.database)}`));
    await withAdmin(async (c) => {
      await c.query('CREATE TABLE datomic_kvs (id text NOT NULL, rev integer, map text, val bytea, CONSTRAINT pk_id PRIMARY KEY (id))');
      await c.query('GRANT ALL ON TABLE datomic_kvs TO public');
    }, t.database);
    const r = await initPostgres({ pg: t, adminUrl: adminUrl() });
    expect(r.table).toEqual({ created: false, granted: true });
    expect(r.warnings.join(' ')).toMatch(/PUBLIC has .* on datomic_kvs/);
  });

  it('an admin without CREATEDB/CREATEROLE gets a clear error and nothing changes', async () => {
    const weak = uniqueName('weak');
    await withAdmin((c) => c.query(`CREATE ROLE ${c.escapeIdentifier(weak)} LOGIN PASSWORD 'weakpass'`));
    const weakUrl = formatPgUrl({ host: '127.0.0.1', port: inject('pgPort'), database: 'postgres', user: weak, password: 'weakpass', params: {} });
    const t = target(uniqueName('d'), uniqueName('r'), 'pw');
    const before = await snapshot(t.database, t.user, weak);
    const err = await errorOf(initPostgres({ pg: t, adminUrl: weakUrl }));
    expect(err.code).toBe('PG_ADMIN_PRIVILEGES');
    expect(err.message).toMatch(/needs CREATEDB.*needs CREATEROLE/);
    expect(err.hint).toMatch(/superuser/);
    expect(await snapshot(t.database, t.user, weak)).toBe(before);
  });

  it('a wrong admin password is an auth error with a hint', async () => {
    const u = new URL(adminUrl());
    u.password = 'wrong-password';
    const err = await errorOf(initPostgres({ pg: target(uniqueName('d'), uniqueName('r'), 'pw'), adminUrl: u.toString() }));
    expect(err.code).toBe('PG_AUTH_FAILED');
    expect(err.hint).toMatch(/admin-url|PGPASSWORD/);
    expect(err.message).not.toContain('wrong-password');
    // No password at all against a server that wants one (the default admin URL has none).
    u.password = '';
    const none = await errorOf(initPostgres({ pg: target(uniqueName('d'), uniqueName('r'), 'pw'), adminUrl: u.toString() }));
    expect(none.code).toBe('PG_AUTH_FAILED');
    expect(none.message).toMatch(/asks role "postgres" for a password, and the admin connection URL has none/);
    expect(none.hint).toMatch(/to --admin-url \(postgresql:\/\/postgres:PASSWORD@/);
    // the placeholder stays readable once masked (issue 9 item 10: it used to read postgres:***@)
    expect(maskSecrets(none.hint ?? '')).toMatch(/Add the superuser's password to --admin-url \(postgresql:\/\/postgres:PASSWORD@/);
  });

  it('unreachable servers: refused, unknown host, timeout', async () => {
    const t = target('d', 'r', 'pw');
    const port = await freePort();
    const refused = await errorOf(initPostgres({ pg: t, adminUrl: `postgresql://postgres:x@127.0.0.1:${port}/postgres` }));
    expect(refused.code).toBe('PG_UNREACHABLE');
    expect(refused.hint).toMatch(/dtx postgres start/);
    const unknown = await errorOf(initPostgres({ pg: t, adminUrl: 'postgresql://postgres:x@no-such-host.invalid:5432/postgres' }));
    expect(unknown.code).toBe('PG_UNKNOWN_HOST');
    // A server that accepts TCP but never answers.
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const sport = (silent.address() as net.AddressInfo).port;
    const { withClient } = await import('../../src/core/postgres/client.js');
    const timeout = await errorOf(withClient({ url: `postgresql://postgres:x@127.0.0.1:${sport}/postgres`, connectTimeoutMs: 500 }, async () => {}));
    silent.close();
    expect(timeout.code).toBe('PG_TIMEOUT');
    expect(timeout.hint).toBeTruthy();
  });
});
