/**
 * Doctor check "storage": a one-line summary of `dtx storage report` (every row of datomic_kvs in
 * exactly one group), kept bounded: on a table larger than `maxRows` the walk is skipped with a
 * note (the full report is one command away).
 */
import type { PgClient } from '../../postgres/client.js';
import { KVS_TABLE } from '../../storage/kvs.js';
import type { MarkProgress } from '../../storage/walk/mark-all.js';
import { RECENT_MS, storageReport } from '../../storage/walk/report.js';
import { bytes, count, plural } from '../format.js';
import { fail, pass, skipped, warn, type CheckResult } from '../types.js';

export const DEFAULT_STORAGE_MAX_ROWS = 200_000;

export interface StorageCheckOptions {
  /** from the planner's statistics; null when the table was never analyzed */
  estimatedRows: number | null;
  maxRows?: number;
  transactorAlive: boolean;
  /**
   * Unreferenced bytes that make it a warning: at least this much (default 1 MiB) and at least 10%
   * of the table's bytes. Below, they are normal leftovers (superseded catalog and log tail rows
   * stay in the table by design) and the summary passes.
   */
  unreferencedWarnBytes?: number;
  signal?: AbortSignal;
  onProgress?: (p: MarkProgress) => void;
}

/** Rows in the table, counting no further than limit + 1 (a bounded scan). */
async function boundedCount(c: PgClient, limit: number): Promise<number> {
  const r = await c.query<{ n: string }>(`select count(*)::text as n from (select 1 from ${KVS_TABLE} limit $1) x`, [limit + 1]);
  return Number(r.rows[0]?.n ?? 0);
}

export async function checkStorage(c: PgClient, o: StorageCheckOptions): Promise<CheckResult> {
  const maxRows = o.maxRows ?? DEFAULT_STORAGE_MAX_ROWS;
  const rows = o.estimatedRows !== null && o.estimatedRows > maxRows ? o.estimatedRows : await boundedCount(c, maxRows);
  if (rows > maxRows) {
    return skipped(
      'storage',
      `datomic_kvs holds about ${count(rows)} rows (more than ${count(maxRows)}); walking every tree takes a while`,
      '`dtx storage report` walks it and explains every row (unreferenced ones by kind and age).',
    );
  }
  const r = await storageReport(c, { signal: o.signal, onProgress: o.onProgress, recentMs: o.transactorAlive ? RECENT_MS : null });
  const sum = (kind: string, pred: (g: (typeof r.groups)[number]) => boolean = () => true) => {
    const gs = r.groups.filter((g) => g.kind === kind && pred(g));
    return { n: gs.length, rows: gs.reduce((a, g) => a + g.rows, 0), bytes: gs.reduce((a, g) => a + g.bytes, 0) };
  };
  const dbs = sum('database');
  const deleted = sum('deleted');
  const unref = sum('unreferenced', (g) => g.unreferencedKind !== 'recent');
  const recent = sum('unreferenced', (g) => g.unreferencedKind === 'recent');
  const other = sum('catalog').rows + sum('system').rows;
  const parts = [
    `${plural(dbs.n, 'database')} ${count(dbs.rows)} rows`,
    ...(deleted.n ? [`${plural(deleted.n, 'deleted database')} awaiting gc ${count(deleted.rows)} rows (\`dtx db gc\` reclaims them)`] : []),
    `catalog and heartbeats ${count(other)} rows`,
    `unreferenced ${count(unref.rows)} rows (${bytes(unref.bytes)})`,
    ...(recent.rows ? [`${count(recent.rows)} recent unreferenced rows (a running transactor's work in flight)`] : []),
  ];
  const line = `${plural(r.rows, 'row')} (${bytes(r.bytes)}): ${parts.join(', ')}`;
  if (r.unreadable.length) {
    return fail(
      'storage',
      `${line}; ${plural(r.unreadable.length, 'part')} of the trees could not be read (e.g. ${r.unreadable[0]?.dbId}: ${r.unreadable[0]?.problem})`,
      'Run `dtx storage report` for the list. A missing or corrupt segment means Datomic cannot read that database whole either: restore it from a backup, and do not sweep until then.',
    );
  }
  const warnAt = Math.max(o.unreferencedWarnBytes ?? 1024 ** 2, 0.1 * r.bytes);
  if (unref.rows > 0 && unref.bytes >= warnAt) return warn('storage', line, '`dtx storage gc --dry-run` shows what a sweep would delete; `dtx storage report` lists them by kind and age.');
  return pass('storage', line);
}
