/**
 * The marks of a storage walk, kept in PostgreSQL rather than in Node's heap: the ids of a large
 * table do not fit in memory, so every id a walk reaches goes into a temporary table (in batches),
 * and sizes, shared rows, missing rows and the unreferenced rest are computed by joins there.
 *
 *   dtx_mark(id, owner, kind)      a row reached from owner's roots (an owner is a database, the
 *                                  catalog or the system rows); (id, owner) is the key, so a row
 *                                  two databases reach has two marks
 *   dtx_garbage(id, owner, tstamp) an id that owner's gc tree lists as garbage since tstamp
 *   dtx_gcnode(id, owner, level, newest)  a gc dir or leaf and the newest :tstamp under it
 *
 * The tables are temporary (dropped with the connection, or at the end of the caller's
 * transaction with `onCommitDrop`), so nothing is ever written to datomic_kvs or left behind.
 */
import { DtxError } from '../../errors.js';
import { KVS_TABLE, translateKvsError, type Queryable } from '../kvs.js';
import { ROW_KINDS, type RowKind } from './ids.js';
import type { GarbageEntry } from './nodes.js';
import type { WalkProblem } from './walk.js';

const FLUSH_AT = 5000;
const TABLES = 'pg_temp.dtx_mark, pg_temp.dtx_garbage, pg_temp.dtx_gcnode';
const KIND_CODE = new Map(ROW_KINDS.map((k, i) => [k, i]));

export interface KindTotals {
  rows: number;
  bytes: number;
}

export interface OwnerTotals {
  owner: number;
  rows: number;
  bytes: number;
  byKind: Record<RowKind, KindTotals>;
  /** rows this owner reaches that another owner reaches too */
  shared: number;
  /** ids this owner's trees reference that are not in the table */
  missing: number;
  /** a few of the missing ids */
  missingSample: string[];
}

/** The problem to report when an owner's trees reference rows that are not in the table (else null). */
export function missingRowsProblem(dbId: string, t: OwnerTotals | undefined): WalkProblem | null {
  if (!t || t.missing === 0) return null;
  const n = t.missing;
  return {
    dbId,
    id: t.missingSample[0] ?? '?',
    problem: `${n} row${n === 1 ? '' : 's'} its trees reference ${n === 1 ? 'is' : 'are'} missing (e.g. ${t.missingSample.join(', ')})`,
  };
}

export function emptyByKind(): Record<RowKind, KindTotals> {
  return Object.fromEntries(ROW_KINDS.map((k) => [k, { rows: 0, bytes: 0 }])) as Record<RowKind, KindTotals>;
}

async function q<R extends object>(c: Queryable, text: string, values: unknown[] = []): Promise<R[]> {
  try {
    return (await c.query<R>(text, values)).rows;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === '42501' && /temporary|temp/i.test(err.message ?? '')) {
      throw new DtxError({
        code: 'KVS_NO_TEMP',
        message: `walking storage needs a temporary table, and this role may not create one (${err.message ?? ''})`,
        hint: 'Grant it: GRANT TEMPORARY ON DATABASE <storage database> TO <storage role>; (PostgreSQL grants it to PUBLIC by default).',
        cause: e,
      });
    }
    throw translateKvsError(e, 'walking storage');
  }
}

export class MarkStore {
  private pending = new Map<string, { owner: number; kind: number; ids: Set<string> }>();
  private pendingGarbage = new Map<string, { owner: number; tstamp: number; ids: Set<string> }>();
  private pendingCount = 0;

  private constructor(private readonly c: Queryable) {}

  /** Creates the temporary tables on this connection (they vanish with it, or at commit). */
  static async create(c: Queryable, opts: { onCommitDrop?: boolean } = {}): Promise<MarkStore> {
    const drop = opts.onCommitDrop ? ' on commit drop' : '';
    await q(c, `drop table if exists ${TABLES}`);
    await q(c, `create temp table dtx_mark (id text not null, owner int not null, kind smallint not null, primary key (id, owner))${drop}`);
    await q(c, `create temp table dtx_garbage (id text not null, owner int not null, tstamp bigint not null, primary key (id, owner))${drop}`);
    await q(c, `create temp table dtx_gcnode (id text not null, owner int not null, level text not null, newest double precision not null, primary key (id, owner))${drop}`);
    return new MarkStore(c);
  }

  /** Drops the tables now (they would go with the connection anyway). */
  async drop(): Promise<void> {
    await q(this.c, `drop table if exists ${TABLES}`);
  }

