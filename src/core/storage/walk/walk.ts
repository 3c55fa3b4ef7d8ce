/**
 * Datomic's tree walk, for one db-id: every row that belongs to the database (docs/datomic-storage.md,
 * "Which rows belong to a database"). It is Datomic's own `datomic.treewalk` (what backup and
 * gc-deleted-dbs use) plus what that walk leaves out: the named root rows, the log tail rows and
 * the gc tree.
 *
 *   root     pod-log-tail/<id>, ref-index-root/<id>, ref-gc-root/<id>, ref-log-root/<id>
 *   logTail  the pod's :tail row and its :prev chain
 *   index    the index root map, index-root-nodes, index-dir-nodes, leaf segments
 *   fulltext search-roots, clusterfs-roots, and the computed chunk keys of their files
 *   log      the log root (:d/r), log dirs, leaf segments
 *   gc       the garbage root, dirs and leaves; the ids the leaves LIST are pending garbage, not
 *            part of the database (reported through `garbage`)
 *
 * Internal nodes are fetched (a level at a time, in batches); leaves are not: their ids go to the
 * sink, which learns their sizes from PostgreSQL. A node that is missing, does not decode or has an
 * unexpected shape is a problem (with its row id) and its subtree is skipped; the walk goes on.
 * Missing gc dirs and leaves are normal (Datomic's gc deletes them but never rewrites the root).
 */
import { throwIfAborted } from '../../abort.js';
import { kw, type EdnValue } from '../../edn/index.js';
import { decodeVal } from '../../fressian/val.js';
import type { Value } from '../../fressian/values.js';
import type { Queryable } from '../kvs.js';
import { decodeMap, rootRowIds } from '../dbrows.js';
import { fetchMaps, fetchVals } from './fetch.js';
import type { RowKind } from './ids.js';
import {
  NodeShapeError,
  clusterfsChunkKeys,
  garbageLeafEntries,
  garbageNodeChildren,
  indexDirSegIds,
  indexRootMapChildren,
  logDirChildren,
  treeTopChildren,
  type GarbageEntry,
} from './nodes.js';

export interface WalkProblem {
  dbId: string;
  id: string;
  problem: string;
}

/**
 * How far a row is from the bottom of its tree: deleting level 0 first, then 1, ... keeps every
 * row that is left reachable from the rows above it (so an interrupted purge can be re-run).
 *   0 leaves (index and log segments, fulltext chunks) and the garbage gc leaves list
 *   1 index dirs, clusterfs roots, log dirs, gc leaves
 *   2 index root nodes, search roots, the log root, gc dirs
 *   3 the index root map, the gc root
 *   4 log tail rows
 *   5 the named root rows
 */
export type Level = 0 | 1 | 2 | 3 | 4 | 5;

export interface WalkSink {
  /** Rows that belong to the database (internal nodes the walk read, and leaves it did not). */
  add(kind: RowKind, ids: readonly string[], level: Level): Promise<void>;
  /** Ids a gc leaf lists as garbage, with the time they became garbage. */
  garbage(entries: readonly GarbageEntry[]): Promise<void>;
  /**
   * A gc dir or leaf and the newest :tstamp under it (Infinity when unknown): Datomic's gc
   * deletes a leaf or dir once everything under it is older than the cutoff. Optional.
   */
  gcNode?(node: { id: string; level: 'dir' | 'leaf'; newestMs: number }): Promise<void>;
}

export interface WalkStats {
  /** internal nodes read */
  nodes: number;
  /** bytes of the vals read */
  bytesFetched: number;
  /** leaf ids handed to the sink (not read) */
  leaves: number;
  /** gc dirs and leaves that were already collected */
  collected: number;
}

export interface WalkOptions {
  signal?: AbortSignal;
  onProgress?: (stats: WalkStats) => void;
  /** Upper bound on the :prev chain of the log tail (cycle and runaway protection). */
  maxTailChain?: number;
}

export interface WalkResult {
  dbId: string;
  /** named root rows present */
  roots: string[];
  problems: WalkProblem[];
  stats: WalkStats;
}

