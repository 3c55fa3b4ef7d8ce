/**
 * `dtx storage gc` without a transactor: sweeping the rows nothing reaches (docs/datomic-storage.md,
 * "Reclaiming space"). Unreferenced = reached from no catalog entry (live or deleted), not the
 * current catalog chain, not a system row. A row is swept only once it has been garbage for longer
 * than `olderThanMs`, because a peer may still hold a db value that reads it:
 *   - an id a gc tree lists: since its entry's :tstamp (as Datomic's gc-storage decides);
 *   - any other squuid (or squuid chunk key): since the later of its squuid time and the last
 *     heartbeat in pod-coord (it may have become garbage at any moment a transactor was alive);
 *   - an id that does not date itself: never (reported).
 * Like Datomic's gc it also deletes the gc tree's leaves and dirs once everything under them is
 * older than the cutoff, and never the gc root. If any part of a tree cannot be read, the rows
 * below it would look unreferenced: the sweep refuses to delete anything then.
 */
import { throwIfAborted } from '../../abort.js';
import type { PgClient } from '../../postgres/client.js';
import { DtxError } from '../../errors.js';
import { readCatalog } from '../catalog.js';
import { KVS_TABLE, kvsQuery } from '../kvs.js';
import { deleteListed } from './delete-listed.js';
import { markStorage } from './mark-all.js';
import { isoOfMs, rowKindSql, squuidBounds, squuidMsSql } from './sql.js';
import type { WalkProblem } from './walk.js';

export const SWEEP_KINDS = ['pending garbage', 'segment', 'fulltext chunk', 'log tail', 'catalog tail', 'gc node', 'other'] as const;
export type SweepKind = (typeof SWEEP_KINDS)[number];

export interface SweepCount {
  rows: number;
  bytes: number;
  /** ISO time the oldest of them became garbage */
  oldest: string | null;
}

export interface SweepResult {
  dryRun: boolean;
  cutoff: string;
  /** deleted (or, with dryRun, to delete), by kind */
  swept: Record<SweepKind, SweepCount>;
  rows: number;
  bytes: number;
  /** unreferenced but kept: garbage for less than olderThan */
  tooYoung: SweepCount & { newest: string | null };
  /** unreferenced but kept: the id does not say when it was written (named rows, non-squuids) */
  undatable: SweepCount & { sample: string[] };
  problems: WalkProblem[];
  sample: string[];
  ms: number;
}

export interface SweepOptions {
  olderThanMs: number;
  /** the last heartbeat of pod-coord (ms), or null when there is none */
  lastHeartbeatMs: number | null;
  nowMs?: number;
  dryRun?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { phase: 'marking' | 'deleting'; done: number; total: number }) => void;
  batchSize?: number;
  beforeWrite?: () => Promise<void>;
  /** called with the plan before anything is deleted; throws to stop (e.g. a declined prompt) */
  confirm?: (plan: SweepResult) => Promise<void>;
}

const q = kvsQuery('sweeping');

const empty = (): SweepCount => ({ rows: 0, bytes: 0, oldest: null });
const iso = isoOfMs;

