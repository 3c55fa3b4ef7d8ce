/**
 * The real Datomic peer library (com.datomic:peer from Maven Central) as a referee in tests.
 *
 * `bash test/peer/fetch-peer.sh` fetches it into ${DTX_PEER_CACHE:-~/.cache/dtx-peer} and writes
 * classpath.txt there. Tests that need it use `it.skipIf(!realPeerAvailable())`.
 *
 * Every JVM run costs ~4 s (loading datomic.api dominates), so batch work into one run:
 * `runRealPeerEval` loads src/peer/dtx_peer.clj in load-only mode (env DTX_PEER_LOAD_ONLY=1: the
 * file is compiled against the real datomic.api but runs no op) and then evaluates your forms,
 * which may call `dtx.peer/result`, `dtx.peer/json`, `datomic.api` directly, etc.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PEER_SCRIPT = path.join(REPO_ROOT, 'src', 'peer', 'dtx_peer.clj');

/** JVM flags: C1 only roughly halves Clojure start-up (≈3.8 s instead of ≈6 s per run). */
const JAVA_OPTS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xss4m'];

export function realPeerCacheDir(): string {
  return process.env.DTX_PEER_CACHE || path.join(os.homedir(), '.cache', 'dtx-peer');
}

function classpathFile(): string {
  return path.join(realPeerCacheDir(), 'classpath.txt');
}

/** True when fetch-peer.sh has written the classpath file and its first jar exists. */
export function realPeerAvailable(): boolean {
  const f = classpathFile();
  if (!existsSync(f)) return false;
  const first = readFileSync(f, 'utf8').trim().split(path.delimiter)[0];
  return Boolean(first && existsSync(first));
}

/** Why tests are skipped, for it.skipIf messages. */
export const REAL_PEER_SKIP_REASON = `real Datomic peer not fetched (run: bash test/peer/fetch-peer.sh; looked for ${classpathFile()})`;

export function realPeerClasspath(): string {
  return readFileSync(classpathFile(), 'utf8').trim();
}

export interface PeerRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The last non-empty stdout line parsed as JSON, or undefined. */
  json: unknown;
  ms: number;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Folders or jars after the peer's classpath (e.g. test/peer/src for its namespaces). */
  classpathExtra?: string[];
}

/** Runs `java <opts> -cp <peer classpath>[:<classpathExtra>] clojure.main <args...>`. */
export function runRealPeer(args: string[], opts: RunOptions = {}): Promise<PeerRun> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const started = performance.now();
  const cp = [realPeerClasspath(), ...(opts.classpathExtra ?? [])].join(path.delimiter);
  return new Promise((resolve, reject) => {
    const child = spawn('java', [...JAVA_OPTS, '-cp', cp, 'clojure.main', ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, json: lastJsonLine(stdout), ms: Math.round(performance.now() - started), timedOut });
    });
  });
}

export function lastJsonLine(stdout: string): unknown {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines[lines.length - 1];
  if (!last) return undefined;
  try {
    return JSON.parse(last);
  } catch {
    return undefined;
  }
}

/** Every non-empty stdout line that parses as JSON. */
export function jsonLines(stdout: string): unknown[] {
  const out: unknown[] = [];
  for (const l of stdout.split('\n')) {
    const t = l.trim();
    if (!t.startsWith('{') && !t.startsWith('[')) continue;
    try {
      out.push(JSON.parse(t));
    } catch {
      /* not JSON */
    }
  }
  return out;
}

/** Runs the dtx peer script exactly as dtx does (`bin/run <abs>/dtx_peer.clj <op> <uri> [arg]`). */
export function runPeerScript(op: string, uri: string, arg?: string, opts: RunOptions = {}): Promise<PeerRun> {
  return runRealPeer([PEER_SCRIPT, op, uri, ...(arg === undefined ? [] : [arg])], opts);
}

/** Clojure string literal. */
export function cljString(s: string): string {
  return JSON.stringify(s); // JSON string escapes are valid Clojure string escapes for our inputs
}

/**
 * Loads dtx_peer.clj in load-only mode (compiling it against the real datomic.api), then evaluates
 * `forms` (Clojure source, each its own -e) in one JVM.
 */
export function runRealPeerEval(forms: string[], opts: RunOptions = {}): Promise<PeerRun> {
  const args = ['-e', `(load-file ${cljString(PEER_SCRIPT)})`];
  for (const f of forms) args.push('-e', f);
  args.push('-e', '(shutdown-agents)', '-e', '(System/exit 0)');
  return runRealPeer(args, { ...opts, env: { ...opts.env, DTX_PEER_LOAD_ONLY: '1' } });
}

