import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parsePgUrl, toJdbcUrl, formatPgUrl, toJdbcUrlWithCredentials } from '../../src/core/postgres/url.js';
import { maskSecrets } from '../../src/core/mask.js';
import { escapeIdentifier, escapeLiteral, renderSql, statement } from '../../src/core/postgres/sqlfiles.js';
import { scramVerifier } from '../../src/core/postgres/scram.js';

describe('parsePgUrl', () => {
  it('parses users, passwords and names with special characters', () => {
    const t = parsePgUrl('postgresql://us%20er:p%40ss%3Aw%2Fd@db.example:6543/my%20db?sslmode=require');
    expect(t).toEqual({ host: 'db.example', port: 6543, database: 'my db', user: 'us er', password: 'p@ss:w/d', params: { sslmode: 'require' } });
    expect(toJdbcUrl(t)).toBe('jdbc:postgresql://db.example:6543/my%20db?sslmode=require');
    expect(parsePgUrl(formatPgUrl(t))).toEqual(t);
  });
  it('round-trips arbitrary names and passwords', () => {
    fc.assert(
      // "." and ".." cannot be a URL path segment (URL parsing normalises them, even as %2E), so
      // no postgresql:// URL names such a database; everything else round-trips.
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.string({ minLength: 1 }).filter((d) => d !== '.' && d !== '..'), (user, password, database) => {
        const t = { host: 'h', port: 5432, user, password, database, params: {} };
        expect(parsePgUrl(formatPgUrl(t))).toEqual(t);
      }),
    );
  });
  it('rejects malformed URLs with a usage error and a hint', () => {
    for (const bad of ['', 'localhost:5432', 'mysql://a@b/c', 'jdbc:postgresql://h/db', 'postgresql://h:99999/db', 'postgresql://u:p@h/db#x', 'postgresql://u:%zz@h/db']) {
      try {
        parsePgUrl(bad);
        expect.fail(`accepted ${bad}`);
      } catch (e) {
        expect((e as { exitCode: number }).exitCode).toBe(2);
        expect((e as { hint: string }).hint).toBeTruthy();
      }
    }
  });
  it('never echoes the password of a malformed URL', () => {
    expect(() => parsePgUrl('postgresql://u:hunter2@h:99999/db')).toThrow(/postgresql:\/\/u:\*\*\*@/);
  });
});

describe('maskSecrets', () => {
  it('masks URL, JDBC, key=value and JSON passwords', () => {
    expect(maskSecrets('postgresql://datomic:s3cret@localhost:5432/datomic')).toBe('postgresql://datomic:***@localhost:5432/datomic');
    expect(maskSecrets('datomic:sql://x?jdbc:postgresql://h:5432/d?user=u&password=s3cret')).toBe('datomic:sql://x?jdbc:postgresql://h:5432/d?user=u&password=***');
    expect(maskSecrets('sql-password=s3cret\nsql-user=u')).toBe('sql-password=***\nsql-user=u');
    expect(maskSecrets('{"password":"s3cret"}')).toBe('{"password":"***"}');
    const t = { host: 'h', port: 1, user: 'u', password: 'p&w=x y', database: 'd', params: {} };
    expect(maskSecrets(toJdbcUrlWithCredentials(t))).not.toContain('x+y');
  });
});

describe('SQL quoting', () => {
  it('quotes identifiers and literals like pg', () => {
    expect(escapeIdentifier('we"ird')).toBe('"we""ird"');
    expect(escapeLiteral("it's")).toBe("'it''s'");
    expect(escapeLiteral('back\\slash')).toBe(" E'back\\\\slash'");
  });
  it('renders bundled statements with every value quoted', () => {
    const sql = statement('postgres-db.sql', 'create-database', { database: { ident: 'd"; DROP TABLE x; --' }, owner: { ident: 'postgres' }, locale: { literal: "en_US.UTF-8'" } });
    expect(sql).toBe(`CREATE DATABASE "d""; DROP TABLE x; --" WITH OWNER = "postgres" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE = 'en_US.UTF-8''' LC_CTYPE = 'en_US.UTF-8''' CONNECTION LIMIT = -1;`);
    expect(statement('postgres-db.sql', 'create-database', { database: { ident: 'd' }, owner: { ident: 'o' }, locale: undefined })).not.toContain('LC_COLLATE');
    expect(statement('postgres-table.sql', 'create-table', { table: { qualified: ['public', 'datomic_kvs'] } })).toBe(
      'CREATE TABLE "public"."datomic_kvs" (id text NOT NULL, rev integer, map text, val bytea, CONSTRAINT pk_id PRIMARY KEY (id));',
    );
    expect(() => renderSql('{{missing}}', {})).toThrow(/no value/);
  });
});

describe('scram', () => {
  it('produces PostgreSQL verifier format', () => {
    expect(scramVerifier('datomic', 4096, Buffer.alloc(16, 1))).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
  });
});

describe('planOnFreshEmbedded (init-postgres --dry-run before the embedded server exists)', () => {
  it('plans database, role (password masked), table and grant, and nothing for PUBLIC', async () => {
    const { planOnFreshEmbedded } = await import('../../src/core/postgres/bootstrap.js');
    const r = planOnFreshEmbedded(parsePgUrl('postgresql://datomic:s3cret-pw@localhost:5432/datomic'));
    expect(r.dryRun).toBe(true);
    expect(r.statements).toEqual([
      `CREATE DATABASE "datomic" WITH OWNER = "postgres" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE = 'C.UTF-8' LC_CTYPE = 'C.UTF-8' CONNECTION LIMIT = -1;`,
      `CREATE ROLE "datomic" LOGIN PASSWORD '***';`,
      'CREATE TABLE "public"."datomic_kvs" (id text NOT NULL, rev integer, map text, val bytea, CONSTRAINT pk_id PRIMARY KEY (id));',
      'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "public"."datomic_kvs" TO "datomic";',
    ]);
    expect(r.sqlUrl).toBe('jdbc:postgresql://localhost:5432/datomic');
  });
});