/** Nodes read per round trip at one level of a tree. */
const NODE_GROUP = 200;

const K_TAIL = kw('tail');
const K_PREV = kw('prev');
const K_KEY = kw('key');
const K_DR = kw('d/r');
const K_DL = kw('d/l');

function str(v: EdnValue | undefined): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** One walk over one database's trees, feeding `sink`. */
export async function walkDatabase(c: Queryable, dbId: string, sink: WalkSink, opts: WalkOptions = {}): Promise<WalkResult> {
  const problems: WalkProblem[] = [];
  const stats: WalkStats = { nodes: 0, bytesFetched: 0, leaves: 0, collected: 0 };
  const problem = (id: string, p: string) => problems.push({ dbId, id, problem: p });
  const checkAbort = () => {
    throwIfAborted(opts.signal);
  };
  const progress = () => opts.onProgress?.({ ...stats });

  /**
   * Reads and decodes the nodes `ids` (referenced by `parent` for messages); returns the decoded
   * ones. Missing nodes are problems unless `missingOk`.
   */
  const readNodes = async (ids: string[], what: string, missingOk = false): Promise<{ id: string; value: Value }[]> => {
    checkAbort();
    const out: { id: string; value: Value }[] = [];
    const rows = await fetchVals(c, ids);
    const found = new Set<string>();
    for (const r of rows) {
      found.add(r.id);
      stats.nodes++;
      if (r.val === null) {
        problem(r.id, `${what} has no value bytes`);
        continue;
      }
      stats.bytesFetched += r.val.length;
      try {
        out.push({ id: r.id, value: decodeVal(r.val, { rowId: r.id }) });
      } catch (e) {
        problem(r.id, `${what} does not decode: ${(e as Error).message}`);
      }
    }
    for (const id of ids) {
      if (found.has(id)) continue;
      if (missingOk) stats.collected++;
      else problem(id, `${what} is missing`);
    }
    progress();
    return out;
  };

  /** readNodes over `ids` a group at a time (a level of a big tree has thousands of nodes). */
  async function* eachNode(ids: string[], what: string, missingOk = false): AsyncGenerator<{ id: string; value: Value }> {
    for (let i = 0; i < ids.length; i += NODE_GROUP) yield* await readNodes(ids.slice(i, i + NODE_GROUP), what, missingOk);
  }

  const children = <T>(id: string, what: string, fn: () => T): T | null => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof NodeShapeError) {
        problem(id, `${what}: ${e.message}`);
        return null;
      }
      throw e;
    }
  };

  const addLeaves = async (kind: RowKind, ids: string[]) => {
    if (ids.length === 0) return;
    stats.leaves += ids.length;
    await sink.add(kind, ids, 0);
  };

  // 1. the named root rows
  const rootRows = new Map((await fetchMaps(c, rootRowIds(dbId))).map((r) => [r.id, r]));
  const roots = [...rootRows.keys()];
  await sink.add('root', roots, 5);
  const rootKey = (prefix: string, key = K_KEY): string | null => {
    const row = rootRows.get(`${prefix}${dbId}`);
    if (!row) return null;
    const m = decodeMap(row.map);
    if (!m) {
      problem(row.id, `its map column is not an EDN map: ${row.map.slice(0, 80)}`);
      return null;
    }
    return str(m.get(key));
  };

  // 2. the log tail pod: :tail and its :prev chain (map columns only)
  const podId = `pod-log-tail/${dbId}`;
  const pod = rootRows.get(podId);
  const podMap = pod ? decodeMap(pod.map) : null;
  if (pod && !podMap) problem(podId, `its map column is not an EDN map: ${pod.map.slice(0, 80)}`);
  let next = podMap ? str(podMap.get(K_TAIL)) : null;
  const chain: string[] = [];
  const max = opts.maxTailChain ?? 100_000;
  while (next) {
    checkAbort();
    if (chain.includes(next)) {
      problem(next, 'the log tail :prev chain loops here');
      break;
    }
    if (chain.length >= max) {
      problem(next, `the log tail :prev chain is longer than ${max}`);
      break;
    }
    const [row] = await fetchMaps(c, [next]);
    if (!row) {
      problem(next, `log tail row (referenced by ${chain.at(-1) ?? podId}) is missing`);
      break;
    }
    chain.push(next);
    const m = decodeMap(row.map);
    next = m ? str(m.get(K_PREV)) : null;
  }
  await sink.add('logTail', chain, 4);

  // 3. the index trees and fulltext
  const indexRootId = rootKey('ref-index-root/');
  if (indexRootId) {
    for (const { id, value } of await readNodes([indexRootId], 'the index root map')) {
      await sink.add('index', [id], 3);
      const tops = children(id, 'the index root map', () => indexRootMapChildren(value)) ?? [];
      const dirIds: string[] = [];
      const cfsIds: string[] = [];
      for (const top of await readNodes(tops, `a tree of index root ${id}`)) {
        const t = children(top.id, 'a tree top', () => treeTopChildren(top.value));
        if (!t) continue;
        if (t.kind === 'index') {
          await sink.add('index', [top.id], 2);
          dirIds.push(...t.dirIds);
        } else {
          await sink.add('fulltext', [top.id], 2);
          cfsIds.push(...t.clusterfsIds);
        }
      }
      for await (const dir of eachNode(dirIds, 'an index dir node')) {
        await sink.add('index', [dir.id], 1);
        await addLeaves('index', children(dir.id, 'an index dir node', () => indexDirSegIds(dir.value)) ?? []);
      }
      for await (const cfs of eachNode([...new Set(cfsIds)], 'a fulltext clusterfs root')) {
        await sink.add('fulltext', [cfs.id], 1);
        await addLeaves('fulltext', children(cfs.id, 'a clusterfs root', () => clusterfsChunkKeys(cfs.value)) ?? []);
      }
    }
  }

  // 4. the log tree: :d/r (or the legacy ref-log-root for :d/l 1)
  const logRootId = podMap ? (podMap.get(K_DL) === 1 ? rootKey('ref-log-root/') : str(podMap.get(K_DR))) : null;
  if (logRootId) {
    for (const root of await readNodes([logRootId], 'the log root')) {
      await sink.add('log', [root.id], 2);
      const dirs = children(root.id, 'the log root', () => logDirChildren(root.value)) ?? [];
      for await (const dir of eachNode(dirs, 'a log dir')) {
        await sink.add('log', [dir.id], 1);
        await addLeaves('log', children(dir.id, 'a log dir', () => logDirChildren(dir.value)) ?? []);
      }
    }
  }

  // 5. the gc tree (dirs and leaves that gc already deleted are expected to be missing)
  const gcRootId = rootKey('ref-gc-root/');
  if (gcRootId) {
    for (const root of await readNodes([gcRootId], 'the gc root')) {
      await sink.add('gc', [root.id], 3);
      const dirs = children(root.id, 'the gc root', () => garbageNodeChildren(root.value, 'garbage-root')) ?? [];
      for await (const dir of eachNode(dirs, 'a gc dir', true)) {
        await sink.add('gc', [dir.id], 2);
        const leaves = children(dir.id, 'a gc dir', () => garbageNodeChildren(dir.value, 'garbage-dir'));
        let dirNewest = leaves ? 0 : Infinity;
        for await (const leaf of eachNode(leaves ?? [], 'a gc leaf', true)) {
          await sink.add('gc', [leaf.id], 1);
          const entries = children(leaf.id, 'a gc leaf', () => garbageLeafEntries(leaf.value));
          const newest = entries ? Math.max(0, ...entries.map((e) => e.tstampMs)) : Infinity;
          dirNewest = Math.max(dirNewest, newest);
          if (entries) await sink.garbage(entries);
          await sink.gcNode?.({ id: leaf.id, level: 'leaf', newestMs: newest });
        }
        await sink.gcNode?.({ id: dir.id, level: 'dir', newestMs: dirNewest });
      }
    }
  }
  progress();
  return { dbId, roots, problems, stats };
}