  /** A sink for one owner, to hand to walkDatabase. */
  sink(owner: number) {
    return {
      add: (kind: RowKind, ids: readonly string[]) => this.add(owner, kind, ids),
      garbage: (entries: readonly GarbageEntry[]) => this.addGarbage(owner, entries),
      gcNode: (n: { id: string; level: 'dir' | 'leaf'; newestMs: number }) => this.addGcNode(owner, n),
    };
  }

  /** gc nodes are few (one per 1000 garbage ids): written at once. */
  async addGcNode(owner: number, n: { id: string; level: 'dir' | 'leaf'; newestMs: number }): Promise<void> {
    await q(
      this.c,
      'insert into dtx_gcnode (id, owner, level, newest) values ($1, $2, $3, $4) on conflict do nothing',
      [n.id, owner, n.level, Number.isFinite(n.newestMs) ? n.newestMs : 'Infinity'],
    );
  }

  async add(owner: number, kind: RowKind, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const key = `${owner}/${kind}`;
    let p = this.pending.get(key);
    if (!p) this.pending.set(key, (p = { owner, kind: KIND_CODE.get(kind)!, ids: new Set() }));
    for (const id of ids) p.ids.add(id);
    this.pendingCount += ids.length;
    if (this.pendingCount >= FLUSH_AT) await this.flush();
  }

  async addGarbage(owner: number, entries: readonly GarbageEntry[]): Promise<void> {
    for (const e of entries) {
      const key = `${owner}/${e.tstampMs}`;
      let p = this.pendingGarbage.get(key);
      if (!p) this.pendingGarbage.set(key, (p = { owner, tstamp: e.tstampMs, ids: new Set() }));
      for (const id of e.vals) p.ids.add(id);
      this.pendingCount += e.vals.length;
    }
    if (this.pendingCount >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    for (const p of this.pending.values()) {
      const ids = [...p.ids];
      for (let i = 0; i < ids.length; i += FLUSH_AT) {
        await q(
          this.c,
          'insert into dtx_mark (id, owner, kind) select x, $2, $3 from unnest($1::text[]) as x on conflict do nothing',
          [ids.slice(i, i + FLUSH_AT), p.owner, p.kind],
        );
      }
    }
    for (const p of this.pendingGarbage.values()) {
      const ids = [...p.ids];
      for (let i = 0; i < ids.length; i += FLUSH_AT) {
        // the earliest entry dates an id listed twice
        await q(
          this.c,
          `insert into dtx_garbage (id, owner, tstamp) select x, $2, $3 from unnest($1::text[]) as x
             on conflict (id, owner) do update set tstamp = least(dtx_garbage.tstamp, excluded.tstamp)`,
          [ids.slice(i, i + FLUSH_AT), p.owner, p.tstamp],
        );
      }
    }
    this.pending.clear();
    this.pendingGarbage.clear();
    this.pendingCount = 0;
  }

  /** Rows, bytes, kinds, shared and missing rows per owner (an owner with no marks is absent). */
  async totals(): Promise<Map<number, OwnerTotals>> {
    await this.flush();
    const rows = await q<{ owner: number; kind: number; rows: string; bytes: string; missing: string; shared: string }>(
      this.c,
      `select m.owner, m.kind,
              count(k.id)::text as rows,
              coalesce(sum(octet_length(k.val)), 0)::text as bytes,
              (count(*) - count(k.id))::text as missing,
              count(*) filter (where k.id is not null and exists (select 1 from dtx_mark o where o.id = m.id and o.owner <> m.owner))::text as shared
         from dtx_mark m left join ${KVS_TABLE} k on k.id = m.id
        group by m.owner, m.kind`,
    );
    const out = new Map<number, OwnerTotals>();
    for (const r of rows) {
      let t = out.get(r.owner);
      if (!t) out.set(r.owner, (t = { owner: r.owner, rows: 0, bytes: 0, byKind: emptyByKind(), shared: 0, missing: 0, missingSample: [] }));
      const kind = ROW_KINDS[r.kind]!;
      const n = Number(r.rows);
      const b = Number(r.bytes);
      t.byKind[kind].rows += n;
      t.byKind[kind].bytes += b;
      t.rows += n;
      t.bytes += b;
      t.shared += Number(r.shared);
      t.missing += Number(r.missing);
    }
    for (const t of out.values()) {
      if (t.missing === 0) continue;
      const s = await q<{ id: string }>(
        this.c,
        `select m.id from dtx_mark m where m.owner = $1 and not exists (select 1 from ${KVS_TABLE} k where k.id = m.id) order by m.id limit 5`,
        [t.owner],
      );
      t.missingSample = s.map((x) => x.id);
    }
    return out;
  }
}
