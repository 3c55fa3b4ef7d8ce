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

/** Datomic's `(str (uuid->val-key base) "_" (format "%015X" n))`. */
export function chunkKey(base: string, n: number): string {
  return `${base}_${n.toString(16).toUpperCase().padStart(15, '0')}`;
}
