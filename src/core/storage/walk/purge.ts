/**
 * Purging one deleted database: deleting exactly the rows that belong to it and to no other
 * database (docs/datomic-storage.md, "Reclaiming space").
 *
 * 1. Everything else is marked first, as the rows to keep: the catalog and its tail chain, the
 *    system rows, and every other database the catalog knows, live or deleted (temp table).
 * 2. The database's own trees are walked into a second temp table, each row with its level (leaves
 *    0 ... named roots 5), plus the ids its gc tree lists as garbage (level 0). Missing rows are
 *    expected here (an earlier purge may have been interrupted) and do not stop it.
 * 3. Rows are deleted by primary key in batches, level by level from the bottom, never a row the
 *    keep set holds. Every row left at any moment is still reachable from the rows above it, so
 *    after a crash (kill -9, PostgreSQL restarted) storage stays readable by Datomic and the same
 *    command finishes the job. Log tail rows go oldest first, so the :prev chain stays walkable.
 * 4. Last, the db-id leaves :datomic/deleted, with the catalog's CAS discipline.
 *
 * The caller holds the maintenance lock and has made sure no transactor is alive; `beforeWrite`
 * runs before every batch (it re-checks that), and the abort signal is checked there too.
 */
import { throwIfAborted } from '../../abort.js';
import type { PgClient } from '../../postgres/client.js';
import { DtxError, ExitCode } from '../../errors.js';
import { readCatalog, removeDeletedId, type Catalog } from '../catalog.js';
import { KVS_TABLE, kvsQuery, type Queryable } from '../kvs.js';
import { ROW_KINDS, type RowKind } from './ids.js';
import { deleteListed } from './delete-listed.js';
import { markStorage } from './mark-all.js';
import { walkDatabase, type Level, type WalkProblem } from './walk.js';

export const PURGE_KINDS = [...ROW_KINDS, 'garbage'] as const;
export type PurgeKind = (typeof PURGE_KINDS)[number];
const KIND_CODE = new Map<PurgeKind, number>(PURGE_KINDS.map((k, i) => [k, i]));

export interface PurgeProgress {
  phase: 'marking' | 'walking' | 'deleting';
  /** rows deleted so far / rows to delete (deleting phase) */
  done: number;
  total: number;
}

export interface PurgeOptions {
  dryRun?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: PurgeProgress) => void;
  /** rows per DELETE (default 5000) */
  batchSize?: number;
  /** runs before every write; throws to stop (e.g. a transactor came alive) */
  beforeWrite?: () => Promise<void>;
  /** ids to show in the plan (default 5) */
  sampleSize?: number;
  /** called with the plan before anything is deleted; throws to stop (e.g. a declined prompt) */
  confirm?: (plan: PurgeResult) => Promise<void>;
  /** dry run only: plan the purge of a LIVE database as if it were deleted (for `db delete --purge --dry-run`) */
  asIfDeleted?: boolean;
}

export interface KindCount {
  rows: number;
  bytes: number;
}

export interface PurgeResult {
  dbId: string;
  dryRun: boolean;
  /** rows deleted (or, with dryRun, that would be) */
  rows: number;
  bytes: number;
  byKind: Record<PurgeKind, KindCount>;
  /** rows of this database that another database reaches too: kept */
  kept: number;
  sample: string[];
  /** the db-id was dropped from :datomic/deleted */
  removedFromCatalog: boolean;
  catalogRev: number | null;
  /** parts of its trees that could not be read: rows below them are left (storage gc sweeps them) */
  problems: WalkProblem[];
  ms: number;
}

function emptyCounts(): Record<PurgeKind, KindCount> {
  return Object.fromEntries(PURGE_KINDS.map((k) => [k, { rows: 0, bytes: 0 }])) as Record<PurgeKind, KindCount>;
}

const q = kvsQuery('purging');

