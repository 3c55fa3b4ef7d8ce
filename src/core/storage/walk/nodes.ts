/**
 * What Datomic's tree nodes reference, read from their decoded Fressian values (the shapes are
 * Datomic's own write handlers; docs/datomic-storage.md, "Trees"). Each function takes a decoded
 * node and returns the ids of its children as strings (Datomic converts every child with `str`, so
 * a child may be stored as a uuid or as a string). A node of an unexpected shape is a NodeShapeError
 * naming what was expected; the walk reports it under "unreadable" with the row id.
 */
import { Inst, Keyword, ObjectArray, Struct, Uuid, type Value } from '../../fressian/values.js';
import { chunkKey } from './ids.js';

export class NodeShapeError extends Error {}

function fail(what: string, got: Value | undefined): never {
  throw new NodeShapeError(`expected ${what}, found ${describe(got)}`);
}

function describe(v: Value | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'nil';
  if (v instanceof Struct) return `a ${String(v.tag)} struct`;
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Map) return 'a map';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'object') return `a ${v.constructor.name}`;
  return `a ${typeof v}`;
}

/** A child reference: a uuid or a uuid string (`str` of it in Datomic's walk). */
export function childId(v: Value | undefined, what = 'a child id'): string {
  if (v instanceof Uuid) return v.str;
  if (typeof v === 'string' && v !== '') return v;
  return fail(what, v);
}

export function structOf(v: Value, tag: string, fields: number): Struct {
  if (!(v instanceof Struct) || v.tag !== tag) fail(`a ${tag} struct`, v);
  if (v.fields.length < fields) fail(`a ${tag} struct with ${fields} fields`, v);
  return v;
}

function objects(v: Value | undefined, what: string): Value[] {
  if (v instanceof ObjectArray) return v.values;
  if (Array.isArray(v)) return v;
  return fail(what, v);
}

const k = (name: string) => Keyword.of(null, name);

/**
 * The index root map's trees, in Datomic's treewalk order (`index-root-keys`). Older roots use
 * `:eavt` etc. without `-main`; both are read. Nil entries mean "no such tree".
 */
export const INDEX_ROOT_KEYS = [
  'aevt-hist', 'aevt', 'aevt-mid', 'aevt-main',
  'eavt-hist', 'eavt', 'eavt-mid', 'eavt-main',
  'raet-hist', 'raet', 'raet-mid', 'raet-main',
  'avet-hist', 'avet', 'avet-mid', 'avet-main',
  'fulltext-hist', 'fulltext',
] as const;
const INDEX_ROOT_KWS = INDEX_ROOT_KEYS.map(k);

