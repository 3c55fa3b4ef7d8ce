/**
 * Installing a Datomic Pro distribution into dtx's per-user folder: <dtxHome>/datomic/<version>.
 *
 * All or nothing: the archive is downloaded to a temp file next to the target (same file system),
 * checked (SHA-256 when given; the layout from the listing; every entry's CRC-32 while it is
 * unpacked into a temp folder; the unpacked folder as `transactor start` will check it), and only
 * then renamed into place. An interrupted or failed run removes its temp files; a run that was
 * killed leaves them named after its host and pid, and the next install removes them.
 * Installing a version that is already there is a no-op (it only becomes the default).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { cancelledError, throwIfAborted } from '../abort.js';
import { download } from '../download.js';
import { datomicInstallRoot, readUserSettings, updateUserSettings, userSettingsFile } from '../dtx-home.js';
import { DtxError, ExitCode } from '../errors.js';
import { extractZip, openZip, checkEntries, type ZipArchive } from '../zip.js';
import { DEFAULT_DATOMIC_VERSION, downloadUrl, findDistribution, missingFromLayout, versionFromJarNames, type Distribution } from './distribution.js';
import { isAlive } from './process.js';

const TMP_PREFIX = '.dtx-tmp-';

export function validateVersion(version: string): string {
  const v = version.trim();
  if (!/^\d+(\.\d+){1,3}$/.test(v)) {
    throw new DtxError({
      code: 'USAGE',
      message: `not a Datomic Pro version: "${version}"`,
      hint: `Versions look like ${DEFAULT_DATOMIC_VERSION} (see https://docs.datomic.com/releases.html).`,
      exitCode: ExitCode.usage,
    });
  }
  return v;
}

/** Where a mirror of the official bucket keeps a version: the same <version>/datomic-pro-<version>.zip layout. */
export function mirrorUrl(mirror: string, version: string): string {
  return `${mirror.replace(/\/+$/, '')}/${version}/datomic-pro-${version}.zip`;
}

/** "datomic-pro-1.0.7469.zip" (a file name or URL path) -> "1.0.7469". */
export function versionFromArchiveName(name: string): string | null {
  const base = name.split(/[/\\?#]/).filter(Boolean).find((s) => /^datomic-pro-\d/.test(s)) ?? '';
  return /^datomic-pro-(\d+(?:\.\d+){1,3})(?:\.zip)?$/.exec(base)?.[1] ?? null;
}

export interface InstallOptions {
  dtxHome: string;
  /** Wanted version; default: from the --url/--from-file name or the archive, else DEFAULT_DATOMIC_VERSION. */
  version?: string | undefined;
  url?: string | undefined;
  fromFile?: string | undefined;
  /** A mirror of the official bucket: <mirror>/<version>/datomic-pro-<version>.zip (when no url/fromFile). */
  mirror?: string | undefined;
  /** Expected SHA-256 of the archive (hex). */
  sha256?: string | undefined;
  /** Replace an installed copy of the same version. */
  force?: boolean;
  /** Record it as the default Datomic home (default true). */
  makeDefault?: boolean;
  signal?: AbortSignal;
  onStage?: (stage: string) => void;
  onDownload?: (received: number, total: number | null) => void;
  onExtract?: (done: number, total: number) => void;
  fetch?: typeof fetch;
  stallTimeoutMs?: number;
}

export interface InstallResult {
  version: string;
  home: string;
  /** Nothing was downloaded or unpacked: that version was already installed. */
  alreadyInstalled: boolean;
  /** --force replaced an installed copy. */
  replaced: boolean;
  source: { kind: 'download'; url: string } | { kind: 'file'; file: string } | { kind: 'installed' };
  sha256: string | null;
  bytes: number | null;
  files: number;
  isDefault: boolean;
  /** The default before this run, when it changed. */
  previousDefault: string | null;
  settingsFile: string;
  timings: { downloadMs: number; verifyMs: number; extractMs: number; totalMs: number };
}

function tmpName(kind: string): string {
  const host = os.hostname().replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32) || 'host';
  return `${TMP_PREFIX}${host}-${process.pid}-${randomBytes(4).toString('hex')}${kind}`;
}

/** Removes temp files of earlier runs on this host whose process is gone, and any older than a day. */
export async function cleanStaleTemps(root: string): Promise<string[]> {
  const removed: string[] = [];
  const host = os.hostname().replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32) || 'host';
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!name.startsWith(TMP_PREFIX)) continue;
    const m = /^\.dtx-tmp-(.+)-(\d+)-[0-9a-f]{8}/.exec(name);
    const full = path.join(root, name);
    const age = Date.now() - ((await stat(full).catch(() => null))?.mtimeMs ?? Date.now());
    const dead = m !== null && m[1] === host && !isAlive(Number(m[2]));
    if (dead || age > 24 * 3600_000) {
      await rm(full, { recursive: true, force: true });
      removed.push(full);
    }
  }
  return removed;
}

