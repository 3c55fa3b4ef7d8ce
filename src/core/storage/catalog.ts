/**
 * The Datomic catalog (docs/datomic-storage.md §6): `pod-catalog` {:tail "<uuid>"} -> tail row whose val is
 * the UTF-8 printed catalog `{"<name>" {:db-id "<id>"}, ..., :datomic/deleted #{"<id>" ...}}`.
 *
 * Reading uses point lookups only. Writing does exactly what Datomic does: insert a NEW tail row
 * (fresh uuid, rev NULL, map `{}`, val = whole printed catalog), then CAS-update `pod-catalog`
 * (rev+1, new :tail) — or insert it with rev 0 when absent. Old tail rows are never written.
 * Each attempt is one short transaction; CAS conflicts are retried (bounded, with jitter).
 */
import { squuid } from './squuid.js';
import type { PgClient } from '../postgres/client.js';
import { withTransaction } from '../postgres/client.js';
import { DtxError, ExitCode } from '../errors.js';
import { readEdn, readEdnAll, printEdn, EdnMap, EdnSet, kw, type Keyword, type EdnValue } from '../edn/index.js';
import { casRef, getRow, insertRef, insertValue, isUniqueViolation, type Queryable } from './kvs.js';
import { suggestNames, validateDbName } from '../datomic/dbname.js';
import { abortableSleep, throwIfAborted } from '../abort.js';

export const CATALOG_POD_ID = 'pod-catalog';
export const DELETED_KEY: Keyword = kw('datomic/deleted');
export const DB_ID_KEY: Keyword = kw('db-id');
const TAIL_KEY = kw('tail');
const PREV_KEY = kw('prev');
/** Safety bound on the :prev chain (cycle and runaway protection). */
const MAX_CHAIN = 10_000;

export interface CatalogEntry {
  name: string;
  dbId: string;
}

export interface Catalog {
  /** rev of pod-catalog; null when there is no pod-catalog row (no database was ever created). */
  rev: number | null;
  /** id of the newest tail row (pod-catalog's :tail); null when empty. */
  tailId: string | null;
  /** tail row ids, newest first (length > 1 only for a :prev chain). */
  chain: string[];
  /** live databases, sorted by name (code unit order). */
  databases: CatalogEntry[];
  /** db-ids in :datomic/deleted, in catalog order. */
  deleted: string[];
  /** The whole catalog value (merged over the chain). Callers must not mutate it; use clone(). */
  value: EdnMap;
  /** The raw printed EDN of each tail row, oldest first. */
  raw: string[];
}

function corrupt(message: string, details?: Record<string, unknown>, cause?: unknown): DtxError {
  return new DtxError({
    code: 'CATALOG_CORRUPT',
    message: `the Datomic catalog is unreadable: ${message}`,
    hint:
      'dtx will not guess or rewrite it. Inspect the rows with `dtx db inspect` / psql (select id, rev, map from datomic_kvs where id = \'pod-catalog\'), ' +
      'restore the storage from a backup, or ask Datomic support.',
    details,
    cause,
  });
}

function emptyCatalog(): Catalog {
  return { rev: null, tailId: null, chain: [], databases: [], deleted: [], value: new EdnMap(), raw: [] };
}

function readMapColumn(text: string, id: string): EdnMap {
  let v: EdnValue;
  try {
    v = readEdn(text === '' ? '{}' : text);
  } catch (e) {
    throw corrupt(`the map column of row ${id} is not valid EDN (${(e as Error).message})`, { id }, e);
  }
  if (!(v instanceof EdnMap)) throw corrupt(`the map column of row ${id} is not an EDN map`, { id });
  return v;
}