/** `{:eavt-main uuid, ..., :fulltext uuid, :rev n, ...}` -> the tree ids (deduplicated, in order). */
export function indexRootMapChildren(v: Value): string[] {
  if (!(v instanceof Map)) fail('the index root map', v);
  const out: string[] = [];
  for (const key of INDEX_ROOT_KWS) {
    const x = v.get(key);
    if (x === undefined || x === null) continue;
    const id = childId(x, `a tree id under ${key.toString()}`);
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

/** What a tree id under the root map points at: an index tree, or the fulltext search root. */
export type TreeTop = { kind: 'index'; dirIds: string[] } | { kind: 'fulltext'; clusterfsIds: string[] };

/** index-root-node (keydata, dirids) or search-root (attrmap). */
export function treeTopChildren(v: Value): TreeTop {
  if (v instanceof Struct && v.tag === 'search-root') {
    const attrmap = structOf(v, 'search-root', 1).fields[0];
    if (!(attrmap instanceof Map)) fail('the search-root attrmap', attrmap);
    return { kind: 'fulltext', clusterfsIds: [...attrmap.values()].map((x) => childId(x, 'a clusterfs id')) };
  }
  const node = structOf(v, 'index-root-node', 2);
  return { kind: 'index', dirIds: objects(node.fields[1], 'dirids').map((x) => childId(x, 'a dir id')) };
}

/** index-dir-node (keydata, segids, offsets, counts) -> the leaf segment ids. */
export function indexDirSegIds(v: Value): string[] {
  const node = structOf(v, 'index-dir-node', 2);
  return objects(node.fields[1], 'segids').map((x) => childId(x, 'a segment id'));
}

/**
 * clusterfs-root (dir, chunkSize): dir is `{"<file>" {:base uuid :length n}}`; each file is
 * stored in ceil(length / chunkSize) chunks keyed `<base>_<%015X chunk>`.
 */
export function clusterfsChunkKeys(v: Value): string[] {
  const node = structOf(v, 'clusterfs-root', 2);
  const dir = node.fields[0];
  const size = node.fields[1];
  if (!(dir instanceof Map)) fail('the clusterfs dir map', dir);
  if (typeof size !== 'number' || size <= 0) fail('a positive chunk size', size);
  const out: string[] = [];
  for (const entry of dir.values()) {
    if (!(entry instanceof Map)) fail('a clusterfs file entry', entry);
    const base = childId(entry.get(k('base')), 'a file :base');
    const length = entry.get(k('length'));
    if (typeof length !== 'number' || length < 0) fail('a file :length', length);
    const chunks = Math.ceil(length / size);
    for (let i = 0; i < chunks; i++) out.push(chunkKey(base, i));
  }
  return out;
}

/** A log root or log dir: a list of log-dir structs (t, uuid) -> the uuids. */
export function logDirChildren(v: Value): string[] {
  if (!Array.isArray(v)) fail('a list of log-dir entries', v);
  return v.map((e) => childId(structOf(e, 'log-dir', 2).fields[1], 'a log-dir uuid'));
}

function garbageChildrenList(v: Value, tag: string): Value[] {
  const node = structOf(v, tag, 1);
  let children = node.fields[0];
  // garbage handlers write every vector as a `vec` struct wrapping a list
  if (children instanceof Struct && children.tag === 'vec') children = children.fields[0] ?? null;
  if (children === null) return [];
  if (!Array.isArray(children)) fail(`the ${tag} children`, children);
  return children;
}

/** garbage-root / garbage-dir -> the child node ids ({:start :end :uuid} entries). */
export function garbageNodeChildren(v: Value, tag: 'garbage-root' | 'garbage-dir'): string[] {
  return garbageChildrenList(v, tag).map((e) => {
    if (!(e instanceof Map)) fail(`a ${tag} entry`, e);
    return childId(e.get(k('uuid')), `a ${tag} entry :uuid`);
  });
}

export interface GarbageEntry {
  /** when the ids became garbage (ms) */
  tstampMs: number;
  /** row ids (Datomic val-keys: segment uuids, chunk keys, old pod tail rows) */
  vals: string[];
}

/** garbage-leaf -> its entries `{:tstamp inst :vals [...]}`. */
export function garbageLeafEntries(v: Value): GarbageEntry[] {
  return garbageChildrenList(v, 'garbage-leaf').map((e) => {
    if (!(e instanceof Map)) fail('a garbage-leaf entry', e);
    const ts = e.get(k('tstamp'));
    if (!(ts instanceof Inst)) fail('a garbage :tstamp', ts);
    let vals = e.get(k('vals')) ?? null;
    if (vals instanceof Struct && vals.tag === 'vec') vals = vals.fields[0] ?? null;
    if (vals === null) vals = [];
    if (!Array.isArray(vals)) fail('the garbage :vals', vals);
    // Datomic's gc skips empty vals (`(remove empty? vs)`); some garbage lists hold "".
    return { tstampMs: Number(ts.ms), vals: vals.filter((x) => x !== '').map((x) => childId(x, 'a garbage val')) };
  });
}

/** The struct tag of a decoded node (for telling a gc root from a dir or a leaf). */
export function structTag(v: Value): string | null {
  return v instanceof Struct && typeof v.tag === 'string' ? v.tag : null;
}
