/**
 * Storage written by REAL Datomic code (the peer jar from Maven Central), for every test that reads
 * what Datomic writes below the catalog: segments, the log, gc trees, fulltext chunks.
 *
 * test/peer/src/dtx/gen_storage.clj builds it without a transactor (see its header) in a scratch
 * database of the test PostgreSQL server. The result is cached OUTSIDE the repo, like the peer:
 *   ${DTX_PEER_CACHE:-~/.cache/dtx-peer}/storage/<key>/rows.jsonl.gz   every datomic_kvs row
 *   ${DTX_PEER_CACHE:-~/.cache/dtx-peer}/storage/<key>/manifest.json   what the generator knows
 * <key> hashes the peer classpath (its version) and the generator's sources, so a change to either
 * generates anew. Tests copy the rows into a fresh datomic_kvs with `loadRealStorage(url)`.
 *
 * The manifest holds, per database, its name and db-id, the keys Datomic's own backup copied
 * (`datomic.backup/backup`: the value rows reachable from its roots), and a summary of a full read
 * (datom counts per index, history, a fulltext hit count) made with Datomic's own loader.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { REPO_ROOT, realPeerAvailable, realPeerCacheDir, realPeerClasspath, datomicUri, dumpRows, runRealPeer, withStorage, type KvsRow, type PeerRun } from './real-peer.js';

export const GEN_SOURCES = [
  path.join(REPO_ROOT, 'test', 'peer', 'src', 'dtx', 'gen_storage.clj'),
  path.join(REPO_ROOT, 'test', 'peer', 'src', 'datomic', 'fsbackup.clj'),
  path.join(REPO_ROOT, 'test', 'peer', 'src', 'dtx', 'referee.clj'),
];
export const PEER_SRC_DIR = path.join(REPO_ROOT, 'test', 'peer', 'src');

export interface DbSummary {
  basisT: number;
  eavt: number;
  aevt: number;
  avet: number;
  vaet: number;
  history: number;
  fulltext: number;
}

export interface GeneratedDb {
  name: string;
  dbId: string;
  txes: number;
  indexJobs: number;
  /** value-row ids Datomic's backup copied for this database, sorted */
  backupKeys: string[];
  summary: DbSummary;
}

export type DbKey = 'alpha' | 'beta' | 'restored' | 'gone' | 'empty';

export interface RealStorageManifest {
  peerVersion: string;
  databases: Record<DbKey, GeneratedDb>;
  /** db-ids in :datomic/deleted */
  deleted: string[];
  /** garbage ids still pending in the generator's garbage agent at exit: lost, hence orphans */
  lostGarbage: { beta: string[] };
  src: { dbId: string; backupKeys: string[]; t: number };
  gc: { leafSize: number; dirSize: number };
  /** added by the harness */
  rows: number;
  generatedMs: number;
  /**
   * Wall-clock time (ms since the epoch) the generator finished: every row, squuid and gc :tstamp is
   * older. The cache outlives runs (days), so tests that date garbage count from this, not from now.
   */
  generatedAtMs: number;
}

/** Bumped when the harness writes the manifest differently (2: generatedAtMs), to generate anew. */
const MANIFEST_FORMAT = 2;

/** The cache folder for the current peer and generator. */
export function realStorageDir(): string {
  const h = createHash('sha256');
  h.update(`manifest ${MANIFEST_FORMAT}\n`);
  h.update(realPeerClasspath());
  for (const f of GEN_SOURCES) h.update(readFileSync(f));
  return path.join(realPeerCacheDir(), 'storage', h.digest('hex').slice(0, 16));
}

export function realStorageCached(dir = realStorageDir()): boolean {
  return existsSync(path.join(dir, 'manifest.json')) && existsSync(path.join(dir, 'rows.jsonl.gz'));
}

