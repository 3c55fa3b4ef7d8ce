/**
 * `dtx storage report`: every row of datomic_kvs explained, each in exactly one group:
 *   database      rows a live database's roots reach (a row two databases reach counts once,
 *                 in the first; `shared` says how many)
 *   deleted       rows a deleted (not yet collected) database's roots reach
 *   catalog       pod-catalog and its current tail chain
 *   system        pod-coord, pod-standby
 *   unreferenced  the rest, by kind and dated by the squuid in their id; ids a gc tree lists as
 *                 garbage form "pending garbage of <db>" groups dated by their :tstamp
 * plus the table's size (pg_total_relation_size) and dead tuples. One REPEATABLE READ snapshot;
 * nothing is written to datomic_kvs. Id sets stay in PostgreSQL (temp tables), so memory is flat.
 */
import type { PgClient } from '../../postgres/client.js';
import { withTransaction } from '../../postgres/client.js';
import { readCatalog } from '../catalog.js';
import { KVS_TABLE, kvsQuery, type Queryable } from '../kvs.js';
import { markStorage, type MarkOptions, type Owner } from './mark-all.js';
import { emptyByKind, missingRowsProblem, type KindTotals } from './mark-store.js';
import type { RowKind } from './ids.js';
import type { WalkProblem, WalkStats } from './walk.js';
import { isoOfMs, rowKindSql, squuidBounds, squuidMsSql } from './sql.js';

export type GroupKind = 'database' | 'deleted' | 'catalog' | 'system' | 'unreferenced';

/** Kinds of unreferenced rows, told from the id and the first byte of the value. */
export type UnreferencedKind = 'pending garbage' | 'segment' | 'fulltext chunk' | 'log tail' | 'catalog tail' | 'root' | 'recent' | 'other';

export interface ReportGroup {
  kind: GroupKind;
  /** a database's name; for unreferenced groups what they are (e.g. "segment", "pending garbage of alpha") */
  name: string | null;
  dbId: string | null;
  rows: number;
  bytes: number;
  /** ISO time of the oldest row (squuid time; for pending garbage, when it became garbage) */
  oldest: string | null;
  /** database groups: the split by kind, and rows another database reaches too */
  byKind?: Record<RowKind, KindTotals>;
  shared?: number;
  /** unreferenced groups */
  unreferencedKind?: UnreferencedKind;
}

export interface TableStats {
  /** pg_total_relation_size: heap + TOAST + indexes */
  totalBytes: number;
  heapBytes: number;
  toastBytes: number;
  indexBytes: number;
  liveTuples: number | null;
  deadTuples: number | null;
  lastVacuum: string | null;
  lastAutovacuum: string | null;
  /** set when dead tuples matter: what to run */
  vacuumHint: string | null;
}

export interface StorageReport {
  rows: number;
  bytes: number;
  groups: ReportGroup[];
  unreadable: WalkProblem[];
  table: TableStats;
  /** when the snapshot was taken; newRows: rows committed after it (not counted anywhere) */
  snapshot: { at: string; newRows: number };
  stats: WalkStats & { ms: number };
}

/**
 * The recentMs every caller passes while a transactor is alive: unreferenced rows younger than
 * this may belong to an index job in flight (its new segments are referenced only when it ends).
 */
export const RECENT_MS = 10 * 60_000;

export interface ReportOptions extends MarkOptions {
  /** a transactor is alive: unreferenced rows younger than this are grouped as "recent" (may be in flight) */
  recentMs?: number | null;
  nowMs?: number;
  /** count rows committed after the snapshot (a scan; worth it only while a transactor writes) */
  countNewRows?: boolean;
  /** called once the snapshot is taken, before the walk */
  onSnapshot?: () => Promise<void> | void;
}

const iso = isoOfMs;

const q = kvsQuery('reporting on storage');

export async function tableStats(c: Queryable): Promise<TableStats> {
  const [s] = await q<{
    total: string; heap: string; toast: string; idx: string; live: string | null; dead: string | null; lv: Date | null; lav: Date | null;
  }>(
    c,
    `select pg_total_relation_size(t.oid)::text as total, pg_relation_size(t.oid)::text as heap,
            coalesce(pg_total_relation_size(nullif(t.reltoastrelid, 0)), 0)::text as toast, pg_indexes_size(t.oid)::text as idx,
            s.n_live_tup::text as live, s.n_dead_tup::text as dead, s.last_vacuum as lv, s.last_autovacuum as lav
       from pg_class t left join pg_stat_all_tables s on s.relid = t.oid
      where t.oid = to_regclass($1)`,
    [KVS_TABLE],
  );
  const live = s?.live == null ? null : Number(s.live);
  const dead = s?.dead == null ? null : Number(s.dead);
  const matters = dead !== null && dead >= 1000 && dead > 0.1 * Math.max(live ?? 0, 1);
  return {
    totalBytes: Number(s?.total ?? 0),
    heapBytes: Number(s?.heap ?? 0),
    toastBytes: Number(s?.toast ?? 0),
    indexBytes: Number(s?.idx ?? 0),
    liveTuples: live,
    deadTuples: dead,
    lastVacuum: s?.lv ? s.lv.toISOString() : null,
    lastAutovacuum: s?.lav ? s.lav.toISOString() : null,
    vacuumHint: matters
      ? `${dead.toLocaleString('en-US')} dead tuples hold space until VACUUM: run \`VACUUM datomic_kvs;\` as the table owner (or \`dtx db gc --vacuum\`).`
      : null,
  };
}

