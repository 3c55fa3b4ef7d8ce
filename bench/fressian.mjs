#!/usr/bin/env node
// Fressian decode throughput (src/core/fressian) on vals written by the real Datomic peer jar:
// index dir nodes (1000 segment ids each, plus their key datoms) and index leaves (2000 datoms
// each), made by test/peer/fressian_gen.clj (`corpus` mode) with Datomic's own `datomic.index/fress`.
// Needs `npm run build` and the fetched peer (bash test/peer/fetch-peer.sh). The corpus is cached
// in the OS temp dir, keyed by the generator's content. Env: BENCH_DIRS (default 40),
// BENCH_LEAVES (default 40), BENCH_SECONDS (per measurement, default 2).
// Prints MB/s (of gunzipped Fressian, and of stored gzip bytes), vals/s and decoded values/s.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const f = await import(path.join(root, 'dist', 'core', 'fressian', 'index.js'));

const DIRS = Number(process.env.BENCH_DIRS ?? 40);
const LEAVES = Number(process.env.BENCH_LEAVES ?? 40);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

function corpus() {
  const gen = path.join(root, 'test', 'peer', 'fressian_gen.clj');
  const key = createHash('sha256').update(readFileSync(gen)).update(`${DIRS}/${LEAVES}`).digest('hex').slice(0, 16);
  const file = path.join(tmpdir(), `dtx-bench-fressian-${key}.txt`);
  if (!existsSync(file)) {
    const cpFile = path.join(process.env.DTX_PEER_CACHE || path.join(homedir(), '.cache', 'dtx-peer'), 'classpath.txt');
    if (!existsSync(cpFile)) {
      console.error(`the real peer is not fetched (${cpFile}); run: bash test/peer/fetch-peer.sh`);
      process.exit(1);
    }
    const cp = readFileSync(cpFile, 'utf8').trim();
    console.log(`generating the corpus with the real peer (${DIRS} dir nodes, ${LEAVES} leaves)...`);
    const r = spawnSync('java', ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xss4m', '-cp', cp, 'clojure.main', gen, 'corpus', '7', String(DIRS), String(LEAVES)], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    if (r.status !== 0) {
      console.error(r.stderr.slice(-3000));
      process.exit(1);
    }
    writeFileSync(file, r.stdout);
  }
  const vals = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => Buffer.from(l, 'base64'));
  return { dirs: vals.slice(0, DIRS), leaves: vals.slice(DIRS) };
}

/** Number of values in v (every node of the tree), to report values/s. */
function countValues(v) {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return 1;
  if (Array.isArray(v)) return 1 + v.reduce((n, x) => n + countValues(x), 0);
  if (v instanceof Map) {
    let n = 1;
    for (const [k, x] of v) n += countValues(k) + countValues(x);
    return n;
  }
  if (v instanceof Set) return 1 + [...v].reduce((n, x) => n + countValues(x), 0);
  if (v instanceof f.Struct) return 1 + v.fields.reduce((n, x) => n + countValues(x), 0);
  if (v instanceof f.ObjectArray || v instanceof f.LongArray || v instanceof f.BooleanArray) return 1 + v.values.reduce((n, x) => n + countValues(x), 0);
  if (v instanceof f.IntArray || v instanceof f.DoubleArray || v instanceof f.FloatArray) return 1 + v.values.length;
  return 1;
}

/** Runs fn over all bufs repeatedly for ~SECONDS; returns passes per second. */
function measure(bufs, fn) {
  for (const b of bufs) fn(b); // warm-up
  let passes = 0;
  const t0 = performance.now();
  let ms = 0;
  do {
    for (const b of bufs) fn(b);
    passes++;
    ms = performance.now() - t0;
  } while (ms < SECONDS * 1000);
  return passes / (ms / 1000);
}

const fmt = (n, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d });
const { dirs, leaves } = corpus();
console.log(`node ${process.version}; ${SECONDS}s per measurement`);
for (const [label, vals] of [['index dir nodes (1000 segids)', dirs], ['index leaves (2000 datoms)', leaves]]) {
  const raw = vals.map((v) => gunzipSync(v));
  const rawBytes = raw.reduce((n, b) => n + b.length, 0);
  const gzBytes = vals.reduce((n, b) => n + b.length, 0);
  const values = raw.reduce((n, b) => n + countValues(f.readObject(b)), 0);
  const read = measure(raw, (b) => f.readObject(b));
  const strict = measure(raw, (b) => f.readObject(b, { knownTags: f.DATOMIC_STRUCT_TAGS }));
  const decode = measure(vals, (b) => f.decodeVal(b));
  const gunzip = measure(vals, (b) => gunzipSync(b));
  console.log(`\n${label}: ${vals.length} vals, ${fmt(gzBytes / vals.length / 1024)} KiB gzip / ${fmt(rawBytes / vals.length / 1024)} KiB Fressian each, ${fmt(values / vals.length, 0)} values each`);
  console.log(`  readObject (Fressian only): ${fmt((read * rawBytes) / 1e6)} MB/s, ${fmt(read * vals.length, 0)} vals/s, ${fmt((read * values) / 1e6, 2)} M values/s`);
  console.log(`  readObject strict tags:     ${fmt((strict * rawBytes) / 1e6)} MB/s (${fmt(strict / read, 2)}x of plain)`);
  console.log(`  decodeVal (gunzip + read):  ${fmt((decode * gzBytes) / 1e6)} MB/s of stored bytes, ${fmt(decode * vals.length, 0)} vals/s`);
  console.log(`  gunzip alone:               ${fmt(gunzip * vals.length, 0)} vals/s (reading is ${fmt(gunzip / decode - 1, 2)}x the gunzip time)`);
}