/** `postgresql://u:p@h:port/db` → `jdbc:postgresql://h:port/db?user=u&password=p`. */
export function jdbcUrlFromPg(sqlUri: string): string {
  const u = new URL(sqlUri);
  const params = new URLSearchParams();
  if (u.username) params.set('user', decodeURIComponent(u.username));
  if (u.password) params.set('password', decodeURIComponent(u.password));
  const db = u.pathname.replace(/^\//, '') || 'postgres';
  return `jdbc:postgresql://${u.hostname}:${u.port || '5432'}/${db}${params.size ? `?${params.toString()}` : ''}`;
}

/** `datomic:sql://<name>?jdbc:postgresql://...` for a PostgreSQL URL; name `*` for listing. */
export function datomicUri(sqlUri: string, name = '*'): string {
  return `datomic:sql://${name}?${jdbcUrlFromPg(sqlUri)}`;
}

export class RealPeerError extends Error {
  constructor(
    message: string,
    readonly run: PeerRun,
  ) {
    super(message);
  }
}

/** d/get-database-names through dtx_peer.clj's `list` op (one JVM run). Names come back sorted. */
export async function realPeerDatabaseNames(sqlUri: string, opts: RunOptions = {}): Promise<string[]> {
  const run = await runPeerScript('list', datomicUri(sqlUri), undefined, opts);
  const j = run.json as { ok?: boolean; names?: string[]; error?: { code: string; message: string } } | undefined;
  if (run.code !== 0 || !j?.ok || !Array.isArray(j.names)) {
    throw new RealPeerError(`real peer list failed (exit ${run.code}): ${j?.error ? `${j.error.code} ${j.error.message}` : run.stderr.slice(-2000)}`, run);
  }
  return j.names;
}

export interface PeerResult {
  ok: boolean;
  op: string;
  names?: string[];
  created?: boolean;
  deleted?: boolean;
  renamed?: boolean;
  error?: { code: string; message: string; category?: string; endpoint?: { host: string; port: number } };
  /** Wall time of this op inside the JVM (added by runPeerOpsBatch). */
  ms?: number;
  label?: string;
}

/**
 * Runs several dtx_peer.clj ops in ONE JVM (load-only mode + dtx.peer/result), in order.
 * Each result is exactly what the script would print for that op, plus `label` and `ms`.
 */
export async function runPeerOpsBatch(
  ops: { label: string; op: string; uri: string; arg?: string }[],
  opts: RunOptions = {},
): Promise<{ run: PeerRun; results: Map<string, PeerResult> }> {
  const forms = ops.map(
    (o) =>
      `(let [t0 (System/nanoTime) [_ m] (dtx.peer/result ${cljString(o.op)} ${cljString(o.uri)} ${o.arg === undefined ? 'nil' : cljString(o.arg)})] ` +
      `(println (dtx.peer/json (assoc m :label ${cljString(o.label)} :ms (quot (- (System/nanoTime) t0) 1000000)))))`,
  );
  const run = await runRealPeerEval(forms, opts);
  const results = new Map<string, PeerResult>();
  for (const j of jsonLines(run.stdout) as PeerResult[]) if (j.label) results.set(j.label, j);
  if (results.size !== ops.length) {
    throw new RealPeerError(`real peer batch: expected ${ops.length} results, got ${results.size} (exit ${run.code}): ${run.stderr.slice(-3000)}`, run);
  }
  return { run, results };
}

// ------------------------------------------------------------------ hand-written storage rows

export interface TailChunk {
  id: string;
  /** The tail row's own map column (e.g. `{}` or `{:prev "<uuid>"}`). */
  map: string;
  text: string;
}

/**
 * Writes a catalog BY HAND as docs/datomic-storage.md §6 says: tail value rows (rev NULL, map `{}` or
 * `{:prev "<uuid>"}`, val = UTF-8 text), oldest chunk first, then the `pod-catalog` ref row
 * (rev, map `{:tail "<newest uuid>"}`, val NULL). `chunks` are the byte pieces, oldest first.
 * `podCatalog: false` leaves the pod row out.
 */
export async function writeHandCatalog(
  sqlUri: string,
  chunks: string[],
  opts: { podCatalog?: boolean; rev?: number } = {},
): Promise<{ tail: string | null; rows: TailChunk[] }> {
  const rows: TailChunk[] = [];
  let prev: string | null = null;
  for (const text of chunks) {
    const id = randomUUID();
    rows.push({ id, map: prev ? `{:prev "${prev}"}` : '{}', text });
    prev = id;
  }
  await withStorage(sqlUri, async (c) => {
    for (const r of rows) {
      await c.query('insert into datomic_kvs (id, map, val) values ($1, $2, $3)', [r.id, r.map, Buffer.from(r.text, 'utf8')]);
    }
    if (opts.podCatalog !== false) {
      await c.query('insert into datomic_kvs (id, rev, map) values ($1, $2, $3)', [
        'pod-catalog',
        opts.rev ?? 0,
        prev ? `{:tail "${prev}"}` : '{}',
      ]);
    }
  });
  return { tail: prev, rows };
}

export async function withStorage<T>(sqlUri: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: sqlUri });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A datomic_kvs row as it is stored: `val` in base64 (Datomic's values are bytes, mostly gzip). */
export interface KvsRow {
  id: string;
  rev: number | null;
  map: string | null;
  val: string | null;
}

/** A storage to read rows from: its URL (a connection of its own), or a client (what that session sees, its open transaction included). */
export type RowSource = string | pg.Client;

function onSource<T>(from: RowSource, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  return typeof from === 'string' ? withStorage(from, fn) : fn(from);
}

/** Every row of datomic_kvs, ordered by id, byte for byte (for before/after comparisons). */
export async function dumpRows(from: RowSource): Promise<KvsRow[]> {
  return onSource(from, async (c) => {
    const r = await c.query<{ id: string; rev: number | null; map: string | null; val: Buffer | null }>(
      'select id, rev, map, val from datomic_kvs order by id',
    );
    return r.rows.map((x) => ({ id: x.id, rev: x.rev, map: x.map, val: x.val ? x.val.toString('base64') : null }));
  });
}

/** The ids of every row of datomic_kvs. */
export async function rowIds(from: RowSource): Promise<Set<string>> {
  return onSource(from, async (c) => new Set((await c.query<{ id: string }>('select id from datomic_kvs')).rows.map((r) => r.id)));
}
