/**
 * Finding and checking a Datomic Pro distribution (an unpacked datomic-pro-<ver>.zip).
 * Layout (docs/datomic-storage.md §1): bin/transactor (+ bin\transactor.cmd), bin/run, bin/datomic, lib/,
 * datomic-transactor-pro-<ver>.jar, peer-<ver>.jar.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DtxError, ExitCode } from '../errors.js';
import { DEFAULT_DATOMIC_VERSION } from './versions.js';

export { DEFAULT_DATOMIC_VERSION };

export type Platform = NodeJS.Platform;

export function downloadUrl(version = DEFAULT_DATOMIC_VERSION): string {
  return `https://datomic-pro-downloads.s3.amazonaws.com/${version}/datomic-pro-${version}.zip`;
}

export interface Distribution {
  /** Absolute install root. */
  home: string;
  /** e.g. "1.0.7469"; null when no versioned jar names were found (INFERRED harmless). */
  version: string | null;
  scripts: { transactor: string; run: string; datomic: string };
  platform: Platform;
}

export interface FindDistributionOptions {
  /** From --datomic-home / DATOMIC_HOME / config (resolved by the caller). */
  datomicHome: string | undefined | null;
  platform?: Platform;
}

const pathFor = (platform: Platform): path.PlatformPath => (platform === 'win32' ? path.win32 : path.posix);

/** The script paths for an install root on a platform (pure). */
export function distributionScripts(home: string, platform: Platform, p: path.PlatformPath = pathFor(platform)): Distribution['scripts'] {
  const ext = platform === 'win32' ? '.cmd' : '';
  return {
    transactor: p.join(home, 'bin', `transactor${ext}`),
    run: p.join(home, 'bin', `run${ext}`),
    datomic: p.join(home, 'bin', `datomic${ext}`),
  };
}

/** Version from jar names in the install root (datomic-transactor-pro-<ver>.jar, peer-<ver>.jar). */
export function versionFromJarNames(names: string[]): string | null {
  for (const re of [/^datomic-transactor-pro-(\d[\w.-]*)\.jar$/, /^peer-(\d[\w.-]*)\.jar$/, /^datomic-pro-(\d[\w.-]*)\.jar$/]) {
    for (const n of names) {
      const m = re.exec(n);
      if (m?.[1]) return m[1];
    }
  }
  return null;
}

/** How to get a distribution: `dtx datomic install` (what it fetches), or point at an unpacked one. */
export const INSTALL_DISTRIBUTION_HINT = `Install one with \`dtx datomic install\` (downloads Datomic Pro ${DEFAULT_DATOMIC_VERSION}, free, Apache-2.0), or pass --datomic-home DIR / set DATOMIC_HOME to an unpacked one.`;

function notSet(): DtxError {
  return new DtxError({
    code: 'DATOMIC_HOME_NOT_SET',
    message: 'no Datomic Pro distribution given',
    hint: INSTALL_DISTRIBUTION_HINT,
    exitCode: ExitCode.usage,
  });
}

/** What every distribution holds, relative to its root (docs/datomic-storage.md §1); lib/ is a folder. */
export const REQUIRED_LAYOUT = ['bin/transactor', 'bin/transactor.cmd', 'bin/run', 'lib/', 'datomic-transactor-pro-<version>.jar'] as const;

/**
 * Which parts of REQUIRED_LAYOUT are missing from a list of paths relative to the root (`/`
 * separators; folders may end with `/` or be implied by the files in them). For archives, before
 * anything is unpacked.
 */
export function missingFromLayout(paths: Iterable<string>): string[] {
  const files = new Set<string>();
  const dirs = new Set<string>();
  let transactorJar = false;
  for (const raw of paths) {
    const p = raw.replace(/\\/g, '/').replace(/^\.\//, '');
    const parts = p.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) dirs.add(`${parts.slice(0, i).join('/')}/`);
    if (p.endsWith('/')) dirs.add(p);
    else files.add(p);
    if (parts.length === 1 && /^datomic-transactor-pro-\d[\w.-]*\.jar$/.test(parts[0] ?? '')) transactorJar = true;
  }
  return REQUIRED_LAYOUT.filter((want) => (want.endsWith('/') ? !dirs.has(want) : want.includes('<version>') ? !transactorJar : !files.has(want)));
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}
async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isFile() ?? false;
}