/** Checks that dbId may be purged: in :datomic/deleted, not a live database. */
export function purgeTarget(catalog: Catalog, dbId: string): void {
  const live = catalog.databases.find((d) => d.dbId === dbId);
  if (live) {
    throw new DtxError({
      code: 'DB_NOT_DELETED',
      message: `db-id ${dbId} belongs to the live database ${JSON.stringify(live.name)}; only deleted databases can be purged`,
      hint: `Delete it first: \`dtx db delete ${live.name} --purge\`.`,
      exitCode: ExitCode.usage,
    });
  }
  if (!catalog.deleted.includes(dbId)) {
    throw new DtxError({
      code: 'DB_NOT_FOUND',
      message: `db-id ${dbId} is not in the catalog's deleted set`,
      hint: 'List deleted databases with `dtx db list`. Rows no catalog entry reaches are swept by `dtx storage gc`.',
      exitCode: ExitCode.notFound,
    });
  }
}

/** The rows of one or more databases, with levels, in a temp table (`dtx_purge`). */
export class PurgeSet {
  private constructor(
    private readonly c: Queryable,
    private readonly batch: number,
  ) {}

  static async create(c: Queryable, batch = 5000): Promise<PurgeSet> {
    await q(c, 'drop table if exists pg_temp.dtx_purge');
    await q(c, 'create temp table dtx_purge (id text primary key, kind smallint not null, level smallint not null, ord int not null default 0)');
    return new PurgeSet(c, batch);
  }

  private async put(kind: PurgeKind, ids: readonly string[], level: Level, ord?: (i: number) => number): Promise<void> {
    for (let i = 0; i < ids.length; i += this.batch) {
      const part = ids.slice(i, i + this.batch);
      await q(
        this.c,
        `insert into dtx_purge (id, kind, level, ord) select x.id, $2, $3, x.ord from unnest($1::text[], $4::int[]) as x(id, ord)
           on conflict (id) do update set level = least(dtx_purge.level, excluded.level)`,
        [part, KIND_CODE.get(kind), level, part.map((_, j) => (ord ? ord(i + j) : 0))],
      );
    }
  }

  /**
   * Walks dbId's trees into the set: its rows at their levels and the garbage its gc tree lists
   * (level 0). Missing rows are expected (an earlier run may have been interrupted): only other
   * problems are returned.
   */
  async addDatabase(dbId: string, signal?: AbortSignal): Promise<WalkProblem[]> {
    const walk = await walkDatabase(
      this.c,
      dbId,
      {
        // log tail rows come newest first: delete the oldest first (ord = distance from the oldest)
        add: (kind: RowKind, ids: readonly string[], level: Level) => this.put(kind, ids, level, kind === 'logTail' ? (i) => ids.length - 1 - i : undefined),
        garbage: async (entries) => {
          for (const e of entries) {
            if (e.vals.length) {
              await q(this.c, 'insert into dtx_purge (id, kind, level) select x, $2, 0 from unnest($1::text[]) as x on conflict (id) do nothing', [
                e.vals,
                KIND_CODE.get('garbage'),
              ]);
            }
          }
        },
      },
      { signal },
    );
    return walk.problems.filter((p) => !/ is missing$/.test(p.problem));
  }

  /** What deleting would remove (rows present and not in the keep set `dtx_mark`), by kind. */
  async plan(sampleSize = 5): Promise<{ rows: number; bytes: number; byKind: Record<PurgeKind, KindCount>; kept: number; sample: string[] }> {
    const plan = await q<{ kind: number; rows: string; bytes: string }>(
      this.c,
      `select p.kind, count(*)::text as rows, coalesce(sum(octet_length(k.val)), 0)::text as bytes
         from dtx_purge p join ${KVS_TABLE} k on k.id = p.id
        where not exists (select 1 from dtx_mark m where m.id = p.id)
        group by p.kind`,
    );
    const [keptRow] = await q<{ n: string }>(
      this.c,
      'select count(*)::text as n from dtx_purge p where exists (select 1 from dtx_mark m where m.id = p.id) and p.kind <> $1',
      [KIND_CODE.get('garbage')],
    );
    const sample = (
      await q<{ id: string }>(
        this.c,
        `select p.id from dtx_purge p join ${KVS_TABLE} k on k.id = p.id where not exists (select 1 from dtx_mark m where m.id = p.id) order by p.level, p.id limit $1`,
        [sampleSize],
      )
    ).map((r) => r.id);
    const byKind = emptyCounts();
    let rows = 0;
    let bytes = 0;
    for (const r of plan) {
      const k = PURGE_KINDS[r.kind]!;
      byKind[k] = { rows: Number(r.rows), bytes: Number(r.bytes) };
      rows += Number(r.rows);
      bytes += Number(r.bytes);
    }
    return { rows, bytes, byKind, kept: Number(keptRow?.n ?? 0), sample };
  }

