/**
 * The real Datomic peer (com.datomic/peer from Maven Central) as referee:
 *  - databases created by the fake transactor (through the fake peer) are listed by the real
 *    peer's d/get-database-names exactly as dtx's catalog reader lists them (proves the fake's rows);
 *  - after dtx's offline catalog rewrite (delete without a transactor), the real peer sees exactly
 *    the expected names (proves dtx's catalog writes).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freshStorage } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';
import { realPeerAvailable, realPeerDatabaseNames, REAL_PEER_SKIP_REASON } from '../helpers/real-peer.js';
import { installFakeDatomic } from '../fixtures/fake-datomic/install.mjs';
import { readCatalog, deleteDatabaseOffline, writeCatalog } from '../../src/core/storage/catalog.js';
import { EdnMap, EdnSet, kw } from '../../src/core/edn/index.js';
import { randomUUID } from 'node:crypto';
import { runPeer } from '../../src/core/datomic/peer.js';
import { findDistribution } from '../../src/core/datomic/distribution.js';
import { datomicUri } from '../../src/core/datomic/uri.js';
import { parsePgUrl } from '../../src/core/postgres/url.js';

if (!realPeerAvailable() && process.env.CI === 'true') throw new Error(`the real Datomic peer is required in CI: ${REAL_PEER_SKIP_REASON}`);

const procs: ChildProcess[] = [];
afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
});

async function startFake(home: string, url: string): Promise<void> {
  const t = parsePgUrl(url);
  const dir = mkdtempSync(path.join(tmpdir(), 'dtx-fid-'));
  chmodSync(dir, 0o755);
  const props = path.join(dir, 'tx.properties');
  const port = await freePort();
  writeFileSync(
    props,
    [
      'protocol=sql',
      'host=127.0.0.1',
      `port=${port}`,
      `sql-url=jdbc:postgresql://127.0.0.1:${t.port}/${t.database}`,
      `sql-user=${t.user}`,
      `sql-password=${t.password}`,
      'sql-driver-class=org.postgresql.Driver',
      'memory-index-threshold=32m',
      'memory-index-max=256m',
      'object-cache-max=128m',
      'heartbeat-interval-msec=1000',
      `log-dir=${dir}/log`,
      `data-dir=${dir}/data`,
    ].join('\n'),
  );
  const child = spawn(path.join(home, 'bin', 'transactor'), [props], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(child);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`fake transactor did not start: ${out}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('System started')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

describe.skipIf(!realPeerAvailable())('the real Datomic peer reads what the fake and dtx write', () => {
  it('names needing EDN escapes (backslash, tab, newline, quotes-free unicode) print the way Clojure reads them', async () => {
    const st = await freshStorage('esc');
    const names = ['back\\slash', 'tab\tname', 'new\nline', 'ünï 🎉', "it's", 'semi;colon, comma', '#hash {brace}'];
    const c = new pg.Client({ connectionString: st.url });
    await c.connect();
    try {
      await writeCatalog(c, (cur) => {
        const value = cur.value.clone();
        names.forEach((n, i) => value.set(n, new EdnMap([[kw('db-id'), `db${i}-${randomUUID()}`]])));
        if (!value.has(kw('datomic/deleted'))) value.set(kw('datomic/deleted'), new EdnSet());
        return { value };
      });
      const expected = [...names].sort();
      expect((await readCatalog(c)).databases.map((d) => d.name)).toEqual(expected);
      expect(await realPeerDatabaseNames(st.url)).toEqual(expected);
    } finally {
      await c.end();
    }
  }, 60_000);


  it('names created by the fake transactor, then after dtx\'s offline delete', async () => {
    const st = await freshStorage('fid');
    const home = await installFakeDatomic(path.join(mkdtempSync(path.join(tmpdir(), 'dtx-fid-home-')), 'datomic pro'));
    await startFake(home, st.url);
    const dist = await findDistribution({ datomicHome: home });
    const pgT = parsePgUrl(st.url);
    // prefixes of each other, hex-like, unicode
    const names = ['a', 'ab', 'a-b', 'abc', '0f', 'ünïcode db'];
    for (const n of names) {
      const r = await runPeer({ dist, op: 'create', uri: datomicUri(n, pgT), env: process.env });
      expect(r.created).toBe(true);
    }
    const c = new pg.Client({ connectionString: st.url });
    await c.connect();
    try {
      const dtxView = (await readCatalog(c)).databases.map((d) => d.name);
      expect(dtxView).toEqual([...names].sort());
      expect(await realPeerDatabaseNames(st.url)).toEqual([...names].sort());

      // Stop the transactor (kill), then delete offline: the real peer must agree.
      for (const p of procs.splice(0)) p.kill('SIGKILL');
      await deleteDatabaseOffline(c, 'ab');
      await deleteDatabaseOffline(c, 'ünïcode db');
      const expected = ['0f', 'a', 'a-b', 'abc'];
      expect((await readCatalog(c)).databases.map((d) => d.name)).toEqual(expected);
      expect(await realPeerDatabaseNames(st.url)).toEqual(expected);
      expect((await readCatalog(c)).deleted).toHaveLength(2);
    } finally {
      await c.end();
    }
  }, 120_000);
});
