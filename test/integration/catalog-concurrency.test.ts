/**
 * dtx's catalog writes racing the (fake) transactor's: both insert a new tail row and CAS the
 * pod-catalog rev, retrying on conflict, so no entry is ever lost.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freshStorage } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';
import { readCatalog, deleteDatabaseOffline } from '../../src/core/storage/catalog.js';
import { runPeer } from '../../src/core/datomic/peer.js';
import { findDistribution } from '../../src/core/datomic/distribution.js';
import { datomicUri } from '../../src/core/datomic/uri.js';
import { parsePgUrl } from '../../src/core/postgres/url.js';

const HOME = fileURLToPath(new URL('../fixtures/fake-datomic/', import.meta.url));
const procs: ChildProcess[] = [];
afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
});

describe('concurrent catalog writers', () => {
  it('dtx offline deletes racing the transactor creating databases lose nothing', async () => {
    const st = await freshStorage('race');
    const t = parsePgUrl(st.url);
    const dir = mkdtempSync(path.join(tmpdir(), 'dtx-race-'));
    chmodSync(dir, 0o755);
    const props = path.join(dir, 'tx.properties');
    writeFileSync(
      props,
      `protocol=sql\nhost=127.0.0.1\nport=${await freePort()}\nsql-url=jdbc:postgresql://127.0.0.1:${t.port}/${t.database}\nsql-user=${t.user}\nsql-password=${t.password}\nsql-driver-class=org.postgresql.Driver\nmemory-index-threshold=32m\nmemory-index-max=256m\nobject-cache-max=128m\nheartbeat-interval-msec=1000\nlog-dir=${dir}/log\n`,
    );
    const child = spawn(path.join(HOME, 'bin', 'transactor'), [props], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(child);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(out)), 15_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('System started')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const dist = await findDistribution({ datomicHome: HOME });
    const create = (n: string) => runPeer({ dist, op: 'create', uri: datomicUri(n, t), env: process.env });
    const victims = ['d1', 'd2', 'd3', 'd4'];
    for (const n of victims) await create(n);
    const seeded = await readCatalog(await connected(st.url));

    const newNames = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    const clients = await Promise.all(victims.map(() => connected(st.url)));
    await Promise.all([
      (async () => {
        for (const n of newNames) await create(n);
      })(),
      ...victims.map((n, i) => deleteDatabaseOffline(clients[i]!, n)),
    ]);
    const c = await connected(st.url);
    const cat = await readCatalog(c);
    expect(cat.databases.map((d) => d.name)).toEqual(newNames);
    expect([...cat.deleted].sort()).toEqual(seeded.databases.map((d) => d.dbId).sort());
    expect(cat.rev).toBe((seeded.rev ?? 0) + newNames.length + victims.length);
    await Promise.all([...clients, c].map((x) => x.end()));
  }, 60_000);
});

const opened: pg.Client[] = [];
async function connected(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  opened.push(c);
  return c;
}
afterAll(async () => {
  await Promise.all(opened.map((c) => c.end().catch(() => {})));
});
