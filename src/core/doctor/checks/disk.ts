/** Doctor check of the free space where the transactor writes its logs (and data-dir). */
import { stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { bytes } from '../format.js';
import { fail, pass, warn, type CheckResult } from '../types.js';

export const DISK_FAIL_BYTES = 100 * 1024 ** 2;
export const DISK_WARN_BYTES = 1024 ** 3;

/** The folder itself, or its nearest existing ancestor (a log-dir the transactor has not created yet). */
async function existing(dir: string): Promise<string> {
  let d = path.resolve(dir);
  for (;;) {
    if (await stat(d).then(() => true, () => false)) return d;
    const up = path.dirname(d);
    if (up === d) return d;
    d = up;
  }
}

export interface DiskDir {
  label: string;
  dir: string;
}

export async function checkDiskSpace(dirs: DiskDir[], thresholds = { failBytes: DISK_FAIL_BYTES, warnBytes: DISK_WARN_BYTES }): Promise<CheckResult> {
  const seen = new Map<number, { labels: string[]; dir: string; free: number; total: number }>();
  for (const d of dirs) {
    const at = await existing(d.dir);
    const dev = (await stat(at)).dev;
    const fs = await statfs(at);
    const entry = seen.get(dev);
    if (entry) entry.labels.push(`${d.label} ${d.dir}`);
    else seen.set(dev, { labels: [`${d.label} ${d.dir}`], dir: at, free: fs.bavail * fs.bsize, total: fs.blocks * fs.bsize });
  }
  const parts = [...seen.values()];
  const text = parts.map((p) => `${p.labels.join(' and ')}: ${bytes(p.free)} free of ${bytes(p.total)}`).join('; ');
  const worst = Math.min(...parts.map((p) => p.free));
  const fix = 'Free space on that file system, or point log-dir (and data-dir) in your properties file at a larger disk; the transactor writes a log file per day and stops when it cannot write.';
  if (worst < thresholds.failBytes) return fail('disk-space', `${text} (less than ${bytes(thresholds.failBytes)})`, fix);
  if (worst < thresholds.warnBytes) return warn('disk-space', `${text} (less than ${bytes(thresholds.warnBytes)})`, fix);
  return pass('disk-space', text);
}