  /**
   * Deletes the set's rows that the keep set does not hold, by primary key in batches, level by
   * level from the bottom; `check` runs before every batch. Returns the rows deleted.
   */
  async delete(check: () => Promise<void>, onProgress?: (done: number) => void): Promise<number> {
    let done = 0;
    for (let level = 0; level <= 5; level++) {
      await deleteListed(this.c, {
        table: 'dtx_purge', where: 'level = $1', params: [level], order: 'ord, id', batch: this.batch, spareMarked: true, what: 'purging', check,
        onBatch: (n) => onProgress?.((done += n)),
      });
    }
    return done;
  }

  /** Rows of the set present in the table now, whatever the keep set says. */
  async present(): Promise<KindCount> {
    const [r] = await q<{ rows: string; bytes: string }>(
      this.c,
      `select count(*)::text as rows, coalesce(sum(octet_length(k.val)), 0)::text as bytes from dtx_purge p join ${KVS_TABLE} k on k.id = p.id`,
    );
    return { rows: Number(r?.rows ?? 0), bytes: Number(r?.bytes ?? 0) };
  }

  async drop(): Promise<void> {
    await q(this.c, 'drop table if exists pg_temp.dtx_purge');
  }
}

export async function purgeDatabase(c: PgClient, dbId: string, opts: PurgeOptions = {}): Promise<PurgeResult> {
  const started = performance.now();
  const progress = (p: PurgeProgress) => opts.onProgress?.(p);
  const check = async () => {
    throwIfAborted(opts.signal);
    await opts.beforeWrite?.();
    throwIfAborted(opts.signal);
  };
  const catalog = await readCatalog(c);
  if (!(opts.asIfDeleted && opts.dryRun && catalog.databases.some((d) => d.dbId === dbId))) purgeTarget(catalog, dbId);

  // 1. the keep set
  progress({ phase: 'marking', done: 0, total: 0 });
  const { store } = await markStorage(c, catalog, { signal: opts.signal, exclude: dbId });

  // 2. this database's rows, with their levels
  progress({ phase: 'walking', done: 0, total: 0 });
  const set = await PurgeSet.create(c, opts.batchSize);
  const problems = await set.addDatabase(dbId, opts.signal);
  const plan = await set.plan(opts.sampleSize);
  const result: PurgeResult = {
    dbId, dryRun: Boolean(opts.dryRun), ...plan, removedFromCatalog: false, catalogRev: catalog.rev, problems, ms: 0,
  };
  if (opts.dryRun) {
    await set.drop();
    await store.drop();
    result.ms = Math.round(performance.now() - started);
    return result;
  }
  if (opts.confirm) await opts.confirm(result);

  // 3. delete, bottom up, in batches by primary key
  progress({ phase: 'deleting', done: 0, total: result.rows });
  await set.delete(check, (done) => progress({ phase: 'deleting', done, total: result.rows }));
  await set.drop();
  await store.drop();

  // 4. the catalog
  await check();
  const w = await removeDeletedId(c, dbId, { beforeWrite: check });
  result.removedFromCatalog = w.written;
  result.catalogRev = w.rev;
  result.ms = Math.round(performance.now() - started);
  return result;
}
