/**
 * Datomic's backup and restore through the distribution's `bin/datomic` (`bin\datomic.cmd`):
 *   bin/datomic [-Xmx..] backup-db <db-uri> <backup-uri>
 *   bin/datomic [-Xmx..] restore-db <backup-uri> <db-uri> [t]
 *   bin/datomic list-backups <backup-uri>
 * The backup URI is an absolute `file:` URI (docs.datomic.com/operation/backup.html, "Backup URI
 * Syntax"). Datomic parses it with java.net.URI (datomic.io/as-uri, VERIFIED in the peer jar): an
 * unescaped space is refused ("java.net.URISyntaxException: Illegal character in path"), so the
 * path is percent-encoded. That datomic.fsbackup then decodes %20 etc. to the file name is
 * INFERRED (the namespace ships with the distribution, not with the peer jar).
 *
 * What the scripts print (public transcripts of real distributions; the fake runs the same peer
 * functions and prints the same lines):
 *   Copied 0 segments, skipped 0 segments.        at once, then as segments go, then the total
 *   :succeeded
 *   {:event :restore, :db app, :basis-t 66, :inst #inst "1970-01-01T00:00:00.000-00:00"}   (restore)
 *   (6002 1001)                                   list-backups: the t values (format INFERRED)
 * and Datomic's refusals, e.g. `... :restore/collision The database already exists under the name 'x'`.
 */
import path from 'node:path';
import { DtxError, ExitCode } from '../errors.js';
import { maskSecrets } from '../mask.js';
import type { Distribution, Platform } from './distribution.js';
import { planScript, runScript, withPathFirst, type Env, type RunScriptResult } from './script.js';

/** An absolute backup folder for a path as the user typed it (relative to cwd). */
export function resolveBackupDir(dir: string, cwd: string, platform: Platform = process.platform): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return p.resolve(cwd, dir);
}

/**
 * The `file:` URI of an absolute folder: `file:///abs/dir` (POSIX), `file:///C:/abs/dir` (Windows),
 * each path segment percent-encoded (spaces, `%`, `#`, `?`, non-ASCII).
 */
export function backupUri(absDir: string, platform: Platform = process.platform): string {
  if (platform === 'win32') {
    if (/^[\\/]{2}/.test(absDir)) {
      throw new DtxError({
        code: 'BACKUP_DIR_UNSUPPORTED',
        message: `a UNC path cannot be given to Datomic as a backup folder: ${absDir}`,
        hint: 'Map the share to a drive letter (e.g. `net use B: \\\\server\\share`) and use B:\\..., or back up to a local folder.',
        exitCode: ExitCode.usage,
      });
    }
    const m = /^([A-Za-z]):[\\/]?(.*)$/.exec(absDir);
    if (!m) throw new DtxError({ code: 'BACKUP_DIR_UNSUPPORTED', message: `not an absolute Windows path: ${absDir}`, exitCode: ExitCode.usage });
    const segs = (m[2] ?? '').split(/[\\/]+/).filter(Boolean).map(encodeURIComponent);
    return `file:///${(m[1] ?? '').toUpperCase()}:/${segs.join('/')}`;
  }
  if (!absDir.startsWith('/')) throw new DtxError({ code: 'BACKUP_DIR_UNSUPPORTED', message: `not an absolute path: ${absDir}`, exitCode: ExitCode.usage });
  const segs = absDir.split('/').filter(Boolean).map(encodeURIComponent);
  return `file:///${segs.join('/')}`;
}

export interface CopyProgress {
  copied: number;
  skipped: number;
}

/** `Copied 32 segments, skipped 0 segments.` -> {copied: 32, skipped: 0}; null for other lines. */
export function parseCopyProgress(line: string): CopyProgress | null {
  const m = /^\s*Copied (\d+) segments?, skipped (\d+) segments?\.?\s*$/.exec(line);
  return m ? { copied: Number(m[1]), skipped: Number(m[2]) } : null;
}

export interface RestoreEvent {
  db: string;
  basisT: number;
  inst: string | null;
}