function uuidRef(m: EdnMap, key: Keyword, id: string): string | null {
  const v = m.get(key);
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v === '') throw corrupt(`row ${id} has a non-string ${key.toString()}`, { id });
  return v;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * How the real peer combines tail rows linked by :prev (VERIFIED against com.datomic/peer 1.0.7556,
 * datomic.catalog, in test/integration/real-peer.test.ts): it joins the rows' raw bytes oldest
 * first and reads ONE form with clojure.edn/read-string. A split in the middle of a token is fine;
 * if every row holds a complete map, only the oldest is read and the rest is ignored. dtx does the
 * same, so `dtx db list` shows exactly what `d/get-database-names` shows.
 */
function combineParts(parts: Buffer[], chain: string[]): EdnMap {
  const where = parts.length === 1 ? `tail row ${chain[0] ?? '?'}` : `the ${parts.length} tail rows (${chain.join(' <- ')})`;
  let text: string;
  try {
    text = utf8.decode(Buffer.concat(parts));
  } catch (e) {
    throw corrupt(`${where} are not UTF-8`, { chain }, e);
  }
  let forms: EdnValue[];
  try {
    forms = readEdnAll(text);
  } catch (e) {
    throw corrupt(`${where} ${parts.length === 1 ? 'does' : 'do'} not hold valid EDN (${(e as Error).message})`, { chain }, e);
  }
  const first = forms[0];
  if (!(first instanceof EdnMap)) throw corrupt(`${where} ${parts.length === 1 ? 'does' : 'do'} not hold an EDN map`, { chain });
  return first;
}

/** Validates the catalog value's shape and extracts databases and deleted ids. */
export function interpretCatalogValue(value: EdnMap): { databases: CatalogEntry[]; deleted: string[] } {
  const databases: CatalogEntry[] = [];
  let deleted: string[] = [];
  const ids = new Map<string, string>();
  for (const [k, v] of value) {
    if (typeof k === 'string') {
      if (!(v instanceof EdnMap)) throw corrupt(`the entry for database ${JSON.stringify(k)} is not a map`, { name: k });
      const id = v.get(DB_ID_KEY);
      if (typeof id !== 'string' || id === '') throw corrupt(`the entry for database ${JSON.stringify(k)} has no :db-id string`, { name: k });
      const other = ids.get(id);
      if (other !== undefined) throw corrupt(`databases ${JSON.stringify(other)} and ${JSON.stringify(k)} share db-id ${id}`, { dbId: id });
      ids.set(id, k);
      databases.push({ name: k, dbId: id });
    } else if (k === DELETED_KEY) {
      if (v === null) continue;
      if (!(v instanceof EdnSet)) throw corrupt(':datomic/deleted is not a set');
      deleted = [];
      for (const x of v) {
        if (typeof x !== 'string') throw corrupt(':datomic/deleted contains a non-string');
        deleted.push(x);
      }
    }
    // other keys: unknown to dtx, kept untouched in `value`
  }
  databases.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { databases, deleted };
}

/** Reads the catalog with point lookups. No pod-catalog row -> empty catalog with rev null. */
export async function readCatalog(c: Queryable): Promise<Catalog> {
  const pod = await getRow(c, CATALOG_POD_ID);
  if (!pod) return emptyCatalog();
  if (pod.rev === null) throw corrupt('pod-catalog has no rev', { id: CATALOG_POD_ID });
  const podMap = readMapColumn(pod.map, CATALOG_POD_ID);
  const tailId = uuidRef(podMap, TAIL_KEY, CATALOG_POD_ID);
  if (tailId === null) throw corrupt('pod-catalog has no :tail', { id: CATALOG_POD_ID, map: pod.map });
  const chain: string[] = [];
  const parts: Buffer[] = [];
  let next: string | null = tailId;
  let from = CATALOG_POD_ID;
  while (next !== null) {
    if (chain.includes(next)) throw corrupt(`the :prev chain of the catalog loops at ${next}`, { chain });
    if (chain.length >= MAX_CHAIN) throw corrupt(`the :prev chain of the catalog is longer than ${MAX_CHAIN}`, { tailId });
    const row = await getRow(c, next);
    if (!row) throw corrupt(`tail row ${next} (referenced by ${from}) is missing`, { id: next, referencedBy: from });
    if (row.val === null) throw corrupt(`tail row ${next} has no value bytes`, { id: next });
    chain.push(next);
    parts.push(row.val);
    const m = readMapColumn(row.map, next);
    from = next;
    next = uuidRef(m, PREV_KEY, next);
  }
  // chain is newest first; parts are combined oldest first
  const oldestFirst = [...parts].reverse();
  const value = combineParts(oldestFirst, [...chain].reverse());
  const raw = oldestFirst.map((b) => b.toString('utf8'));
  const { databases, deleted } = interpretCatalogValue(value);
  return { rev: pod.rev, tailId, chain, databases, deleted, value, raw };
}

