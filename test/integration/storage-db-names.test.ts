/**
 * Issue 9, item 4: init-postgres must not create what it cannot use. Storage database names with
 * URL-special characters (percent-encoded in --pg-url) go all the way to a working datomic_kvs: the
 * database the server gets is the decoded name, dtx's own storage connection reaches it, a re-run
 * finds it (no second database), and the real Datomic peer reads the catalog through the URI dtx
 * prints (pgjdbc decodes the name in the JDBC URL).
 */
import { describe, it, expect, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { initPostgres } from '../../src/core/postgres/bootstrap.js';
import { connect } from '../../src/core/postgres/client.js';
import { parsePgUrl } from '../../src/core/postgres/url.js';
import { checkKvsTable, readCatalog, writeCatalog } from '../../src/core/storage/index.js';
import { systemUri } from '../../src/core/datomic/uri.js';
import { EdnMap, kw } from '../../src/core/edn/index.js';
import { adminUrl, withAdmin } from '../helpers/pg.js';
import { realPeerAvailable, runRealPeerEval, cljString, jsonLines } from '../helpers/real-peer.js';

// Each group holds characters pg's decodeURI left encoded (; , + $ @ = & ? # / :) or that need
// encoding otherwise; one database per group keeps the test fast.
const SPECIAL = [';,', '+$', '@=&', '?#', '/:', ' %', '"\'\\', 'ü'];

function names(): { ch: string; database: string; url: string }[] {
  return SPECIAL.map((ch) => {
    const tag = randomBytes(3).toString('hex');
    const database = `dn${ch}x${tag}`;
    const role = `dnr_${tag}`;
    const url = `postgresql://${role}:Names-pw-1@127.0.0.1:${inject('pgPort')}/${encodeURIComponent(database)}`;
    return { ch, database, url };
  });
}

async function databasesLike(tag: string): Promise<string[]> {
  return withAdmin(async (a) => (await a.query<{ datname: string }>('select datname from pg_database where datname like $1 order by 1', [`%${tag}%`])).rows.map((r) => r.datname));
}

describe('storage database names with URL-special characters', () => {
  const table = names();
  const ready: { ch: string; database: string; url: string }[] = [];

  for (const t of table) {
    it(`${JSON.stringify(t.ch)}: init-postgres creates exactly that database, dtx connects to it, a re-run changes nothing`, async () => {
      const pg = parsePgUrl(t.url);
      expect(pg.database).toBe(t.database);
      const first = await initPostgres({ pg, adminUrl: adminUrl() });
      expect(first.database).toMatchObject({ name: t.database, created: true });
      expect(first.verified).toBe(true);
      const tag = t.database.slice(-6);
      expect(await databasesLike(tag)).toEqual([t.database]);

      // dtx's storage connection: the table is there, a catalog write and read work.
      const c = await connect({ url: t.url, purpose: 'storage' });
      try {
        await checkKvsTable(c);
        expect((await c.query<{ db: string }>('select current_database() as db')).rows[0]?.db).toBe(t.database);
        await writeCatalog(c, (cur) => {
          const next = cur.value.clone();
          next.set('app', new EdnMap([[kw('db-id'), `app-00000000-0000-0000-0000-${tag.padStart(12, '0')}`]]));
          return { value: next };
        });
        expect((await readCatalog(c)).databases.map((d) => d.name)).toEqual(['app']);
      } finally {
        await c.end();
      }

      const again = await initPostgres({ pg, adminUrl: adminUrl() });
      expect(again).toMatchObject({ database: { created: false }, role: { created: false }, table: { created: false }, changed: false });
      expect(await databasesLike(tag)).toEqual([t.database]);
      ready.push(t);
    });
  }

  it.skipIf(!realPeerAvailable())("the real peer lists the catalog through dtx's URI for each name", async () => {
    expect(ready.length).toBe(table.length);
    const forms = ready.map(
      (t) =>
        `(println (dtx.peer/json (try {:ch ${cljString(t.ch)} :names (vec (datomic.api/get-database-names ${cljString(systemUri(parsePgUrl(t.url)))}))} ` +
        `(catch Throwable e {:ch ${cljString(t.ch)} :error (str (.getMessage e))}))))`,
    );
    const run = await runRealPeerEval(forms, { timeoutMs: 120_000 });
    const out = jsonLines(run.stdout) as { ch: string; names?: string[]; error?: string }[];
    expect(out.length, run.stderr.slice(-2000)).toBe(ready.length);
    for (const r of out) expect(r, r.ch).toEqual({ ch: r.ch, names: ['app'] });
  });
});
