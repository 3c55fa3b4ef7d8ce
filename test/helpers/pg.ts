/**
 * Helpers for tests against the real PostgreSQL started by test/setup/global-pg.ts.
 * freshDatabase() creates a uniquely named database; its admin URL and a role-less app URL are returned.
 */
import { inject } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export function adminUrl(database = 'postgres'): string {
  const u = new URL(inject('pgAdminUrl'));
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

export function uniqueName(prefix = 't'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl(database) });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates an empty database with a unique name and returns its name. */
export async function freshDatabase(prefix = 'db'): Promise<string> {
  const name = uniqueName(prefix);
  await withAdmin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  return name;
}

/**
 * Creates a database holding an empty datomic_kvs table exactly like Datomic's bundled
 * postgres-table.sql (same columns, pk_id), owned by a fresh LOGIN role. Returns the role's URL.
 */
export async function freshStorage(prefix = 'st'): Promise<{ database: string; role: string; password: string; url: string }> {
  const database = await freshDatabase(prefix);
  const role = uniqueName('r');
  const password = `pw_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (c) => {
    await c.query(`CREATE ROLE ${c.escapeIdentifier(role)} LOGIN PASSWORD ${c.escapeLiteral(password)}`);
  });
  await withAdmin(async (c) => {
    await c.query(
      'CREATE TABLE datomic_kvs (id text NOT NULL, rev integer, map text, val bytea, CONSTRAINT pk_id PRIMARY KEY (id))',
    );
    await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE datomic_kvs TO ${c.escapeIdentifier(role)}`);
  }, database);
  const port = inject('pgPort');
  const url = `postgresql://${role}:${password}@127.0.0.1:${port}/${database}`;
  return { database, role, password, url };
}
