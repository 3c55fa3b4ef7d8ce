/**
 * Row ids in datomic_kvs and what they tell without fetching anything (docs/datomic-storage.md):
 * - Datomic names every value row by a squuid: a uuid whose first 32 bits are the Unix seconds of
 *   its creation, so the id dates the row.
 * - Fulltext chunks are `<uuid>_<15 hex>`: the clusterfs file's base uuid and the chunk number,
 *   computed (never stored as a list).
 * - Named roots carry the db-id after a slash: `pod-log-tail/<db-id>`, `ref-index-root/<db-id>`,
 *   `ref-gc-root/<db-id>`, `ref-log-root/<db-id>`.
 */

/** The kinds of rows that make up one database's footprint. */
export const ROW_KINDS = ['root', 'logTail', 'index', 'log', 'gc', 'fulltext'] as const;
export type RowKind = (typeof ROW_KINDS)[number];

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CHUNK_RE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_[0-9A-Fa-f]{15}$/;

export function isUuidId(id: string): boolean {
  return UUID_RE.test(id);
}

export function isChunkId(id: string): boolean {
  return CHUNK_RE.test(id);
}

/** The first Datomic release was in 2012; squuid seconds before it are not squuids. */
const EARLIEST_SQUUID_S = Date.UTC(2012, 0, 1) / 1000;

/**
 * When a row whose id is a squuid (or a squuid-based chunk key) was written, in ms; null for ids
 * that do not date themselves (named roots, pod rows, anything else) and for implausible dates
 * (before 2012 or more than a day after `nowMs`: a random uuid, not a squuid).
 */
export function squuidTimeMs(id: string, nowMs = Date.now()): number | null {
  const m = CHUNK_RE.exec(id);
  const uuid = m ? m[1]! : UUID_RE.test(id) ? id : null;
  if (!uuid) return null;
  const s = parseInt(uuid.slice(0, 8), 16);
  if (s < EARLIEST_SQUUID_S || s * 1000 > nowMs + 86_400_000) return null;
  return s * 1000;
}

/** Datomic's `(str (uuid->val-key base) "_" (format "%015X" n))`. */
export function chunkKey(base: string, n: number): string {
  return `${base}_${n.toString(16).toUpperCase().padStart(15, '0')}`;
}

/** A squuid as Datomic makes them: 32 bits of Unix seconds, then the rest of a random v4 uuid. */
export function squuid(nowMs = Date.now(), random: () => string = () => globalThis.crypto.randomUUID()): string {
  const secs = Math.floor(nowMs / 1000).toString(16).padStart(8, '0');
  return `${secs}${random().slice(8)}`;
}
