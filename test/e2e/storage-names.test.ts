/**
 * Issue 9, item 4, through the built CLI: a storage database named with URL-special characters
 * (percent-encoded in --pg-url) is created once, found again by a re-run and used by `db list`.
 */
import { describe, it, expect, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { dtx, tempStateDir } from '../helpers/cli.js';
import { adminUrl, withAdmin } from '../helpers/pg.js';

describe('init-postgres then db list with an odd storage database name', () => {
  for (const odd of ['a;b,c+d', 'a?b#c/d:e@f=g&h$i']) {
    it(JSON.stringify(odd), async () => {
      const tag = randomBytes(3).toString('hex');
      const database = `${odd}-${tag}`;
      const url = `postgresql://odd_${tag}:Odd-pw-12@127.0.0.1:${inject('pgPort')}/${encodeURIComponent(database)}`;
      const common = ['--pg-url', url, '--state-dir', tempStateDir()];
      const first = await dtx(['init-postgres', '--admin-url', adminUrl(), ...common]);
      expect(first.code, first.stderr).toBe(0);
      const again = await dtx(['init-postgres', '--admin-url', adminUrl(), '--json', ...common]);
      expect(again.code, again.stdout).toBe(0);
      expect(again.json()).toMatchObject({ database: { name: database, created: false }, changed: false });
      const list = await dtx(['db', 'list', '--json', ...common]);
      expect(list.code, list.stdout + list.stderr).toBe(0);
      expect(list.json()).toMatchObject({ databases: [] });
      const dbs = await withAdmin(async (a) => (await a.query<{ datname: string }>('select datname from pg_database where datname like $1', [`%${tag}%`])).rows.map((r) => r.datname));
      expect(dbs).toEqual([database]);
    });
  }
});