/** `{:event :restore, :db app, :basis-t 66, :inst #inst "..."}` (the db name printed without quotes). */
export function parseRestoreEvent(line: string): RestoreEvent | null {
  const m = /^\s*\{:event :restore, :db (.*?), :basis-t (\d+)(?:, :inst #inst "([^"]*)")?\s*\}\s*$/.exec(line);
  if (!m) return null;
  let db = m[1] ?? '';
  if (db.startsWith('"') && db.endsWith('"') && db.length >= 2) db = db.slice(1, -1);
  return { db, basisT: Number(m[2]), inst: m[3] ?? null };
}

/**
 * The t values `list-backups` printed, newest first: `(6002 1001)`, `[6002 1001]`, `()` or `nil`
 * (no backup there), or a describe-backups map `{:db-id "..", :ts (6002 1001)}`. null when no line
 * has that shape.
 */
export function parseBackupList(stdout: string): number[] | null {
  const lines = stdout.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i] as string;
    if (l === 'nil') return [];
    const ts = /:ts\s+[([]([\d\s,]*)[)\]]/.exec(l);
    const list = ts ? ts[1] : /^[([]([\d\s,]*)[)\]]$/.exec(l)?.[1];
    if (list === undefined) continue;
    const out = list.split(/[\s,]+/).filter(Boolean).map(Number);
    return [...new Set(out)].sort((a, b) => b - a);
  }
  return null;
}

/** A `t` as the user typed it: a non-negative integer. */
export function parseT(raw: string): number {
  const s = raw.trim();
  if (!/^\d{1,15}$/.test(s)) {
    throw new DtxError({
      code: 'BACKUP_T_INVALID',
      message: `--t must be a point in time t from the backup (a whole number), not ${JSON.stringify(raw)}`,
      hint: 'List the points in time a backup holds with `dtx db backups DIR`.',
      exitCode: ExitCode.usage,
    });
  }
  return Number(s);
}

export type BackupOp = 'backup-db' | 'restore-db' | 'list-backups';

export interface FailureContext {
  op: BackupOp;
  /** the backup folder as the user sees it */
  dir: string;
  /** the database name (backup: source, restore: target) */
  name?: string;
  t?: number;
}

function tailOf(text: string, n = 8): string {
  return maskSecrets(text)
    .split(/\r?\n/)
    .filter((l) => l.trim() && !/^SLF4J:|\bDEBUG\b/.test(l))
    .slice(-n)
    .join('\n  ');
}

/**
 * Datomic's refusals, by their keyword, as errors that say what to do. Messages observed with the
 * real peer library's datomic.backup (test/integration/backup-restore.test.ts):
 *   :restore/collision The database already exists under the name 'copy'
 *   :restore/collision The name 'beta' is already in use by a different database
 *   :restore/roots-missing No database root for t 5
 *   :restore/no-roots No restore points available at file:/...
 *   :backup/claim-failed Backup storage already used by alpha-607e61b9-...
 *   :catalog/db-does-not-exist Database does not exist: datomic:sql://nosuch?...
 *   java.net.URISyntaxException: Illegal character in path at index 16: file:/tmp/a b
 */
export function backupFailure(ctx: FailureContext, r: Pick<RunScriptResult, 'code' | 'signal' | 'stdout' | 'stderr' | 'timedOut'>): DtxError {
  const all = `${r.stdout}\n${r.stderr}`;
  const name = ctx.name ? JSON.stringify(ctx.name) : 'the database';
  let m: RegExpExecArray | null;
  if ((m = /:restore\/collision The database already exists under the name '([^']*)'/.exec(all))) {
    return new DtxError({
      code: 'RESTORE_COLLISION',
      message: `this storage already holds the database in ${ctx.dir}, under the name "${m[1]}"; Datomic restores a database under one name per storage (:restore/collision)`,
      hint: `Restore it over "${m[1]}" itself (\`dtx db restore ${quoteArg(ctx.dir)} ${quoteArg(m[1] ?? '')} --yes\`), or into another storage (--pg-url).`,
      exitCode: ExitCode.usage,
      details: { existingName: m[1], datomicCode: ':restore/collision' },
    });
  }
  if ((m = /:restore\/collision The name '([^']*)' is already in use by a different database/.exec(all))) {
    return new DtxError({
      code: 'RESTORE_NAME_TAKEN',
      message: `the name "${m[1]}" belongs to another database in this storage; Datomic restores over a name only when it holds the same database (:restore/collision)`,
      hint: `Restore under a free name (\`dtx db restore ${quoteArg(ctx.dir)} NEW-NAME\`), or delete "${m[1]}" first (\`dtx db delete ${quoteArg(m[1] ?? '')}\`).`,
      exitCode: ExitCode.usage,
      details: { name: m[1], datomicCode: ':restore/collision' },
    });
  }
  if ((m = /:restore\/roots-missing No database root for t (\d+)/.exec(all))) {
    return new DtxError({
      code: 'BACKUP_T_NOT_FOUND',
      message: `the backup in ${ctx.dir} has no point in time t=${m[1]}`,
      hint: `List the points in time it holds with \`dtx db backups ${quoteArg(ctx.dir)}\`, or leave out --t to restore the newest.`,
      exitCode: ExitCode.notFound,
      details: { t: Number(m[1]), datomicCode: ':restore/roots-missing' },
    });
  }
  if (/:restore\/no-roots/.test(all)) return noBackup(ctx.dir);
  if ((m = /:backup\/claim-failed Backup storage already used by (\S+)/.exec(all))) {
    return new DtxError({
      code: 'BACKUP_DIR_TAKEN',
      message: `${ctx.dir} already holds the backups of another database (db-id ${m[1]}); Datomic keeps one database per backup folder (:backup/claim-failed)`,
      hint: `Use a folder of its own for ${name}, e.g. \`dtx db backup ${quoteArg(ctx.name ?? 'NAME')} ${quoteArg(path.join(ctx.dir, ctx.name ?? 'NAME'))}\`.`,
      exitCode: ExitCode.usage,
      details: { owner: m[1], datomicCode: ':backup/claim-failed' },
    });
  }
  if (/:catalog\/db-does-not-exist/.test(all)) {
    return new DtxError({ code: 'DB_NOT_FOUND', message: `database ${name} does not exist`, hint: 'List the databases with `dtx db list`.', exitCode: ExitCode.notFound });
  }
  if (/URISyntaxException/.test(all)) {
    return new DtxError({
      code: 'BACKUP_URI_INVALID',
      message: `Datomic could not parse the backup URI of ${ctx.dir}:\n  ${tailOf(all, 3)}`,
      hint: 'Use a folder whose name has no characters a URI cannot hold, or report this to dtx (it percent-encodes the path).',
      exitCode: ExitCode.usage,
    });
  }
  const tail = tailOf(all);
  return new DtxError({
    code: r.timedOut ? 'BACKUP_TIMEOUT' : ctx.op === 'restore-db' ? 'RESTORE_FAILED' : ctx.op === 'backup-db' ? 'BACKUP_FAILED' : 'LIST_BACKUPS_FAILED',
    message: `bin/datomic ${ctx.op} ${r.timedOut ? 'timed out' : `exited with ${r.code ?? r.signal}`}${tail ? `:\n  ${tail}` : ''}`,
    hint: 'Check Java (java -version) and the Datomic installation; run with --verbose to see its output.',
  });
}