/** What an update function returns: the whole next catalog value plus what it means to remove. */
export interface CatalogChange {
  value: EdnMap;
  /** database names the change intends to remove (anything else lost is refused). */
  removeNames?: string[];
  /** db-ids the change intends to drop from :datomic/deleted. */
  removeDeleted?: string[];
}

export interface WriteCatalogOptions {
  /** Attempts before giving up on CAS conflicts (default 10). */
  maxAttempts?: number;
  /**
   * Extra work done in the same transaction, after `update` returned (also when it returned null)
   * and before the catalog write (e.g. purge's row deletes). Repeated on each retried attempt.
   */
  inTransaction?: (c: Queryable, current: Catalog) => Promise<void>;
  /** Runs before each attempt's writes (e.g. checks the abort signal or that no transactor came alive); throws to stop. */
  beforeWrite?: () => Promise<void>;
  /** For tests: delay between attempts (default: 5..50 ms * attempt, random jitter). */
  backoffMs?: (attempt: number) => number;
  /** Ctrl-C: checked before each attempt and before each write of it; an abort rolls the attempt back. */
  signal?: AbortSignal;
}

export interface WriteCatalogResult {
  /** false when the update function returned null (nothing to change). */
  written: boolean;
  attempts: number;
  before: Catalog;
  /** rev and tail of pod-catalog after the write (unchanged when not written). */
  rev: number | null;
  tailId: string | null;
  value: EdnMap;
}

/**
 * Refuses a next catalog that would lose something not declared in the change, or is malformed.
 * Exported for tests.
 */
export function validateCatalogChange(current: Catalog, change: CatalogChange): void {
  const refuse = (msg: string): DtxError =>
    new DtxError({
      code: 'CATALOG_WRITE_REFUSED',
      message: `refusing to write the catalog: ${msg}`,
      hint: 'This is a bug in dtx or a concurrent change; nothing was written.',
    });
  if (!(change.value instanceof EdnMap)) throw refuse('the new value is not a map');
  let next: { databases: CatalogEntry[]; deleted: string[] };
  try {
    next = interpretCatalogValue(change.value);
  } catch (e) {
    throw refuse(`the new value is malformed (${(e as Error).message})`);
  }
  const removeNames = new Set(change.removeNames ?? []);
  const removeDeleted = new Set(change.removeDeleted ?? []);
  const nextNames = new Map(next.databases.map((d) => [d.name, d.dbId]));
  for (const d of current.databases) {
    const id = nextNames.get(d.name);
    if (id === undefined && !removeNames.has(d.name)) throw refuse(`database ${JSON.stringify(d.name)} would be lost`);
    if (id !== undefined && id !== d.dbId) throw refuse(`database ${JSON.stringify(d.name)} would change its db-id`);
  }
  const nextDeleted = new Set(next.deleted);
  for (const id of current.deleted) {
    if (!nextDeleted.has(id) && !removeDeleted.has(id)) throw refuse(`deleted db-id ${id} would be dropped from :datomic/deleted`);
  }
  const liveIds = new Set(next.databases.map((d) => d.dbId));
  for (const id of nextDeleted) {
    if (liveIds.has(id)) throw refuse(`db-id ${id} would be both live and deleted`);
  }
  for (const [k, v] of current.value) {
    if (typeof k === 'string' || k === DELETED_KEY) continue;
    if (!change.value.has(k) || printEdn(change.value.get(k) ?? null) !== printEdn(v)) {
      throw refuse(`catalog key ${printEdn(k)} would be lost or changed`);
    }
  }
  const text = printEdn(change.value);
  const back = readEdn(text);
  if (!(back instanceof EdnMap) || printEdn(back) !== text) throw refuse('the printed catalog does not read back identically');
}

