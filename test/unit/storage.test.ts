import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseHeartbeat, judgeAlive, judgeAdvance, type Heartbeat } from '../../src/core/storage/heartbeat.js';
import { interpretCatalogValue, validateCatalogChange, type Catalog } from '../../src/core/storage/catalog.js';
import { rootRowIds } from '../../src/core/storage/dbrows.js';
import { readEdn, printEdn, EdnMap, EdnSet, kw } from '../../src/core/edn/index.js';
import type { DtxError } from '../../src/core/errors.js';

function hb(partial: Partial<Heartbeat>): Heartbeat {
  return { id: 'pod-coord', rev: 1, host: 'h', altHost: null, port: 4334, timestampMs: 1000, version: '1.0.7469', encryptChannel: true, protocol: 2, ...partial };
}

function catalog(text: string, rev = 1): Catalog {
  const value = readEdn(text) as EdnMap;
  return { rev, tailId: 't', chain: ['t'], value, raw: [text], ...interpretCatalogValue(value) };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as DtxError).code;
  }
  return 'none';
}

describe('heartbeat parsing', () => {
  it('parses the vector and never exposes the credentials', () => {
    const map = printEdn(new EdnMap([[kw('key'), '["tx" nil 4334 "user-x" "pass-y" 1700000000000 "1.0.7469" false 2]']]));
    const h = parseHeartbeat('pod-standby', 3, map);
    expect(h).toEqual({ id: 'pod-standby', rev: 3, host: 'tx', altHost: null, port: 4334, timestampMs: 1700000000000, version: '1.0.7469', encryptChannel: false, protocol: 2 });
    expect(JSON.stringify(h)).not.toMatch(/user-x|pass-y/);
  });
  it('rejects malformed rows with HEARTBEAT_CORRUPT and no content in the message', () => {
    for (const m of ['{', '[]', '{:key 1}', '{:key "[1 2]"}', '{:key "[\\"h\\" nil 1 \\"u\\" s3cr3t!! ]"}']) {
      let err: DtxError | undefined;
      try {
        parseHeartbeat('pod-coord', 1, m);
      } catch (e) {
        err = e as DtxError;
      }
      expect(err?.code).toBe('HEARTBEAT_CORRUPT');
      expect(err?.message).not.toContain('s3cr3t');
    }
  });
  it('judges one-shot and two-sample liveness', () => {
    expect(judgeAlive(hb({ timestampMs: 1000 }), 15_999).alive).toBe(true);
    expect(judgeAlive(hb({ timestampMs: 1000 }), 16_000).alive).toBe(false);
    expect(judgeAlive(hb({ timestampMs: null }), 0).alive).toBe(false);
    expect(judgeAdvance(hb({ rev: 1 }), hb({ rev: 2 })).alive).toBe(true);
    expect(judgeAdvance(hb({ rev: 1, timestampMs: 5 }), hb({ rev: 1, timestampMs: 6 })).alive).toBe(true);
    expect(judgeAdvance(hb({}), hb({})).alive).toBe(false);
    expect(judgeAdvance(hb({}), null).alive).toBe(false);
  });
});

describe('catalog value rules', () => {
  it('interprets names, ids and deleted ids; keeps unknown keys', () => {
    const c = catalog('{"b" {:db-id "b-1"}, "a" {:db-id "a-1", :other 1}, :datomic/deleted #{"x"}, :future [1]}');
    expect(c.databases).toEqual([{ name: 'a', dbId: 'a-1' }, { name: 'b', dbId: 'b-1' }]);
    expect(c.deleted).toEqual(['x']);
  });
  it('treats malformed catalogs as corrupt', () => {
    for (const t of ['{"a" 1}', '{"a" {:db-id 1}}', '{"a" {:db-id "x"}, "b" {:db-id "x"}}', '{:datomic/deleted ["x"]}', '{:datomic/deleted #{1}}']) {
      expect(code(() => interpretCatalogValue(readEdn(t) as EdnMap)), t).toBe('CATALOG_CORRUPT');
    }
  });
  it('refuses changes that lose what they did not declare', () => {
    const cur = catalog('{"a" {:db-id "a-1"}, "b" {:db-id "b-1"}, :datomic/deleted #{"x"}, :future [1]}');
    const next = (t: string) => readEdn(t) as EdnMap;
    expect(code(() => validateCatalogChange(cur, { value: next('{"a" {:db-id "a-1"}, :datomic/deleted #{"x"}, :future [1]}') }))).toBe('CATALOG_WRITE_REFUSED');
    expect(code(() => validateCatalogChange(cur, { value: next('{"a" {:db-id "a-1"}, :datomic/deleted #{"x" "b-1"}, :future [1]}'), removeNames: ['b'] }))).toBe('none');
    expect(code(() => validateCatalogChange(cur, { value: next('{"a" {:db-id "a-1"}, "b" {:db-id "b-1"}, :future [1]}') }))).toBe('CATALOG_WRITE_REFUSED');
    expect(code(() => validateCatalogChange(cur, { value: next('{"a" {:db-id "a-1"}, "b" {:db-id "b-1"}, :datomic/deleted #{"x"}}') }))).toBe('CATALOG_WRITE_REFUSED');
    expect(code(() => validateCatalogChange(cur, { value: next('{"a" {:db-id "a-2"}, "b" {:db-id "b-1"}, :datomic/deleted #{"x"}, :future [1]}') }))).toBe('CATALOG_WRITE_REFUSED');
    expect(code(() => validateCatalogChange(cur, { value: next('{"a" {:db-id "a-1"}, "b" {:db-id "b-1"}, :datomic/deleted #{"x" "a-1"}, :future [1]}') }))).toBe('CATALOG_WRITE_REFUSED');
  });
  it('any single deletion keeps every other entry (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 10 }), fc.nat(), (names, i) => {
        const m = new EdnMap();
        names.forEach((n, j) => m.set(n, new EdnMap([[kw('db-id'), `${n}-${j}`]])));
        m.set(kw('datomic/deleted'), new EdnSet());
        const cur = { rev: 0, tailId: 't', chain: [], value: m, raw: [], ...interpretCatalogValue(m) };
        const victim = names[i % names.length] as string;
        const next = m.clone();
        next.delete(victim);
        next.set(kw('datomic/deleted'), new EdnSet([`${victim}-${i % names.length}`]));
        validateCatalogChange(cur, { value: next, removeNames: [victim] });
        expect(interpretCatalogValue(next).databases.length).toBe(names.length - 1);
      }),
    );
  });
});

describe('db rows helpers', () => {
  it('names the four root rows', () => {
    expect(rootRowIds('a-1')).toEqual(['pod-log-tail/a-1', 'ref-index-root/a-1', 'ref-gc-root/a-1', 'ref-log-root/a-1']);
  });
});
