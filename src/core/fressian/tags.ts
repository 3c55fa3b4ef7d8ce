/**
 * Struct tags Datomic registers write handlers for, as found in the peer jar 1.0.7556 (every
 * `writeTag` call site of datomic.index, datomic.log, datomic.transaction, datomic.garbage.fressian,
 * datomic.fulltext, datomic.clusterfs and datomic.fressian; `bigint`, `key` and `sym` go to
 * standard codes). Pass it as `knownTags` to make any other tag a FRESSIAN_UNKNOWN_TAG error.
 */
export const DATOMIC_STRUCT_TAGS: ReadonlySet<string> = new Set([
  'index-root-node',
  'index-dir-node',
  'index-tdata',
  'log-dir',
  'datum',
  'dbid',
  'garbage-root',
  'garbage-dir',
  'garbage-leaf',
  'vec',
  'search-root',
  'clusterfs-root',
  'clusterfs-chunk',
  'datomic/fn',
]);