/** rename, retried briefly where Windows holds fresh files (antivirus, indexer): EPERM/EACCES/EBUSY. */
async function renameRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (process.platform !== 'win32' || attempt >= 20 || !['EPERM', 'EACCES', 'EBUSY'].includes(code ?? '')) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function sha256OfFile(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash, { signal });
  return hash.digest('hex');
}

/** The single top-level folder every entry is under (datomic-pro-<version>/), or '' when none. */
function topFolder(archive: ZipArchive): string {
  let top: string | null = null;
  for (const e of archive.entries) {
    const first = e.name.split('/')[0] ?? '';
    const isFolder = e.name.includes('/') && first !== '';
    if (!isFolder) return '';
    if (top === null) top = first;
    else if (top !== first) return '';
  }
  return top ?? '';
}

async function isValidInstall(home: string): Promise<Distribution | null> {
  try {
    return await findDistribution({ datomicHome: home });
  } catch {
    return null;
  }
}

export async function installDatomic(opts: InstallOptions): Promise<InstallResult> {
  const t0 = Date.now();
  const stage = opts.onStage ?? (() => {});
  if (opts.url && opts.fromFile) {
    throw new DtxError({ code: 'USAGE', message: '--url and --from-file exclude each other', hint: 'Give one source: a URL to download, or a zip on this machine.', exitCode: ExitCode.usage });
  }
  const wantSha = opts.sha256?.trim().toLowerCase();
  if (wantSha !== undefined && !/^[0-9a-f]{64}$/.test(wantSha)) {
    throw new DtxError({ code: 'USAGE', message: `--sha256 must be 64 hex digits, got "${opts.sha256}"`, hint: 'e.g. the output of `sha256sum datomic-pro-1.0.7469.zip`.', exitCode: ExitCode.usage });
  }
  const fromFile = opts.fromFile ? path.resolve(opts.fromFile) : undefined;
  const wanted = opts.version ? validateVersion(opts.version) : DEFAULT_DATOMIC_VERSION;
  const url = fromFile ? undefined : (opts.url ?? (opts.mirror ? mirrorUrl(opts.mirror, wanted) : downloadUrl(wanted)));
  let version: string | null = opts.version
    ? validateVersion(opts.version)
    : versionFromArchiveName(fromFile ?? opts.url ?? '') ?? (fromFile || opts.url ? null : DEFAULT_DATOMIC_VERSION);
  if (fromFile) {
    const st = await stat(fromFile).catch(() => null);
    if (!st?.isFile()) {
      throw new DtxError({
        code: 'DATOMIC_ARCHIVE_NOT_FOUND',
        message: st ? `not a file: ${fromFile}` : `no such file: ${fromFile}`,
        hint: 'Give the path of a downloaded datomic-pro-<version>.zip.',
        exitCode: ExitCode.usage,
      });
    }
  }

  const root = datomicInstallRoot(opts.dtxHome);
  const settingsFile = userSettingsFile(opts.dtxHome);
  await mkdir(root, { recursive: true }).catch((e: unknown) => {
    throw fsError(e, root);
  });
  await cleanStaleTemps(root);
  const timings = { downloadMs: 0, verifyMs: 0, extractMs: 0, totalMs: 0 };

  const finish = async (v: string, home: string, extra: Omit<InstallResult, 'version' | 'home' | 'isDefault' | 'previousDefault' | 'settingsFile' | 'timings'>): Promise<InstallResult> => {
    const before = readUserSettings(settingsFile).datomicHome ?? null;
    let isDefault = before !== null && path.resolve(before) === path.resolve(home);
    let previousDefault: string | null = null;
    if (!isDefault && opts.makeDefault !== false) {
      throwIfAborted(opts.signal);
      await updateUserSettings(settingsFile, { datomicHome: home });
      isDefault = true;
      previousDefault = before;
    }
    timings.totalMs = Date.now() - t0;
    return { version: v, home, isDefault, previousDefault, settingsFile, timings, ...extra };
  };

  const existing = async (v: string): Promise<'valid' | 'broken' | 'absent'> => {
    const dir = path.join(root, v);
    if (!(await stat(dir).catch(() => null))) return 'absent';
    return (await isValidInstall(dir)) ? 'valid' : 'broken';
  };
  const brokenError = (v: string) =>
    new DtxError({
      code: 'DATOMIC_INSTALL_BROKEN',
      message: `${path.join(root, v)} exists but is not a complete Datomic Pro distribution`,
      hint: `Replace it with \`dtx datomic install ${v} --force\`.`,
      exitCode: ExitCode.failed,
    });

  if (version && !opts.force) {
    const state = await existing(version);
    if (state === 'valid') {
      return finish(version, path.join(root, version), { alreadyInstalled: true, replaced: false, source: { kind: 'installed' }, sha256: null, bytes: null, files: 0 });
    }
    if (state === 'broken') throw brokenError(version);
  }

  const temps: string[] = [];
  try {
    // 1. The archive: downloaded next to the target, or the given file.
    let archiveFile: string;
    let sha256: string;
    let bytes: number;
    if (fromFile) {
      archiveFile = fromFile;
      stage(`checking ${fromFile}`);
      const tv = Date.now();
      sha256 = await sha256OfFile(fromFile, opts.signal).catch((e: unknown) => {
        throw opts.signal?.aborted ? cancelledError(opts.signal) : e;
      });
      timings.verifyMs += Date.now() - tv;
      bytes = (await stat(fromFile)).size;
    } else {
      archiveFile = path.join(root, tmpName('.zip'));
      temps.push(archiveFile);
      stage(`downloading ${url}`);
      const td = Date.now();
      const r = await download({
        url: url as string,
        dest: archiveFile,
        signal: opts.signal,
        onProgress: opts.onDownload,
        stallTimeoutMs: opts.stallTimeoutMs,
        offlineHint: 'download the zip elsewhere and use `dtx datomic install --from-file FILE`',
        fetch: opts.fetch,
      });
      timings.downloadMs = Date.now() - td;
      sha256 = r.sha256;
      bytes = r.bytes;
    }
    if (wantSha && sha256 !== wantSha) {
      throw new DtxError({
        code: 'DATOMIC_SHA256_MISMATCH',
        message: `the archive's SHA-256 is ${sha256}, not the expected ${wantSha}`,
        hint: 'Nothing was installed. The file is corrupt or not the one you meant: download it again, or check the --sha256 value.',
        exitCode: ExitCode.failed,
      });
    }
    // 2. The listing: a zip, safe names, the layout of a distribution, its version.
    stage('checking the archive');
    const tv = Date.now();
    const archive = await openZip(archiveFile);
    checkEntries(archive);
    const top = topFolder(archive);
    const rel = archive.entries.map((e) => (top ? e.name.slice(top.length + 1) : e.name)).filter(Boolean);
    const missing = missingFromLayout(rel);
    if (missing.length) {
      throw new DtxError({
        code: 'DATOMIC_ARCHIVE_LAYOUT',
        message: `the archive is not a Datomic Pro distribution: it has no ${missing.join(', ')}${top ? ` under ${top}/` : ''}`,
        hint: 'Nothing was installed. Use a datomic-pro-<version>.zip as published (https://docs.datomic.com/releases.html).',
        exitCode: ExitCode.failed,
        details: { missing },
      });
    }
    const archiveVersion = versionFromJarNames(rel.filter((n) => !n.includes('/')));
    if (version && archiveVersion && archiveVersion !== version) {
      throw new DtxError({
        code: 'DATOMIC_VERSION_MISMATCH',
        message: `the archive holds Datomic Pro ${archiveVersion}, not ${version}`,
        hint: `Install it as ${archiveVersion} (\`dtx datomic install ${archiveVersion} ...\`), or use the archive of ${version}.`,
        exitCode: ExitCode.failed,
      });
    }
    version ??= archiveVersion;
    if (!version) {
      throw new DtxError({
        code: 'DATOMIC_VERSION_UNKNOWN',
        message: 'cannot tell which Datomic Pro version the archive holds (no versioned jar names)',
        hint: 'Name it: `dtx datomic install VERSION --from-file FILE`.',
        exitCode: ExitCode.usage,
      });
    }
    timings.verifyMs += Date.now() - tv;
    const target = path.join(root, version);
    if (!opts.force) {
      const state = await existing(version);
      if (state === 'valid') {
        return await finish(version, target, { alreadyInstalled: true, replaced: false, source: { kind: 'installed' }, sha256, bytes, files: 0 });
      }
      if (state === 'broken') throw brokenError(version);
    }
    // 3. Unpack into a temp folder, every entry checked against its CRC-32 and size.
    stage(`unpacking ${archive.entries.length} entries`);
    const te = Date.now();
    const tmpDir = path.join(root, tmpName(''));
    temps.push(tmpDir);
    const extracted = await extractZip(archive, tmpDir, { signal: opts.signal, onProgress: opts.onExtract });
    timings.extractMs = Date.now() - te;
    const content = top ? path.join(tmpDir, top) : tmpDir;
    // An archive made on Windows carries no unix modes: the scripts must still run.
    if (process.platform !== 'win32') await makeScriptsExecutable(path.join(content, 'bin'));
    await findDistribution({ datomicHome: content }).catch((e: unknown) => {
      throw new DtxError({
        code: 'DATOMIC_ARCHIVE_LAYOUT',
        message: `the unpacked archive is not a usable Datomic Pro distribution: ${(e as Error).message}`,
        hint: 'Nothing was installed. Use a datomic-pro-<version>.zip as published.',
        exitCode: ExitCode.failed,
      });
    });
    // 4. Into place, atomically.
    throwIfAborted(opts.signal);
    stage(`installing into ${target}`);
    let replaced = false;
    if (opts.force && (await stat(target).catch(() => null))) {
      const old = path.join(root, tmpName('-old'));
      temps.push(old);
      await renameRetry(target, old);
      replaced = true;
    }
    try {
      await renameRetry(content, target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      // Another install of the same version won the race: that one is as good as ours.
      if (['EEXIST', 'ENOTEMPTY', 'EPERM'].includes(code) && (await isValidInstall(target))) {
        return await finish(version, target, { alreadyInstalled: true, replaced: false, source: { kind: 'installed' }, sha256, bytes, files: 0 });
      }
      throw e;
    }
    const source: InstallResult['source'] = fromFile ? { kind: 'file', file: fromFile } : { kind: 'download', url: url as string };
    return await finish(version, target, { alreadyInstalled: false, replaced, source, sha256, bytes, files: extracted.files });
  } catch (e) {
    if (opts.signal?.aborted) throw cancelledError(opts.signal);
    throw fsError(e, root);
  } finally {
    for (const t of temps) await rm(t, { recursive: true, force: true }).catch(() => {});
  }
}

/** File system failures under the dtx home, as errors that say what to do (others pass through). */
function fsError(e: unknown, root: string): unknown {
  if (e instanceof DtxError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code ?? '';
  const where = (e as NodeJS.ErrnoException | null)?.path ?? root;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new DtxError({
      code: 'DATOMIC_INSTALL_NO_SPACE',
      message: `no space left to install Datomic Pro under ${root} (${code})`,
      hint: 'Nothing was installed. Free some space, or point DTX_HOME at a folder on another disk.',
      exitCode: ExitCode.failed,
      cause: e,
    });
  }
  if (['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST'].includes(code)) {
    return new DtxError({
      code: 'DATOMIC_INSTALL_NOT_WRITABLE',
      message: `cannot write ${where} (${code}): the Datomic Pro installs live under ${root}`,
      hint: 'Nothing was installed. Make that folder writable for you, or set DTX_HOME to a folder you own.',
      exitCode: ExitCode.failed,
      cause: e,
    });
  }
  return e;
}

/** chmod 755 the extension-less scripts in bin/ that have no exec bit (archives made on Windows). */
async function makeScriptsExecutable(bin: string): Promise<void> {
  for (const name of await readdir(bin).catch(() => [] as string[])) {
    if (name.includes('.')) continue;
    const f = path.join(bin, name);
    const st = await stat(f).catch(() => null);
    if (st?.isFile() && (st.mode & 0o111) === 0) await chmod(f, 0o755);
  }
}

export interface InstalledDistribution {
  version: string;
  home: string;
  valid: boolean;
  /** Why it is not usable (missing parts), when not valid. */
  problem: string | null;
  isDefault: boolean;
}

export interface InstalledList {
  root: string;
  settingsFile: string;
  /** The recorded default Datomic home (may lie outside root, or be gone). */
  defaultHome: string | null;
  installed: InstalledDistribution[];
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return a.localeCompare(b);
}

/** What <dtxHome>/datomic holds (newest first) and which one is the default. */
export async function listInstalled(dtxHome: string): Promise<InstalledList> {
  const root = datomicInstallRoot(dtxHome);
  const settingsFile = userSettingsFile(dtxHome);
  const def = readUserSettings(settingsFile).datomicHome;
  const defaultHome = def ? path.resolve(path.dirname(settingsFile), def) : null;
  const names = (await readdir(root, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory() && !d.name.startsWith('.'));
  const installed: InstalledDistribution[] = [];
  for (const d of names.map((n) => n.name).sort(compareVersions).reverse()) {
    const home = path.join(root, d);
    let problem: string | null = null;
    try {
      await findDistribution({ datomicHome: home });
    } catch (e) {
      problem = (e as Error).message;
    }
    installed.push({ version: d, home, valid: problem === null, problem, isDefault: defaultHome !== null && path.resolve(defaultHome) === home });
  }
  return { root, settingsFile, defaultHome, installed };
}