export function noBackup(dir: string): DtxError {
  return new DtxError({
    code: 'BACKUP_NOT_FOUND',
    message: `no Datomic backup in ${dir}`,
    hint: 'Check the folder (it is the one given to `dtx db backup NAME DIR`); make one with `dtx db backup NAME DIR`.',
    exitCode: ExitCode.notFound,
  });
}

function quoteArg(s: string): string {
  return /^[\w@%+=:,./\\-]+$/.test(s) ? s : `"${s.replace(/(["\\$`])/g, '\\$1')}"`;
}

export interface RunBackupScriptOptions {
  dist: Pick<Distribution, 'home' | 'scripts' | 'platform'>;
  /** the command and its arguments, e.g. ['backup-db', dbUri, backupUri] */
  args: string[];
  /** JVM options before the command, e.g. ['-Xmx1g'] (bin/datomic passes them to java) */
  jvmArgs?: string[];
  env: Env;
  javaBinDir?: string | null;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** each output line, masked */
  onLine?: (line: string) => void;
}

/**
 * Runs bin/datomic. Its arguments carry the storage URI (with the password): bin/datomic takes URIs
 * only as arguments, so the password is on that process's command line while it runs.
 */
export async function runBackupScript(opts: RunBackupScriptOptions): Promise<RunScriptResult> {
  const env = opts.javaBinDir ? withPathFirst(opts.env, opts.javaBinDir, opts.dist.platform) : { ...opts.env };
  const plan = planScript({ script: opts.dist.scripts.datomic, args: [...(opts.jvmArgs ?? []), ...opts.args], home: opts.dist.home, env, platform: opts.dist.platform });
  try {
    return await runScript(plan, { signal: opts.signal, timeoutMs: opts.timeoutMs ?? 24 * 60 * 60_000, onLine: opts.onLine ? (l) => opts.onLine?.(l) : undefined });
  } catch (e) {
    throw new DtxError({ code: 'DATOMIC_SCRIPT_FAILED', message: `could not run ${opts.dist.scripts.datomic}: ${(e as Error).message}`, hint: 'Check --datomic-home and that the script is executable.', cause: e });
  }
}

/** The last progress line of an output: the totals. */
export function lastCopyProgress(stdout: string): CopyProgress | null {
  let last: CopyProgress | null = null;
  for (const l of stdout.split(/\r?\n/)) last = parseCopyProgress(l) ?? last;
  return last;
}

/** Did the script report success (a `:succeeded` line)? */
export function succeeded(stdout: string): boolean {
  return stdout.split(/\r?\n/).some((l) => l.trim() === ':succeeded');
}
