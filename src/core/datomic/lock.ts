/**
 * A start lock: an O_EXCL-created file holding the owner's pid. A lock whose holder is dead (or
 * unreadable and older than a few seconds) is stale and taken over.
 */
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DtxError, ExitCode } from '../errors.js';
import { isAlive } from './process.js';

export interface Lock {
  file: string;
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  /** The pid recorded as the holder (default: this process). */
  pid?: number;
  /** What is being locked, for the error message. */
  what?: string;
  /** A lock file without a readable pid older than this is stale (default 10 s). */
  emptyStaleMs?: number;
}

async function holder(file: string): Promise<number | null> {
  try {
    const m = /^\s*(\d+)/.exec(await readFile(file, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Acquires the lock or throws DtxError LOCKED (exit 1) naming the holder's pid.
 * Stale locks (holder dead) are removed and retried.
 */
export async function acquireLock(file: string, opts: AcquireLockOptions = {}): Promise<Lock> {
  const pid = opts.pid ?? process.pid;
  await mkdir(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fh = await open(file, 'wx', 0o644);
      try {
        await fh.writeFile(`${pid}\n`);
      } finally {
        await fh.close();
      }
      let released = false;
      return {
        file,
        release: async () => {
          if (released) return;
          released = true;
          // Only remove it if it is still ours.
          if ((await holder(file)) === pid) await rm(file, { force: true }).catch(() => {});
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const h = await holder(file);
    if (h !== null && (h === pid || isAlive(h))) {
      throw new DtxError({
        code: 'LOCKED',
        message: `${opts.what ?? 'another dtx'} is already in progress in this state dir (pid ${h}, lock ${file})`,
        hint: 'Wait for it to finish. If no dtx is running, delete the lock file.',
        exitCode: ExitCode.failed,
        details: { holderPid: h, lockFile: file },
      });
    }
    if (h === null) {
      // Being written right now, or garbage: stale only once it is old.
      const st = await stat(file).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs < (opts.emptyStaleMs ?? 10_000)) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
    }
    // Dead holder: take over.
    await rm(file, { force: true }).catch(() => {});
  }
  throw new DtxError({
    code: 'LOCKED',
    message: `could not acquire the lock ${file}`,
    hint: 'Another dtx may be starting a transactor; retry, or delete the lock file if none is.',
    exitCode: ExitCode.failed,
  });
}