/** Runs a Clojure namespace's -main on the peer classpath plus test/peer/src (generous timeout: a generation takes minutes at most). */
export function runPeerMain(ns: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<PeerRun> {
  return runRealPeer(['-m', ns, ...args], { timeoutMs: opts.timeoutMs ?? 600_000, env: opts.env, classpathExtra: [PEER_SRC_DIR] });
}

/** A fresh database with datomic_kvs (as Datomic's bundled SQL makes it) on the admin's server. */
async function scratchStorage(adminUrl: string, prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await withStorage(adminUrl, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  await withStorage(url, (c) =>
    c.query('CREATE TABLE datomic_kvs (id text NOT NULL, rev integer, map text, val bytea, CONSTRAINT pk_id PRIMARY KEY (id))'),
  );
  return {
    url,
    drop: () => withStorage(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)).then(() => {}),
  };
}

/**
 * Generates the real storage into the cache unless it is there. Called by the test global setup
 * (once per run); safe when two runs race (each builds in a temp folder, the first rename wins).
 */
export async function ensureRealStorage(adminUrl: string, log: (s: string) => void = () => {}): Promise<string> {
  const dir = realStorageDir();
  if (realStorageCached(dir)) return dir;
  // One generator at a time (vitest runs the integration and e2e global setups concurrently).
  const lock = `${dir}.lock`;
  await mkdir(path.dirname(dir), { recursive: true });
  for (const deadline = Date.now() + 15 * 60_000; ; ) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (realStorageCached(dir)) return dir;
      const age = Date.now() - ((await stat(lock).catch(() => null))?.mtimeMs ?? Date.now());
      if (age > 15 * 60_000 || Date.now() > deadline) await rm(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (realStorageCached(dir)) return dir;
    return await generateRealStorage(dir, adminUrl, log);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function generateRealStorage(dir: string, adminUrl: string, log: (s: string) => void): Promise<string> {
  if (!realPeerAvailable()) throw new Error('the real Datomic peer is not fetched (bash test/peer/fetch-peer.sh)');
  const started = performance.now();
  log(`generating real Datomic storage with the peer jar into ${dir} ...`);
  const main = await scratchStorage(adminUrl, 'gen_main');
  const scratch = await scratchStorage(adminUrl, 'gen_src');
  const work = await mkdtemp(path.join(os.tmpdir(), 'dtx-gen-'));
  try {
    const cfg = `{:uri ${JSON.stringify(datomicUri(main.url, ''))} :scratch-uri ${JSON.stringify(datomicUri(scratch.url, ''))} :backup-dir ${JSON.stringify(path.join(work, 'backups'))} :scale 1}`;
    const run = await runPeerMain('dtx.gen-storage', [cfg]);
    const last = run.stdout.trim().split('\n').pop() ?? '';
    if (run.code !== 0 || !last.startsWith('{')) {
      throw new Error(`the storage generator failed (exit ${run.code}):\n${run.stderr.split('\n').filter((l) => !/DEBUG/.test(l)).slice(-40).join('\n')}`);
    }
    const manifest = JSON.parse(last) as RealStorageManifest;
    manifest.generatedAtMs = Date.now();
    const rows = await dumpRows(main.url);
    manifest.rows = rows.length;
    manifest.generatedMs = Math.round(performance.now() - started);
    const tmp = `${dir}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
    await mkdir(tmp, { recursive: true });
    await writeFile(path.join(tmp, 'rows.jsonl.gz'), gzipSync(rows.map((r) => JSON.stringify(r)).join('\n')));
    await writeFile(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1));
    try {
      await rename(tmp, dir);
    } catch {
      await rm(tmp, { recursive: true, force: true }); // another run got there first
    }
    log(`real Datomic storage: ${rows.length} rows in ${manifest.generatedMs} ms`);
    return dir;
  } finally {
    await rm(work, { recursive: true, force: true });
    await main.drop().catch(() => {});
    await scratch.drop().catch(() => {});
  }
}

let cachedRows: { dir: string; rows: KvsRow[] } | undefined;

export async function readManifest(dir = realStorageDir()): Promise<RealStorageManifest> {
  return JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as RealStorageManifest;
}

async function readRows(dir: string): Promise<KvsRow[]> {
  if (cachedRows?.dir === dir) return cachedRows.rows;
  const text = gunzipSync(await readFile(path.join(dir, 'rows.jsonl.gz'))).toString('utf8');
  const rows = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as KvsRow);
  cachedRows = { dir, rows };
  return rows;
}

/** Inserts rows (batched, by unnest) into the datomic_kvs of `url`. */
export async function insertRows(url: string, rows: KvsRow[]): Promise<void> {
  await withStorage(url, async (c) => {
    for (let i = 0; i < rows.length; i += 1000) {
      const b = rows.slice(i, i + 1000);
      await c.query(
        'insert into datomic_kvs (id, rev, map, val) select * from unnest($1::text[], $2::int[], $3::text[], $4::bytea[])',
        [b.map((r) => r.id), b.map((r) => r.rev), b.map((r) => r.map), b.map((r) => (r.val === null ? null : Buffer.from(r.val, 'base64')))],
      );
    }
  });
}

/** Copies the generated real storage into the (empty) datomic_kvs of `url`; returns the manifest. */
export async function loadRealStorage(url: string, dir = realStorageDir()): Promise<RealStorageManifest> {
  await insertRows(url, await readRows(dir));
  return readManifest(dir);
}

export interface RefereeOp {
  label: string;
  op: 'summary' | 'backup-keys' | 'gc-deleted-dbs' | 'gc-storage' | 'names';
  dbId?: string;
  name?: string;
  dir?: string;
  olderThanMs?: number;
}

export interface RefereeResult {
  ok: boolean;
  op: string;
  label: string;
  error?: string;
  summary?: DbSummary;
  keys?: string[];
  names?: string[];
  count?: number;
  output?: string;
}

/** Runs test/peer/src/dtx/referee.clj ops in ONE JVM against the storage of `url`. */
export async function runReferee(url: string, ops: RefereeOp[]): Promise<Map<string, RefereeResult>> {
  const edn = `[${ops
    .map(
      (o) =>
        `{:label ${JSON.stringify(o.label)} :op :${o.op}` +
        (o.dbId ? ` :db-id ${JSON.stringify(o.dbId)}` : '') +
        (o.name ? ` :name ${JSON.stringify(o.name)}` : '') +
        (o.dir ? ` :dir ${JSON.stringify(o.dir)}` : '') +
        (o.olderThanMs !== undefined ? ` :older-than-ms ${o.olderThanMs}` : '') +
        '}',
    )
    .join(' ')}]`;
  const run = await runPeerMain('dtx.referee', [datomicUri(url, ''), edn]);
  const out = new Map<string, RefereeResult>();
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line) as RefereeResult;
    out.set(r.label, r);
  }
  if (out.size !== ops.length) {
    throw new Error(`referee: expected ${ops.length} results, got ${out.size} (exit ${run.code}):\n${run.stderr.split('\n').filter((l) => !/DEBUG/.test(l)).slice(-30).join('\n')}`);
  }
  return out;
}
