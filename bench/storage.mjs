#!/usr/bin/env node
// Storage walks, purge and sweep at size, on storage written by REAL Datomic code (opt-in, outside
// CI: `npm run bench:storage`; needs Java and the peer fetched by test/peer/fetch-peer.sh).
//
// The database: test/peer/src/dtx/gen_storage.clj in bench mode writes "big" (BENCH_ENTITIES items
// of ~5 datoms, 10 per transaction, an index job every 2000 transactions, fulltext on a fifth of
// them) and "small" with the peer jar's own code, no transactor. Its log is cut into ~2 KB leaves
// (Datomic's create-leaves with a smaller target than the transactor's 54 KB) so that "big" has
// tens of thousands of segment rows within minutes. The rows are cached outside the repo
// (~/.cache/dtx-peer/bench-storage/<key>/) and loaded into an embedded PostgreSQL on a free port.
//
// What it prints (targets from the issues):
//   footprint of "big" (db inspect): time (≤ 10 s), bytes fetched / bytes of the database (≤ 5%),
//     peak RSS (< 250 MB), rows walked per second
//   db list without --size at 1,000 / 100,000 / 1,000,000 rows: median time (flat)
//   storage report: peak RSS on the table, and on the table padded to 10× its rows (flat)
//   purge of "big" (db delete --purge): time, rows/s (≥ 20,000), peak RSS
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { bin, median, root, startBenchPostgres, tempDir } from './lib/common.mjs';

const rssPreload = path.join(root, 'bench', 'lib', 'rss.cjs');
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 200_000);
const LEAF_BYTES = Number(process.env.BENCH_LEAF_BYTES ?? 2000);
const cacheRoot = process.env.DTX_PEER_CACHE || path.join(homedir(), '.cache', 'dtx-peer');
const cpFile = path.join(cacheRoot, 'classpath.txt');
if (!existsSync(cpFile)) {
  console.error(`bench/storage.mjs needs the real Datomic peer: bash test/peer/fetch-peer.sh (looked for ${cpFile})`);
  process.exit(2);
}
const { default: pg } = await import('pg');

const fmt = (n) => n.toLocaleString('en-US');
const mb = (b) => `${(b / 1048576).toFixed(1)} MiB`;

async function withClient(url, fn) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Runs the built CLI with the RSS preload; returns ms, exit code, stdout, peak RSS (KB). */
function dtxRun(args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--require', rssPreload, bin, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const rss = Number(/DTX_BENCH_MAXRSS_KB=(\d+)/.exec(err)?.[1] ?? 0);
      resolve({ code, ms, out, err, rssKb: rss });
    });
  });
}

async function ok(args) {
  const r = await dtxRun(args);
  if (r.code !== 0) throw new Error(`dtx ${args.join(' ').replace(/:\/\/([^:@/]+):[^@]*@/g, '://$1:***@')} exited ${r.code}:\n${r.err.slice(-2000)}`);
  return r;
}

// ---------------------------------------------------------------- the database, generated once
const genSource = path.join(root, 'test', 'peer', 'src', 'dtx', 'gen_storage.clj');
const key = createHash('sha256')
  .update(readFileSync(cpFile))
  .update(readFileSync(genSource))
  .update(`${ENTITIES}/${LEAF_BYTES}`)
  .digest('hex')
  .slice(0, 16);
const cacheDir = path.join(cacheRoot, 'bench-storage', key);

const state = tempDir('dtx-bench-storage-');
console.log('starting an embedded PostgreSQL ...');
const server = await startBenchPostgres(state);
const admin = new URL(server.adminUrl);
await withClient(admin.toString(), async (c) => {
  await c.query('ALTER SYSTEM SET fsync = off');
  await c.query('ALTER SYSTEM SET synchronous_commit = off');
  await c.query('SELECT pg_reload_conf()');
});

async function freshStorage(name) {
  await withClient(admin.toString(), (c) => c.query(`CREATE DATABASE ${name}`));
  const u = new URL(admin.toString());
  u.pathname = `/${name}`;
  await withClient(u.toString(), (c) => c.query('CREATE TABLE datomic_kvs (id text NOT NULL, rev integer, map text, val bytea, CONSTRAINT pk_id PRIMARY KEY (id))'));
  return u.toString();
}