/**
 * Finds and checks a distribution. Errors (all exit 2):
 * DATOMIC_HOME_NOT_SET, DATOMIC_HOME_NOT_FOUND, DATOMIC_HOME_NOT_DIR,
 * DATOMIC_HOME_IS_BIN (pointing at bin/ or lib/: hint names the parent),
 * DATOMIC_HOME_INVALID (says what is missing).
 * Uses the host's file system; `platform` only decides which scripts are expected.
 */
export async function findDistribution(opts: FindDistributionOptions): Promise<Distribution> {
  const platform = opts.platform ?? process.platform;
  const raw = opts.datomicHome?.trim();
  if (!raw) throw notSet();
  const home = path.resolve(raw);
  const st = await stat(home).catch(() => undefined);
  if (!st) {
    throw new DtxError({
      code: 'DATOMIC_HOME_NOT_FOUND',
      message: `Datomic home does not exist: ${home}`,
      hint: `Check the path given by --datomic-home / DATOMIC_HOME, or install Datomic Pro with \`dtx datomic install\` (it downloads ${DEFAULT_DATOMIC_VERSION}, free, Apache-2.0).`,
      exitCode: ExitCode.usage,
    });
  }
  if (!st.isDirectory()) {
    throw new DtxError({
      code: 'DATOMIC_HOME_NOT_DIR',
      message: `Datomic home is not a directory: ${home}`,
      hint: 'Point --datomic-home / DATOMIC_HOME at the unpacked datomic-pro-<version> folder, not the zip or a file in it.',
      exitCode: ExitCode.usage,
    });
  }
  // The host's path module: these are real files on this machine; `platform` picks the script names.
  const scripts = distributionScripts(home, platform, path);
  const base = path.basename(home).toLowerCase();
  const parent = path.dirname(home);
  if ((base === 'bin' || base === 'lib' || base === 'config') && (await isDir(path.join(parent, 'lib'))) && (await isDir(path.join(parent, 'bin')))) {
    throw new DtxError({
      code: 'DATOMIC_HOME_IS_BIN',
      message: `Datomic home points at its ${base}/ folder: ${home}`,
      hint: `Use the install root instead: --datomic-home "${parent}"`,
      exitCode: ExitCode.usage,
    });
  }
  const missing: string[] = [];
  const transactorName = platform === 'win32' ? 'bin\\transactor.cmd' : 'bin/transactor';
  if (!(await isDir(path.join(home, 'bin')))) missing.push('bin/');
  else if (!(await isFile(scripts.transactor))) missing.push(transactorName);
  if (!(await isDir(path.join(home, 'lib')))) missing.push('lib/');
  let names: string[] = [];
  try {
    names = await readdir(home);
  } catch {
    /* unreadable: reported through missing entries below */
  }
  if (missing.length) {
    // A folder that holds exactly one datomic-pro-* folder (the zip was unpacked into it): hint it.
    const nested = names.filter((n) => /^datomic-pro-\d/.test(n));
    const nestedHint = nested.length === 1 ? ` It contains ${nested[0]}/: use --datomic-home "${path.join(home, nested[0] as string)}".` : '';
    throw new DtxError({
      code: 'DATOMIC_HOME_INVALID',
      message: `not a Datomic Pro installation: ${home} (missing ${missing.join(', ')})`,
      hint: `Point --datomic-home / DATOMIC_HOME at the unpacked datomic-pro-<version> folder (it holds bin/ and lib/).${nestedHint} Or install one with \`dtx datomic install\`.`,
      exitCode: ExitCode.usage,
      details: { missing },
    });
  }
  return { home, version: versionFromJarNames(names), scripts, platform };
}