export async function sweepStorage(c: PgClient, opts: SweepOptions): Promise<SweepResult> {
  const started = performance.now();
  const now = opts.nowMs ?? Date.now();
  const cutoff = now - opts.olderThanMs;
  const batch = opts.batchSize ?? 5000;
  const check = async () => {
    throwIfAborted(opts.signal);
    await opts.beforeWrite?.();
  };
  opts.onProgress?.({ phase: 'marking', done: 0, total: 0 });
  const catalog = await readCatalog(c);
  const { store, problems } = await markStorage(c, catalog, { signal: opts.signal });

  // candidates: every unreferenced row, with when it became garbage (null: undatable), plus the
  // gc dirs and leaves Datomic's gc would delete at this cutoff
  await q(c, 'drop table if exists pg_temp.dtx_sweep');
  await q(c, 'create temp table dtx_sweep (id text primary key, kind text not null, since bigint, bytes bigint not null, step smallint not null)');
  const sq = squuidMsSql('k.id', '$1', '$2');
  await q(
    c,
    `insert into dtx_sweep (id, kind, since, bytes, step)
     select k.id,
            case when g.tstamp is not null then 'pending garbage' else ${rowKindSql('k')} end,
            coalesce(g.tstamp, case when ${sq} is not null then greatest(${sq}, $3::bigint) end),
            coalesce(octet_length(k.val), 0),
            0
       from ${KVS_TABLE} k
       left join lateral (select min(x.tstamp) as tstamp from dtx_garbage x where x.id = k.id) g on true
      where not exists (select 1 from dtx_mark m where m.id = k.id)`,
    [...squuidBounds(now), opts.lastHeartbeatMs ?? 0],
  );
  await q(
    c,
    `insert into dtx_sweep (id, kind, since, bytes, step)
     select n.id, 'gc node', max(n.newest)::bigint, max(coalesce(octet_length(k.val), 0)), case when n.level = 'leaf' then 1 else 2 end
       from dtx_gcnode n join ${KVS_TABLE} k on k.id = n.id
      where n.newest < $1
      group by n.id, n.level
     on conflict (id) do nothing`,
    [cutoff],
  );
  const rows = await q<{ kind: string; bucket: string; rows: string; bytes: string; oldest: string | null; newest: string | null }>(
    c,
    `select kind, case when since is null then 'undatable' when since <= $1 then 'sweep' else 'young' end as bucket,
            count(*)::text as rows, sum(bytes)::text as bytes, min(since)::text as oldest, max(since)::text as newest
       from dtx_sweep group by 1, 2`,
    [cutoff],
  );
  const swept = Object.fromEntries(SWEEP_KINDS.map((k) => [k, empty()])) as Record<SweepKind, SweepCount>;
  const tooYoung = { ...empty(), newest: null as string | null };
  const undatable = { ...empty(), sample: [] as string[] };
  let total = 0;
  let totalBytes = 0;
  for (const r of rows) {
    const n = Number(r.rows);
    const b = Number(r.bytes);
    if (r.bucket === 'sweep') {
      const k = (SWEEP_KINDS as readonly string[]).includes(r.kind) ? (r.kind as SweepKind) : 'other';
      swept[k] = { rows: swept[k].rows + n, bytes: swept[k].bytes + b, oldest: iso(r.oldest) };
      total += n;
      totalBytes += b;
    } else if (r.bucket === 'young') {
      tooYoung.rows += n;
      tooYoung.bytes += b;
      if (r.oldest !== null && (tooYoung.oldest === null || Number(r.oldest) < Date.parse(tooYoung.oldest))) tooYoung.oldest = iso(r.oldest);
      if (r.newest !== null && (tooYoung.newest === null || Number(r.newest) > Date.parse(tooYoung.newest))) tooYoung.newest = iso(r.newest);
    } else {
      undatable.rows += n;
      undatable.bytes += b;
    }
  }
  undatable.sample = (await q<{ id: string }>(c, 'select id from dtx_sweep where since is null order by id limit 5')).map((r) => r.id);
  const sample = (await q<{ id: string }>(c, 'select id from dtx_sweep where since <= $1 order by step, id limit 5', [cutoff])).map((r) => r.id);
  const result: SweepResult = {
    dryRun: Boolean(opts.dryRun), cutoff: new Date(cutoff).toISOString(), swept, rows: total, bytes: totalBytes,
    tooYoung, undatable, problems, sample, ms: 0,
  };
  const finish = async () => {
    await q(c, 'drop table if exists pg_temp.dtx_sweep');
    await store.drop();
    result.ms = Math.round(performance.now() - started);
    return result;
  };
  if (opts.dryRun || total === 0) return finish();
  if (problems.length) {
    await finish();
    throw new DtxError({
      code: 'SWEEP_UNSAFE',
      message: `${problems.length} part${problems.length === 1 ? '' : 's'} of the storage trees could not be read, so rows below them would look unreferenced; nothing was deleted`,
      hint: 'See them with `dtx storage report`. Restore the damaged database from a backup (or purge it if it is deleted), then sweep.',
      details: { problems: problems.slice(0, 20) },
    });
  }

  if (opts.confirm) {
    try {
      await opts.confirm(result);
    } catch (e) {
      await finish();
      throw e;
    }
  }

  // delete: unreferenced rows first, then gc leaves, then gc dirs (a leaf goes only after what it lists)
  let done = 0;
  opts.onProgress?.({ phase: 'deleting', done, total });
  for (let step = 0; step <= 2; step++) {
    // gc leaves and dirs (steps 1, 2) are marked, as part of their database's gc tree: they go anyway
    await deleteListed(c, {
      table: 'dtx_sweep', where: 'step = $1 and since <= $2', params: [step, cutoff], order: 'id', batch, spareMarked: step === 0, what: 'sweeping', check,
      onBatch: (n) => opts.onProgress?.({ phase: 'deleting', done: (done += n), total }),
    });
  }
  return finish();
}