class CasConflict extends Error {}

/**
 * Rewrites the catalog exactly as Datomic does, retrying on CAS conflicts. `update` receives the
 * freshly read catalog on each attempt and returns the whole next value (or null: nothing to do).
 * It may throw (e.g. DB_NOT_FOUND) to abort without writing.
 */
export async function writeCatalog(
  client: PgClient,
  update: (current: Catalog) => CatalogChange | null,
  opts: WriteCatalogOptions = {},
): Promise<WriteCatalogResult> {
  const maxAttempts = opts.maxAttempts ?? 10;
  const backoff = opts.backoffMs ?? ((n: number) => Math.floor(Math.random() * 45 * n) + 5);
  const { signal } = opts;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    try {
      return await withTransaction(client, async () => {
        const current = await readCatalog(client);
        const change = update(current);
        throwIfAborted(signal);
        if (change === null) {
          if (opts.inTransaction) await opts.inTransaction(client, current);
          throwIfAborted(signal); // before COMMIT: an abort rolls back what inTransaction did
          return { written: false, attempts: attempt, before: current, rev: current.rev, tailId: current.tailId, value: current.value };
        }
        validateCatalogChange(current, change);
        if (opts.beforeWrite) await opts.beforeWrite();
        if (opts.inTransaction) await opts.inTransaction(client, current);
        const text = printEdn(change.value);
        // a squuid, like Datomic's own ids, so a superseded tail row dates itself
        const newTail = squuid();
        throwIfAborted(signal);
        await insertValue(client, newTail, '{}', Buffer.from(text, 'utf8'));
        const podMap = printEdn(new EdnMap([[TAIL_KEY, newTail]]));
        let newRev: number;
        throwIfAborted(signal);
        if (current.rev === null) {
          newRev = 0;
          try {
            await insertRef(client, CATALOG_POD_ID, 0, podMap);
          } catch (e) {
            if (isUniqueViolation(e)) throw new CasConflict();
            throw e;
          }
        } else {
          newRev = current.rev + 1;
          if (!(await casRef(client, CATALOG_POD_ID, current.rev, newRev, podMap))) throw new CasConflict();
        }
        throwIfAborted(signal); // before COMMIT
        return { written: true, attempts: attempt, before: current, rev: newRev, tailId: newTail, value: change.value };
      });
    } catch (e) {
      if (!(e instanceof CasConflict) && !isSerializationFailure(e)) throw e;
      if (attempt >= maxAttempts) {
        throw new DtxError({
          code: 'CATALOG_CONFLICT',
          message: `the catalog kept changing concurrently; gave up after ${attempt} attempts`,
          hint: 'Another process (a transactor or another dtx) is writing the catalog; stop it and retry.',
        });
      }
      await abortableSleep(backoff(attempt), signal);
    }
  }
}

function isSerializationFailure(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === '40001' || code === '40P01';
}

/** DB_NOT_FOUND (exit 3) with "did you mean" suggestions from the catalog's names. */
export function databaseNotFound(name: string, current: Catalog): DtxError {
  const sugg = suggestNames(name, current.databases.map((d) => d.name));
  return new DtxError({
    code: 'DB_NOT_FOUND',
    message: `database ${JSON.stringify(name)} does not exist`,
    hint: sugg.length > 0 ? `Did you mean ${sugg.map((s) => JSON.stringify(s)).join(' or ')}?` : 'List the databases with `dtx db list`.',
    exitCode: ExitCode.notFound,
    details: { name, suggestions: sugg },
  });
}