async function insertRows(url, rows) {
  await withClient(url, async (c) => {
    for (let i = 0; i < rows.length; i += 2000) {
      const b = rows.slice(i, i + 2000);
      await c.query('insert into datomic_kvs (id, rev, map, val) select * from unnest($1::text[], $2::int[], $3::text[], $4::bytea[])', [
        b.map((r) => r.id), b.map((r) => r.rev), b.map((r) => r.map), b.map((r) => (r.val === null ? null : Buffer.from(r.val, 'base64'))),
      ]);
    }
  });
}

let manifest;
let rows;
try {
  if (!existsSync(path.join(cacheDir, 'manifest.json'))) {
    const url = await freshStorage('gen');
    const u = new URL(url);
    const jdbc = `jdbc:postgresql://${u.hostname}:${u.port}${u.pathname}?user=${decodeURIComponent(u.username)}&password=${decodeURIComponent(u.password)}`;
    console.log(`generating "big" with the real peer (${fmt(ENTITIES)} entities, ${LEAF_BYTES}-byte log leaves); minutes, once ...`);
    const t0 = Date.now();
    const r = spawnSync('java', ['-XX:TieredStopAtLevel=1', '-cp', `${readFileSync(cpFile, 'utf8').trim()}:${path.join(root, 'test', 'peer', 'src')}`, 'clojure.main', '-m', 'dtx.gen-storage',
      `{:uri ${JSON.stringify(`datomic:sql://?${jdbc}`)} :bench {:entities ${ENTITIES} :leaf-bytes ${LEAF_BYTES}}}`], { maxBuffer: 1 << 28, encoding: 'utf8' });
    const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !last.startsWith('{')) throw new Error(`generator failed (${r.status}):\n${(r.stderr ?? '').split('\n').filter((l) => !/DEBUG/.test(l)).slice(-30).join('\n')}`);
    manifest = JSON.parse(last);
    manifest.generatedMs = Date.now() - t0;
    rows = await withClient(url, async (c) => (await c.query('select id, rev, map, val from datomic_kvs order by id')).rows.map((x) => ({ id: x.id, rev: x.rev, map: x.map, val: x.val ? x.val.toString('base64') : null })));
    mkdirSync(`${cacheDir}.tmp`, { recursive: true });
    writeFileSync(path.join(`${cacheDir}.tmp`, 'rows.jsonl.gz'), gzipSync(rows.map((x) => JSON.stringify(x)).join('\n')));
    writeFileSync(path.join(`${cacheDir}.tmp`, 'manifest.json'), JSON.stringify(manifest));
    renameSync(`${cacheDir}.tmp`, cacheDir);
    console.log(`generated ${fmt(rows.length)} rows in ${(manifest.generatedMs / 1000).toFixed(0)} s (cached in ${cacheDir})`);
  } else {
    manifest = JSON.parse(readFileSync(path.join(cacheDir, 'manifest.json'), 'utf8'));
    rows = gunzipSync(readFileSync(path.join(cacheDir, 'rows.jsonl.gz'))).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }

  const url = await freshStorage('bench');
  await insertRows(url, rows);
  const a = ['--pg-url', url, '--state-dir', state];
  const results = {};

  // ------------------------------------------------------------ footprint of big
  const fp = await ok(['--json', 'db', 'inspect', 'big', ...a]);
  const fj = JSON.parse(fp.out);
  results.footprint = {
    rows: fj.storage.rows, bytes: fj.storage.bytes, ms: Math.round(fp.ms), walkMs: fj.walk.ms, bytesFetched: fj.walk.bytesFetched,
    fetchedRatio: fj.walk.bytesFetched / fj.storage.bytes, nodesRead: fj.walk.nodes, leavesNotFetched: fj.walk.leaves,
    rowsPerSecond: Math.round(fj.storage.rows / (fj.walk.ms / 1000)), peakRssMb: Math.round(fp.rssKb / 1024),
  };
  const segments = fj.storage.byKind.index.rows + fj.storage.byKind.log.rows + fj.storage.byKind.fulltext.rows;
  results.footprint.segments = segments;

  // ------------------------------------------------------------ storage report: flat RSS at 10x
  const rep1 = await ok(['--json', 'storage', 'report', ...a]);
  const r1 = JSON.parse(rep1.out);
  const pad = r1.rows * 9;
  await withClient(url, (c) => c.query(`insert into datomic_kvs (id, map, val) select gen_random_uuid()::text, '{:dtx-bench-pad true}', decode(repeat('ab', 100), 'hex') from generate_series(1, $1)`, [pad]));
  const rep2 = await ok(['--json', 'storage', 'report', ...a]);
  const r2 = JSON.parse(rep2.out);
  results.report = {
    rows: r1.rows, ms: Math.round(rep1.ms), peakRssMb: Math.round(rep1.rssKb / 1024),
    paddedRows: r2.rows, paddedMs: Math.round(rep2.ms), paddedPeakRssMb: Math.round(rep2.rssKb / 1024),
    rssRatio: rep2.rssKb / rep1.rssKb,
  };
  await withClient(url, (c) => c.query(`delete from datomic_kvs where map = '{:dtx-bench-pad true}'`));

  // ------------------------------------------------------------ purge of big
  const pu = await ok(['--json', 'db', 'delete', 'big', '--purge', '--yes', ...a]);
  const pj = JSON.parse(pu.out).purge;
  results.purge = { rows: pj.rows, bytes: pj.bytes, ms: pj.ms, totalMs: Math.round(pu.ms), rowsPerSecond: Math.round(pj.rows / (pj.ms / 1000)), peakRssMb: Math.round(pu.rssKb / 1024) };

  // ------------------------------------------------------------ db list: flat from 1k to 1M rows
  // the catalog (pod-catalog, its tail rows) and the named roots: what db list reads; then padding
  const listUrl = await freshStorage('list');
  await insertRows(listUrl, rows.filter((r) => r.id.startsWith('pod-') || r.id.startsWith('ref-') || (r.val !== null && Buffer.from(r.val, 'base64')[0] === 0x7b)));
  const la = ['--pg-url', listUrl, '--state-dir', state];
  results.list = [];
  for (const target of [1_000, 100_000, 1_000_000]) {
    const have = await withClient(listUrl, async (c) => Number((await c.query('select count(*) from datomic_kvs')).rows[0].count));
    if (target > have) await withClient(listUrl, (c) => c.query(`insert into datomic_kvs (id, map, val) select gen_random_uuid()::text, '{:dtx-bench-pad true}', decode(repeat('ab', 100), 'hex') from generate_series(1, $1)`, [target - have]));
    // steady state: no autovacuum of the fresh padding running under the measured runs
    await withClient(listUrl, (c) => c.query('vacuum analyze datomic_kvs'));
    const times = [];
    for (let i = 0; i < 13; i++) times.push((await ok(['db', 'list', ...la])).ms);
    results.list.push({ rows: target, medianMs: Math.round(median(times)) });
  }

  // ------------------------------------------------------------ print
  const f = results.footprint;
  console.log(`\nfootprint of "big" (db inspect): ${fmt(f.rows)} rows (${fmt(f.segments)} index/log/fulltext segments), ${mb(f.bytes)}`);
  console.log(`  time ${fmt(f.ms)} ms (walk ${fmt(f.walkMs)} ms, target ≤ 10,000), ${fmt(f.rowsPerSecond)} rows/s walked`);
  console.log(`  fetched ${mb(f.bytesFetched)} of ${mb(f.bytes)} = ${(f.fetchedRatio * 100).toFixed(2)}% (target ≤ 5%); ${fmt(f.nodesRead)} nodes read, ${fmt(f.leavesNotFetched)} leaves not fetched`);
  console.log(`  peak RSS ${f.peakRssMb} MB (target < 250)`);
  const r = results.report;
  console.log(`storage report: ${fmt(r.rows)} rows ${fmt(r.ms)} ms, peak RSS ${r.peakRssMb} MB; padded to ${fmt(r.paddedRows)} rows: ${fmt(r.paddedMs)} ms, peak RSS ${r.paddedPeakRssMb} MB (ratio ${r.rssRatio.toFixed(2)}, flat = ~1)`);
  const p = results.purge;
  console.log(`purge of "big" (db delete --purge): ${fmt(p.rows)} rows (${mb(p.bytes)}) in ${fmt(p.ms)} ms = ${fmt(p.rowsPerSecond)} rows/s (target ≥ 20,000), whole command ${fmt(p.totalMs)} ms, peak RSS ${p.peakRssMb} MB`);
  console.log(`db list (no --size), median of 13: ${results.list.map((x) => `${fmt(x.rows)} rows ${x.medianMs} ms`).join(', ')} (ratio 1M/1k ${(results.list[2].medianMs / results.list[0].medianMs).toFixed(2)})`);
  console.log(`\nJSON ${JSON.stringify({ entities: ENTITIES, leafBytes: LEAF_BYTES, ...results })}`);
} finally {
  await server.stop().catch(() => {});
  rmSync(state, { recursive: true, force: true });
}