function ownerGroup(o: Owner): { kind: GroupKind; name: string | null; dbId: string | null } {
  if (o.kind === 'catalog') return { kind: 'catalog', name: 'catalog', dbId: null };
  if (o.kind === 'system') return { kind: 'system', name: 'system', dbId: null };
  return { kind: o.kind, name: o.name, dbId: o.dbId };
}

export async function storageReport(c: PgClient, opts: ReportOptions = {}): Promise<StorageReport> {
  const started = performance.now();
  const now = opts.nowMs ?? Date.now();
  const [minMs, maxMs] = squuidBounds(now);
  let xmax = '0';
  const report = await withTransaction(
    c,
    async () => {
      const [snap] = await q<{ xmax: string }>(c, 'select (txid_snapshot_xmax(txid_current_snapshot()) % 4294967296)::text as xmax');
      xmax = snap?.xmax ?? '0';
      const catalog = await readCatalog(c);
      await opts.onSnapshot?.();
      const { owners, store, problems, stats } = await markStorage(c, catalog, { ...opts, onCommitDrop: true });
      const totals = await store.totals();
      const unreadable = [...problems];
      const groups: ReportGroup[] = [];
      // owned rows, each row in its first owner's group only
      const owned = await q<{ owner: number; rows: string; bytes: string; oldest: string | null }>(
        c,
        `select m.owner, count(*)::text as rows, coalesce(sum(octet_length(k.val)), 0)::text as bytes,
                min(${squuidMsSql('k.id', '$1', '$2')})::text as oldest
           from dtx_mark m join ${KVS_TABLE} k on k.id = m.id
          where not exists (select 1 from dtx_mark o where o.id = m.id and o.owner < m.owner)
          group by m.owner`,
        [minMs, maxMs],
      );
      const ownedBy = new Map(owned.map((r) => [r.owner, r]));
      for (const o of owners) {
        const r = ownedBy.get(o.index);
        const t = totals.get(o.index);
        const missing = o.dbId ? missingRowsProblem(o.dbId, t) : null;
        if (missing) unreadable.push(missing);
        if (!r && o.dbId === null) continue; // no catalog / no system rows
        const g: ReportGroup = { ...ownerGroup(o), rows: Number(r?.rows ?? 0), bytes: Number(r?.bytes ?? 0), oldest: iso(r?.oldest ?? null) };
        if (o.dbId !== null) {
          g.byKind = t?.byKind ?? emptyByKind();
          g.shared = t?.shared ?? 0;
        }
        groups.push(g);
      }
      // unreferenced rows: pending garbage by owner, the rest by kind
      const recentFrom = opts.recentMs ? now - opts.recentMs : null;
      const unref = await q<{ gowner: number | null; kind: string; rows: string; bytes: string; oldest: string | null }>(
        c,
        `select g.owner as gowner,
                case when g.owner is null and $3::bigint is not null and ${squuidMsSql('k.id', '$1', '$2')} >= $3::bigint then 'recent' else ${rowKindSql('k')} end as kind,
                count(*)::text as rows, coalesce(sum(octet_length(k.val)), 0)::text as bytes,
                min(coalesce(g.tstamp, ${squuidMsSql('k.id', '$1', '$2')}))::text as oldest
           from ${KVS_TABLE} k
           left join lateral (select x.owner, x.tstamp from dtx_garbage x where x.id = k.id order by x.owner limit 1) g on true
          where not exists (select 1 from dtx_mark m where m.id = k.id)
          group by 1, 2`,
        [minMs, maxMs, recentFrom],
      );
      const pending = new Map<number, ReportGroup>();
      for (const r of unref) {
        if (r.gowner !== null) {
          const o = owners[r.gowner]!;
          const label = o.name ?? o.dbId ?? '?';
          let g = pending.get(r.gowner);
          if (!g) pending.set(r.gowner, (g = { kind: 'unreferenced', name: `pending garbage of ${label}`, dbId: o.dbId, rows: 0, bytes: 0, oldest: null, unreferencedKind: 'pending garbage' }));
          g.rows += Number(r.rows);
          g.bytes += Number(r.bytes);
          if (r.oldest !== null && (g.oldest === null || Number(r.oldest) < Date.parse(g.oldest))) g.oldest = iso(r.oldest);
        } else {
          groups.push({ kind: 'unreferenced', name: r.kind, dbId: null, rows: Number(r.rows), bytes: Number(r.bytes), oldest: iso(r.oldest), unreferencedKind: r.kind as UnreferencedKind });
        }
      }
      groups.push(...pending.values());
      const [all] = await q<{ rows: string; bytes: string }>(c, `select count(*)::text as rows, coalesce(sum(octet_length(val)), 0)::text as bytes from ${KVS_TABLE}`);
      return {
        rows: Number(all?.rows ?? 0),
        bytes: Number(all?.bytes ?? 0),
        groups,
        unreadable,
        table: await tableStats(c),
        snapshot: { at: new Date(now).toISOString(), newRows: 0 },
        stats: { ...stats, ms: 0 },
      };
    },
    { isolation: 'repeatable read' },
  );
  if (opts.countNewRows) {
    // rows committed after the snapshot (xmin at or after its xmax, modulo wraparound): neither
    // counted nor called unreferenced
    const [n] = await q<{ n: string }>(
      c,
      `select count(*)::text as n from ${KVS_TABLE} where (xmin::text::bigint - $1::bigint + 4294967296) % 4294967296 < 2147483648`,
      [xmax],
    );
    report.snapshot.newRows = Number(n?.n ?? 0);
  }
  report.stats.ms = Math.round(performance.now() - started);
  return report;
}
