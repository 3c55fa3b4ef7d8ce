/**
 * dtx's per-user folder: `~/.dtx` (`%LOCALAPPDATA%\dtx` on Windows), or DTX_HOME. It holds the
 * Datomic distributions `dtx datomic install` unpacked (datomic/<version>) and the per-user
 * settings file (config.json: the default Datomic home). Pure: the caller passes env and homedir.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DtxError, ExitCode } from './errors.js';

export interface DtxHomeInput {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  homedir: string;
  cwd: string;
}

export function resolveDtxHome(input: DtxHomeInput): string {
  const p = input.platform === 'win32' ? path.win32 : path.posix;
  const explicit = input.env.DTX_HOME?.trim();
  if (explicit) return p.resolve(input.cwd, explicit);
  if (input.platform === 'win32') {
    const local = input.env.LOCALAPPDATA?.trim() || p.join(input.homedir, 'AppData', 'Local');
    return p.join(local, 'dtx');
  }
  return p.join(input.homedir, '.dtx');
}

/** Where installed distributions live: <dtxHome>/datomic/<version>. */
export function datomicInstallRoot(dtxHome: string): string {
  return path.join(dtxHome, 'datomic');
}

export function userSettingsFile(dtxHome: string): string {
  return path.join(dtxHome, 'config.json');
}

/** What the per-user settings file holds (written by dtx; unknown keys are kept and ignored). */
export interface UserSettings {
  /** The default Datomic home, set by `dtx datomic install`. */
  datomicHome?: string;
  [key: string]: unknown;
}

/** Reads the settings file; {} when it does not exist. Malformed: CONFIG_INVALID (exit 2). */
export function readUserSettings(file: string): UserSettings {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw badSettings(file, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badSettings(file, 'not a JSON object');
  const out: UserSettings = Object.create(null) as UserSettings;
  for (const [k, v] of Object.entries(parsed)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    out[k] = v;
  }
  if (out.datomicHome !== undefined && (typeof out.datomicHome !== 'string' || out.datomicHome === '')) {
    throw badSettings(file, `datomicHome must be a non-empty string, got ${JSON.stringify(out.datomicHome)}`);
  }
  return out;
}

function badSettings(file: string, what: string): DtxError {
  return new DtxError({
    code: 'CONFIG_INVALID',
    message: `${file} (dtx's per-user settings) is ${what}`,
    hint: 'dtx writes this file in `dtx datomic install`: delete it and run that again, or fix the JSON.',
    exitCode: ExitCode.usage,
  });
}

/** Merges `patch` into the settings file, atomically (temp file + rename). */
export async function updateUserSettings(file: string, patch: UserSettings): Promise<UserSettings> {
  const next = { ...readUserSettings(file), ...patch };
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o644 });
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
  return next;
}
