/** `dtx db backups DIR`: the points in time t a backup folder holds (bin/datomic list-backups). No storage needed. */
import type { Ctx } from '../../cli/context.js';
import { noBackup, parseBackupList } from '../../core/datomic/backup.js';
import { DtxError } from '../../core/errors.js';
import { printJson } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';
import { backupDirOf, requireBackupDir, runWithProgress } from '../shared/backup.js';
import { distributionWithJava } from '../shared/datomic.js';

export async function run(ctx: Ctx, rawDir: string): Promise<number> {
  const { io } = ctx;
  const d = backupDirOf(ctx, rawDir);
  await requireBackupDir(d);
  const progress = startProgress(io, 'checking the Datomic distribution');
  let ts: number[];
  try {
    const { dist, java } = await distributionWithJava(ctx);
    progress.update('bin/datomic list-backups (starting a JVM)');
    const { result } = await runWithProgress(ctx, { dist, java, op: 'list-backups', args: [d.uri], progress, label: 'listing', dir: d.dir });
    const parsed = parseBackupList(result.stdout);
    if (parsed === null) {
      throw new DtxError({
        code: 'LIST_BACKUPS_UNREADABLE',
        message: `could not read what bin/datomic list-backups printed:\n  ${result.stdout.trim().split(/\r?\n/).slice(-5).join('\n  ')}`,
        hint: 'Run with --verbose to see its whole output, and report it to dtx.',
      });
    }
    ts = parsed;
  } finally {
    progress.stop();
  }
  if (ts.length === 0) throw noBackup(d.dir);
  if (io.json) {
    printJson(io, { dir: d.dir, backupUri: d.uri, ts, latest: ts[0] });
    return 0;
  }
  const c = io.chalk;
  io.out(`${c.bold(d.dir)}: ${ts.length} point${ts.length === 1 ? '' : 's'} in time (newest first)\n`);
  for (const [i, t] of ts.entries()) io.out(`  t ${t}${i === 0 ? c.dim('  (restored when --t is not given)') : ''}\n`);
  io.out(c.dim(`Restore one with: ${io.cmd} db restore ${JSON.stringify(d.dir)} NAME --t ${ts[0]}\n`));
  return 0;
}
