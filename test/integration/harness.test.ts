import { describe, it, expect } from 'vitest';
import pg from 'pg';
import { freshStorage } from '../helpers/pg.js';

describe('test harness', () => {
  it('gives a real PostgreSQL with a datomic_kvs table', async () => {
    const st = await freshStorage();
    const c = new pg.Client({ connectionString: st.url });
    await c.connect();
    const r = await c.query('select id, rev, map, val from datomic_kvs where id = $1', ['x']);
    await c.end();
    expect(r.rowCount).toBe(0);
  });
});
