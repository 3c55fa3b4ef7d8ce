/** What db backup, db restore and db backups share: the folder, its URI, running bin/datomic with progress. */
import { stat } from 'node:fs/promises';
import type { Ctx } from '../../cli/context.js';
import { throwIfAborted } from '../../core/abort.js';
import { backupFailure, backupUri, noBackup, parseCopyProgress, resolveBackupDir, runBackupScript, succeeded, type BackupOp, type CopyProgress } from '../../core/datomic/backup.js';
import type { Distribution } from '../../core/datomic/distribution.js';
import type { JavaInfo } from '../../core/datomic/java.js';
import { DtxError, ExitCode } from '../../core/errors.js';
import type { RunScriptResult } from '../../core/datomic/script.js';
import type { Progress } from '../../render/progress.js';

export interface BackupDir {
  /** absolute */
  dir: string;
  uri: string;
}

export function backupDirOf(ctx: Ctx, raw: string): BackupDir {
  const platform = ctx.io.platform;
  const dir = resolveBackupDir(raw, ctx.io.cwd, platform);
  return { dir, uri: backupUri(dir, platform) };
}

/** The folder must exist and be a folder (restore, backups). */
export async function requireBackupDir(d: BackupDir): Promise<void> {
  const st = await stat(d.dir).catch(() => null);
  if (!st) throw noBackup(d.dir);
  if (!st.isDirectory()) {
    throw new DtxError({ code: 'BACKUP_DIR_NOT_DIR', message: `${d.dir} is not a folder`, hint: 'A Datomic backup is a folder (the one given to `dtx db backup NAME DIR`).', exitCode: ExitCode.usage });
  }
}

/** Datomic's advice: give backup and restore as much heap as the transactor (docs: Backup and Restore). */
export function backupJvmArgs(ctx: Ctx): string[] {
  const xmx = ctx.config().xmx.trim();
  return xmx ? [xmx.startsWith('-Xmx') ? xmx : `-Xmx${xmx}`] : [];
}

/**
 * Runs one bin/datomic backup command, showing its "Copied N segments, skipped M segments." lines
 * as progress, and turns a failure into the error that says what to do.
 */
export async function runWithProgress(
  ctx: Ctx,
  opts: { dist: Distribution; java: JavaInfo; op: BackupOp; args: string[]; jvm?: boolean; progress: Progress; label: string; dir: string; name?: string; t?: number },
): Promise<{ result: RunScriptResult; copy: CopyProgress | null }> {
  const { io } = ctx;
  let copy: CopyProgress | null = null;
  throwIfAborted(ctx.signal);
  const result = await runBackupScript({
    dist: opts.dist,
    args: [opts.op, ...opts.args],
    jvmArgs: opts.jvm ? backupJvmArgs(ctx) : [],
    env: io.env,
    javaBinDir: opts.java.binDir,
    signal: ctx.signal,
    onLine: (line) => {
      const p = parseCopyProgress(line);
      if (p) {
        copy = p;
        opts.progress.update(`${opts.label}: copied ${p.copied} segments, skipped ${p.skipped}`);
      }
      if (io.verbose && line.trim() && !/\bDEBUG\b|^SLF4J:/.test(line)) io.err(`${line}\n`);
    },
  });
  throwIfAborted(ctx.signal);
  if (result.code !== 0 || (opts.op !== 'list-backups' && !succeeded(result.stdout))) {
    throw backupFailure({ op: opts.op, dir: opts.dir, name: opts.name, t: opts.t }, result);
  }
  return { result, copy };
}
