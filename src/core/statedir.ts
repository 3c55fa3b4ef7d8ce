/**
 * Diagnoses file system errors met in the state dir (it is a file, lies inside a file, holds a file
 * where dtx keeps a folder, or may not be written) as usage errors that name the state dir and say
 * what is wrong, instead of a raw ENOTDIR/EACCES reported as a bug in dtx.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { DtxError, ExitCode } from './errors.js';

const FS_CODES = new Set(['ENOTDIR', 'EEXIST', 'EACCES', 'EPERM', 'EROFS', 'ENOENT', 'EISDIR']);

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function kindOf(p: string): 'dir' | 'other' | 'missing' {
  try {
    return statSync(p).isDirectory() ? 'dir' : 'other';
  } catch {
    return 'missing';
  }
}

function writable(p: string): boolean {
  try {
    accessSync(p, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A DtxError (exit 2) when `err` is a file system error about `stateDir` or a path inside it (or
 * an ancestor dtx had to create), else null.
 */
export function stateDirError(err: unknown, stateDir: string): DtxError | null {
  const e = err as NodeJS.ErrnoException | null;
  if (!e || typeof e !== 'object' || typeof e.code !== 'string' || !FS_CODES.has(e.code) || typeof e.path !== 'string') return null;
  const dir = path.resolve(stateDir);
  const failed = path.resolve(e.path);
  if (!inside(failed, dir) && !inside(dir, failed)) return null;
  const hint = `Choose another with --state-dir DIR (or DTX_STATE_DIR), or fix ${dir}.`;
  const make = (what: string, fix?: string) =>
    new DtxError({ code: 'STATE_DIR_UNUSABLE', message: `the state dir ${dir} ${what}`, hint: fix ? `${fix}, or choose another with --state-dir DIR (or DTX_STATE_DIR).` : hint, exitCode: ExitCode.usage, cause: err });

  // Walk from the root down to the failing path: the first component that exists but is not a
  // folder is what is wrong.
  const target = inside(failed, dir) ? failed : dir;
  const parts: string[] = [];
  for (let p = target; ; p = path.dirname(p)) {
    parts.unshift(p);
    if (path.dirname(p) === p) break;
  }
  let lastDir = parts[0] ?? dir;
  for (const p of parts) {
    const k = kindOf(p);
    if (k === 'missing') break;
    if (k === 'other') {
      if (p === dir) return make('is a file, not a folder', `Remove or rename the file ${dir}`);
      if (inside(p, dir)) return make(`holds ${path.relative(dir, p)} (${p}), which is a file, not a folder`, `Remove or rename ${p}`);
      return make(`is not a folder: ${p} is a file`, `Remove or rename the file ${p}`);
    }
    lastDir = p;
  }
  if (e.code === 'EROFS') return make('is on a read-only file system');
  if (e.code === 'EACCES' || e.code === 'EPERM' || !writable(lastDir)) {
    const where = lastDir === dir || inside(lastDir, dir) ? lastDir : `${lastDir} (where dtx has to create it)`;
    return make(`cannot be written: permission denied in ${where}`, `Make ${lastDir} writable for this user`);
  }
  return null;
}