function deletedSet(value: EdnMap): EdnSet {
  const d = value.get(DELETED_KEY);
  return d instanceof EdnSet ? d.clone() : new EdnSet();
}

export interface DeleteResult {
  name: string;
  dbId: string;
  rev: number | null;
  tailId: string | null;
}

/**
 * Offline delete (the caller guarantees no transactor is running): removes the name and adds its
 * db-id to :datomic/deleted, keeping every other key of the catalog (even unknown ones).
 */
export async function deleteDatabaseOffline(client: PgClient, name: string, opts: WriteCatalogOptions = {}): Promise<DeleteResult> {
  let dbId = '';
  const r = await writeCatalog(
    client,
    (current) => {
      const entry = current.databases.find((d) => d.name === name);
      if (!entry) throw databaseNotFound(name, current);
      dbId = entry.dbId;
      const next = current.value.clone();
      next.delete(name);
      const del = deletedSet(next);
      del.add(entry.dbId);
      next.set(DELETED_KEY, del);
      return { value: next, removeNames: [name] };
    },
    opts,
  );
  return { name, dbId, rev: r.rev, tailId: r.tailId };
}

/**
 * Offline undelete: re-adds a deleted db-id under a free, valid name and drops it from
 * :datomic/deleted (so gc-deleted-dbs will not collect it).
 */
export async function undeleteOffline(client: PgClient, dbId: string, name: string, opts: WriteCatalogOptions = {}): Promise<DeleteResult> {
  validateDbName(name);
  const r = await writeCatalog(
    client,
    (current) => {
      if (!current.deleted.includes(dbId)) {
        const live = current.databases.find((d) => d.dbId === dbId);
        throw new DtxError({
          code: 'DB_NOT_DELETED',
          message: live ? `db-id ${dbId} is not deleted (it is database ${JSON.stringify(live.name)})` : `db-id ${dbId} is not in :datomic/deleted`,
          hint: 'Deleted databases awaiting gc are listed by `dtx db list`.',
          exitCode: ExitCode.notFound,
        });
      }
      if (current.databases.some((d) => d.name === name)) {
        throw new DtxError({
          code: 'DB_EXISTS',
          message: `a database named ${JSON.stringify(name)} already exists`,
          hint: 'Choose another name for the undeleted database.',
          exitCode: ExitCode.usage,
        });
      }
      const next = current.value.clone();
      const del = deletedSet(next);
      del.delete(dbId);
      next.set(DELETED_KEY, del);
      next.set(name, new EdnMap([[DB_ID_KEY, dbId]]));
      return { value: next, removeDeleted: [dbId] };
    },
    opts,
  );
  return { name, dbId, rev: r.rev, tailId: r.tailId };
}

/**
 * Drops a db-id from :datomic/deleted (after a purge). Idempotent: returns written=false if absent.
 * Refuses (CATALOG_CHANGED) when a live database has that db-id too: its rows are gone.
 */
export async function removeDeletedId(client: PgClient, dbId: string, opts: WriteCatalogOptions = {}): Promise<WriteCatalogResult> {
  return writeCatalog(
    client,
    (current) => {
      if (!current.deleted.includes(dbId)) return null;
      if (current.databases.some((d) => d.dbId === dbId)) {
        throw new DtxError({
          code: 'CATALOG_CHANGED',
          message: `db-id ${dbId} became a live database again during the purge`,
          hint: 'Someone undeleted it while it was being purged; its data is gone. Delete it again.',
        });
      }
      const next = current.value.clone();
      const del = deletedSet(next);
      del.delete(dbId);
      next.set(DELETED_KEY, del);
      return { value: next, removeDeleted: [dbId] };
    },
    opts,
  );
}
