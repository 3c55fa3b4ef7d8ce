import type { Ctx } from '../../cli/context.js';
import { judgeAlive, readHeartbeat } from '../../core/storage/heartbeat.js';
import { RECENT_MS, storageReport, type ReportGroup } from '../../core/storage/walk/report.js';
import { printJson, renderTable, keyValues } from '../../render/output.js';
import { formatBytes, formatCount, formatTimestamp } from '../../render/units.js';
import { withStorage } from '../shared/storage.js';
import { failOnUnreadable, walkProgress } from '../shared/walk.js';

const UNREADABLE_HINT = 'A missing or corrupt segment means Datomic cannot read that database whole either. Restore it from a backup; do not sweep until then.';

function label(g: ReportGroup): string {
  switch (g.kind) {
    case 'database':
      return `database ${g.name}`;
    case 'deleted':
      return `deleted ${g.dbId}`;
    case 'unreferenced':
      return `unreferenced: ${g.name}`;
    default:
      return g.kind;
  }
}

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const progress = walkProgress(io, 'walking');
  const { report, alive } = await withStorage(ctx, async (c) => {
    const hb = await readHeartbeat(c);
    const alive = hb !== null && judgeAlive(hb, Date.now(), ctx.config().heartbeatIntervalMsec).alive;
    const report = await storageReport(c, {
      signal: ctx.signal,
      onProgress: progress.onProgress,
      recentMs: alive ? RECENT_MS : null,
      countNewRows: alive,
    }).finally(() => progress.stop());
    return { report, alive };
  });
  const unreadable = { scope: 'the trees', consequence: 'the rows below them are counted as unreferenced', hint: UNREADABLE_HINT };
  if (io.json) {
    printJson(io, { ...report, transactorAlive: alive });
    return failOnUnreadable(io, report.unreadable, unreadable);
  }
  const c = io.chalk;
  const order: ReportGroup['kind'][] = ['database', 'deleted', 'catalog', 'system', 'unreferenced'];
  const groups = [...report.groups].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || b.bytes - a.bytes);
  io.out(
    renderTable(
      io,
      ['group', 'rows', 'bytes', 'oldest'],
      [
        ...groups.map((g) => [label(g), formatCount(g.rows), formatBytes(g.bytes), formatTimestamp(g.oldest)]),
        [c.bold('total'), formatCount(report.rows), formatBytes(report.bytes), ''],
      ],
    ),
  );
  const t = report.table;
  io.out('\n');
  io.out(
    keyValues(io, [
      ['table size', `${formatBytes(t.totalBytes)} (pg_total_relation_size: heap ${formatBytes(t.heapBytes)}, TOAST ${formatBytes(t.toastBytes)}, indexes ${formatBytes(t.indexBytes)})`],
      ['dead tuples', t.deadTuples === null ? '-' : formatCount(t.deadTuples)],
      ['walk', `${formatCount(report.stats.nodes)} nodes read (${formatBytes(report.stats.bytesFetched)}), ${formatCount(report.stats.leaves)} leaves not fetched, ${report.stats.ms} ms`],
    ]),
  );
  const unref = report.groups.filter((g) => g.kind === 'unreferenced' && g.unreferencedKind !== 'recent');
  if (unref.length) io.out(c.dim(`Unreferenced rows: \`dtx storage gc --dry-run\` shows what a sweep would delete.\n`));
  if (t.vacuumHint) io.warn(t.vacuumHint);
  if (alive) {
    io.note(
      `a transactor is running: these figures are a snapshot taken at ${report.snapshot.at}` +
        `${report.snapshot.newRows ? `; ${formatCount(report.snapshot.newRows)} rows written since are not counted` : ''}` +
        `; unreferenced rows from the last ${RECENT_MS / 60_000} minutes are shown as "recent" (they may belong to an index job in flight)`,
    );
  }
  return failOnUnreadable(io, report.unreadable, unreadable);
}
