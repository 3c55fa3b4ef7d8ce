/**
 * The Fressian reader, code family by code family. Two sources of bytes:
 * - bytes written by the real Java writer (org.fressian 0.6.8 + the Datomic peer's handlers),
 *   stored in test/fixtures/fressian/java-written.tsv (see test/helpers/fressian.ts), and
 * - hand-made bytes for encodings Java's reader accepts but its writer never produces (cached
 *   lengths, STRUCTTYPE with a built-in tag, footers with wrong checksums, ...).
 * The full differential test against a live JVM is test/integration/fressian-differential.test.ts.
 */
import { describe, it, expect } from 'vitest';
import { gzipSync } from 'node:zlib';
import {
  readObject,
  readAll,
  decodeVal,
  printValue,
  FressianReader,
  DATOMIC_STRUCT_TAGS,
  Keyword,
  Sym,
  kw,
  sym,
  Uuid,
  Inst,
  Double,
  Float,
  BigInteger,
  BigDecimal,
  Regex,
  Uri,
  Struct,
  LongArray,
  IntArray,
  DoubleArray,
  FloatArray,
  BooleanArray,
  ObjectArray,
  type Value,
} from '../../src/core/fressian/index.js';
import { adler32 } from '../../src/core/fressian/adler32.js';
import { bytes, int, str, javaFixtureCases, decodeCase } from '../helpers/fressian.js';
import { expectDtxError } from '../helpers/dtx-error.js';

const read = (...parts: Parameters<typeof bytes>): Value => readObject(bytes(...parts));
const text = (...parts: Parameters<typeof bytes>): string => printValue(read(...parts));

/** A footer for the bytes written since the previous footer (FressianWriter.writeFooter). */
function footer(segment: Uint8Array): number[] {
  const len = segment.length;
  const head = [0xcf, 0xcf, 0xcf, 0xcf, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff];
  const sum = adler32(bytes(segment, head), 0, segment.length + 8);
  return [...head, (sum >>> 24) & 0xff, (sum >>> 16) & 0xff, (sum >>> 8) & 0xff, sum & 0xff];
}

describe('bytes written by the Java writer (fixtures)', () => {
  const cases = javaFixtureCases();

  it('has the fixture cases', () => {
    expect(cases.length).toBeGreaterThan(150);
  });

  it('every case decodes to what Java reads back', () => {
    const wrong: string[] = [];
    for (const c of cases) {
      const got = printValue(decodeCase(c));
      if (got !== c.expected) wrong.push(`${c.name}: got ${got.slice(0, 200)}, want ${c.expected.slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
  });

  it("Datomic's segment writers use only known struct tags (strict mode)", () => {
    const datomic = cases.filter((c) => c.name.startsWith('datomic '));
    expect(datomic.map((c) => c.name)).toEqual(expect.arrayContaining(['datomic index-root-node', 'datomic index-dir-node', 'datomic log dir', 'datomic log tail']));
    for (const c of datomic) decodeCase(c, { knownTags: DATOMIC_STRUCT_TAGS });
  });

  it("the test's int encoder writes exactly what Java writes", () => {
    const ints = cases.filter((c) => /^int -?\d+$/.test(c.name));
    expect(ints.length).toBeGreaterThan(80);
    for (const c of ints) expect([...c.bytes], c.name).toEqual(int(BigInt(c.name.slice(4))));
  });

  it('an index-root-node val: gzip, a struct with index-tdata keydata and Object[] of uuid dirids', () => {
    const c = cases.find((x) => x.name === 'datomic index-root-node')!;
    expect(c.bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const root = decodeVal(c.bytes) as Struct;
    expect(root).toBeInstanceOf(Struct);
    expect(root.tag).toBe('index-root-node');
    const [keydata, dirids] = root.fields as [Struct, ObjectArray];
    expect(keydata.tag).toBe('index-tdata');
    expect(keydata.fields.map((f) => f?.constructor.name)).toEqual(['ObjectArray', 'LongArray', 'IntArray', 'LongArray', 'BooleanArray']);
    expect(dirids).toBeInstanceOf(ObjectArray);
    expect(dirids.values).toHaveLength(5);
    for (const id of dirids.values) expect(String(id)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('a log tail (0xEE then txes that each start with RESET_CACHES) reads as one open list', () => {
    const c = cases.find((x) => x.name === 'datomic log tail')!;
    expect(c.bytes[0]).toBe(0xee);
    const txes = readObject(c.bytes) as Map<Value, Value>[];
    expect(txes).toHaveLength(4);
    for (const tx of txes) {
      expect(tx).toBeInstanceOf(Map);
      expect(tx.get(kw('id'))).toBeInstanceOf(Uuid);
      expect(typeof tx.get(kw('t'))).toBe('number');
      const data = tx.get(kw('data')) as Struct[];
      for (const d of data) expect([d.tag, d.fields.length]).toEqual(['datum', 6]);
    }
    expect(readAll(c.bytes)).toHaveLength(1);
  });
});

describe('integers', () => {
  it('packed 1-byte: 0..63 and -1', () => {
    expect(read(0x00)).toBe(0);
    expect(read(0x3f)).toBe(63);
    expect(read(0xff)).toBe(-1);
  });

  it('packed 2- to 7-byte forms, both signs, at every boundary', () => {
    const values = [64, -2, -64, -65, 4095, -4096, 4096, -4097, 524287, -524288, 524288, 33554431, -33554432, 2 ** 33 - 1, -(2 ** 33), 2 ** 41 - 1, -(2 ** 41), 2 ** 49 - 1, -(2 ** 49)];
    for (const v of values) expect(read(int(v)), String(v)).toBe(v);
    expect(int(64)).toEqual([0x50, 0x40]);
    expect(int(-2)).toEqual([0x4f, 0xfe]);
    expect(int(2 ** 49 - 1)[0]).toBe(0x7f);
  });

  it('8-byte INT: a number when safe, a bigint beyond 2^53, whatever the encoding', () => {
    expect(read(int(2 ** 53 - 1))).toBe(2 ** 53 - 1);
    expect(read(int(-(2 ** 53 - 1)))).toBe(-(2 ** 53 - 1));
    expect(read(int(2n ** 53n))).toBe(2n ** 53n);
    expect(read(int(-(2n ** 53n)))).toBe(-(2n ** 53n));
    expect(read(int(-(2n ** 63n)))).toBe(-(2n ** 63n));
    expect(read(int(2n ** 63n - 1n))).toBe(2n ** 63n - 1n);
    // a small value in the 8-byte form is still a number
    expect(read(0xf8, 0, 0, 0, 0, 0, 0, 0, 5)).toBe(5);
    expect(read(0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe)).toBe(-2);
  });
});

describe('floating point', () => {
  it('DOUBLE, DOUBLE_0, DOUBLE_1 are Double; FLOAT is Float', () => {
    expect(read(0xfb)).toEqual(new Double(0));
    expect(read(0xfc)).toEqual(new Double(1));
    expect(read(0xfa, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0)).toEqual(new Double(1.5));
    expect(read(0xf9, 0x3f, 0xc0, 0, 0)).toEqual(new Float(1.5));
    expect(text(0xfa, 0x80, 0, 0, 0, 0, 0, 0, 0)).toBe('#f64 8000000000000000');
    expect(text(0xfa, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0)).toBe('#f64 7ff8000000000000');
  });
});

describe('strings', () => {
  it('packed lengths 0..7 and STRING', () => {
    expect(read(0xda)).toBe('');
    expect(read(str('abcdefg'))).toBe('abcdefg');
    expect(read(str('abcdefgh'))).toBe('abcdefgh');
    expect(read(0xe3, 0x03, 'abc')).toBe('abc');
  });

  it('STRING_CHUNK pieces end with a packed piece or STRING', () => {
    expect(read(0xe2, 0x02, 'ab', 0xe2, 0x01, 'c', 0xdb, 'd')).toBe('abcd');
    expect(read(0xe2, 0x02, 'ab', 0xe3, 0x02, 'cd')).toBe('abcd');
    expect(read(0xe2, 0x00, 0xda)).toBe('');
  });

  it('UTF-8 per UTF-16 unit: 2-byte, 3-byte, surrogate pairs as two 3-byte sequences, lone surrogates', () => {
    expect(read(0xdc, 0xc3, 0xa9)).toBe('é');
    expect(read(0xdd, 0xe2, 0x82, 0xac)).toBe('€');
    // U+1F600 as Java writes it: D83D DE00, each as a 3-byte sequence
    expect(read(0xe0, 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80)).toBe('\u{1F600}');
    expect(read(0xdd, 0xed, 0xa0, 0x80)).toBe('\ud800');
    // Java also accepts overlong forms and does not check continuation bytes
    expect(read(0xdc, 0xc0, 0x80)).toBe('\u0000');
    expect(read(0xdc, 0xc3, 0x29)).toBe('é');
  });

  it('long ASCII and non-ASCII strings', () => {
    const s = 'x'.repeat(5000) + 'é€'.repeat(3000);
    const b = Buffer.from(s, 'utf8');
    expect(read(0xe3, int(b.length), b)).toBe(s);
  });
});

describe('bytes', () => {
  it('packed, BYTES and BYTES_CHUNK ... BYTES', () => {
    expect(read(0xd0)).toEqual(new Uint8Array(0));
    expect(read(0xd3, 1, 2, 3)).toEqual(Uint8Array.from([1, 2, 3]));
    expect(read(0xd9, 0x02, 9, 8)).toEqual(Uint8Array.from([9, 8]));
    expect(read(0xd8, 0x02, 1, 2, 0xd8, 0x01, 3, 0xd9, 0x01, 4)).toEqual(Uint8Array.from([1, 2, 3, 4]));
  });

  it('returns a copy, not a view of the input', () => {
    const input = bytes(0xd2, 7, 7);
    const out = readObject(input) as Uint8Array;
    input[1] = 0;
    expect([...out]).toEqual([7, 7]);
  });
});

describe('lists', () => {
  it('packed, LIST, closed and open lists', () => {
    expect(read(0xe4)).toEqual([]);
    expect(read(0xe7, 1, 2, 3)).toEqual([1, 2, 3]);
    expect(read(0xec, 0x08, 0, 1, 2, 3, 4, 5, 6, 7)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(read(0xed, 1, 0xe5, 2, 0xfd)).toEqual([1, [2]]);
    expect(read(0xee, 1, 2, 0xfd, 9)).toEqual([1, 2]);
    expect(read(0xee, 1, 2)).toEqual([1, 2]);
    expect(read(0xee)).toEqual([]);
  });
});

describe('maps and sets', () => {
  it('a map is a JS Map in wire order; interned keywords work as keys', () => {
    const m = read(0xc0, 0xe8, 0xca, 0xf7, str('rev'), 7, 0xca, str('db'), str('ident'), 0xda) as Map<Value, Value>;
    expect(m).toBeInstanceOf(Map);
    expect(m.get(kw('rev'))).toBe(7);
    expect(m.get(kw('db/ident'))).toBe('');
    expect([...m.keys()]).toEqual([kw('rev'), kw('db/ident')]);
  });

  it('a set is a JS Set', () => {
    expect(read(0xc1, 0xe6, 1, 2)).toEqual(new Set([1, 2]));
  });
});

describe('named and standard values', () => {
  it('keywords and symbols: [ns name], nil ns, interned, caching of the parts', () => {
    expect(read(0xca, 0xf7, str('eavt'))).toBe(Keyword.of(null, 'eavt'));
    expect(read(0xca, str('db'), str('id'))).toBe(kw('db/id'));
    expect(read(0xc9, str('clojure.core'), str('inc'))).toBe(sym('clojure.core/inc'));
    expect(Sym.of(null, 'x').toString()).toBe('x');
    expect(kw('db/ident').toString()).toBe(':db/ident');
    // Datomic writes both parts with cache=true: PUT_PRIORITY_CACHE, then 0x80+i
    expect(read(0xe6, 0xca, 0xcd, str('db'), 0xcd, str('id'), 0xca, 0x80, 0x81)).toEqual([kw('db/id'), kw('db/id')]);
    // a keyword whose name has a slash keeps its parts apart
    expect(read(0xca, 0xf7, str('a/b'))).not.toBe(kw('a/b'));
  });

  it('uuid: 16 bytes msb first, canonical lowercase; any bytes encoding', () => {
    const raw = [0x5f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x46, 0x97, 0x88, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1];
    const want = '5f1e2d3c-4b5a-4697-8887-96a5b4c3d2e1';
    expect(read(0xc3, 0xd9, 0x10, raw)).toEqual(new Uuid(want));
    expect(String(read(0xc3, 0xd8, 0x08, raw.slice(0, 8), 0xd9, 0x08, raw.slice(8)))).toBe(want);
    expect(String(read(0xc3, 0xcd, 0xd9, 0x10, raw))).toBe(want);
  });

  it('inst, bigint, bigdec, regex, uri', () => {
    expect(read(0xc8, int(1700000000000))).toEqual(new Inst(1700000000000));
    expect((read(0xc8, int(1700000000000)) as Inst).toDate()?.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(read(0xc6, 0xd1, 0x7f)).toEqual(new BigInteger(127n));
    expect(read(0xc6, 0xd2, 0x80, 0x00)).toEqual(new BigInteger(-32768n));
    expect(read(0xc6, 0xd1, 0xff)).toEqual(new BigInteger(-1n));
    const big = [0x01, ...new Array<number>(20).fill(0)];
    expect(read(0xc6, 0xd9, int(big.length), big)).toEqual(new BigInteger(1n << 160n));
    expect(read(0xc7, 0xd2, 0x30, 0x39, 0x02)).toEqual(new BigDecimal(12345n, 2));
    expect(read(0xc4, str('a+'))).toEqual(new Regex('a+'));
    expect(read(0xc5, str('urn:x'))).toEqual(new Uri('urn:x'));
  });

  it('typed arrays, with elements in any encoding Java reads', () => {
    expect(read(0xb0, 0x03, 0, 0xff, int(2n ** 60n))).toEqual(new LongArray([0, -1, 2n ** 60n]));
    expect(read(0xb3, 0x02, int(-2147483648), 0xcd, int(2147483647))).toEqual(new IntArray(Int32Array.from([-2147483648, 2147483647])));
    expect(read(0xb1, 0x02, 0xfb, 0xfc)).toEqual(new DoubleArray(Float64Array.from([0, 1])));
    expect(read(0xb4, 0x01, 0xf9, 0x3f, 0xc0, 0, 0)).toEqual(new FloatArray(Float32Array.from([1.5])));
    expect(read(0xb2, 0x02, 0xf5, 0xf6)).toEqual(new BooleanArray([true, false]));
    expect(read(0xb5, 0x02, 0xf7, str('a'))).toEqual(new ObjectArray([null, 'a']));
  });
});

describe('caches', () => {
  it('priority cache: PUT, 0x80+i, GET_PRIORITY_CACHE + index; a cached value is shared', () => {
    const puts: number[] = [];
    for (let i = 0; i < 40; i++) puts.push(0xcd, ...str(`s${i}`));
    const v = read(0xec, int(43), puts, 0x80, 0x9f, 0xcc, int(39)) as string[];
    expect(v.slice(40)).toEqual(['s0', 's31', 's39']);
    const shared = read(0xe6, 0xcd, 0xe5, 1, 0x80) as Value[][];
    expect(shared[0]).toBe(shared[1]);
  });

  it('a count or index may itself come from the cache (Java reads them with readInt)', () => {
    const [n, list] = read(0xe6, 0xcd, int(1000), 0xec, 0x80, new Array<number>(1000).fill(1)) as [number, Value[]];
    expect([n, list.length]).toEqual([1000, 1000]);
  });

  it('maps, sets and bigints built from a large cached list or byte array are built once and shared', () => {
    // 20,000 map entries cached once, then referenced 50,000 times by two bytes each: rebuilding
    // the map at each reference would be a billion insertions
    const kvs: number[] = [];
    for (let i = 0; i < 20_000; i++) kvs.push(...int(i), 0xf7);
    const refs: number[] = [];
    for (let i = 0; i < 50_000; i++) refs.push(0xc0, 0x80);
    const v = read(0xec, int(50_002), 0xc0, 0xcd, 0xec, int(40_000), kvs, refs, 0xc1, 0x80) as Value[];
    expect((v[0] as Map<Value, Value>).size).toBe(20_000);
    expect(v[0]).toBe(v[1]);
    expect(v[1]).toBe(v[50_000]);
    expect((v[50_001] as Set<Value>).size).toBe(20_001); // 0..19999 and nil
    const big = [0x01, ...new Array<number>(100).fill(0)];
    const b = read(0xe7, 0xc6, 0xcd, 0xd9, int(big.length), big, 0xc6, 0x80, 0xc6, 0x80) as BigInteger[];
    expect(b[0]!.value).toBe(1n << 800n);
    expect(b[1]).toBe(b[2]);
  });

  it('struct cache: STRUCTTYPE declares, 0xA0+i and STRUCT + index reuse', () => {
    const decls: number[] = [];
    for (let i = 0; i < 18; i++) decls.push(0xef, ...str(`t${i}`), 0x01, i);
    const v = read(0xec, int(21), decls, 0xa0, 40, 0xaf, 41, 0xf0, int(17), 42) as Struct[];
    expect(v.slice(18).map((s) => [s.tag, s.fields])).toEqual([['t0', [40]], ['t15', [41]], ['t17', [42]]]);
  });

  it('STRUCTTYPE with a built-in tag uses the built-in reader (Java looks handlers up by tag)', () => {
    expect(read(0xef, str('map'), 0x01, 0xe6, 1, 2)).toEqual(new Map([[1, 2]]));
    expect(read(0xef, str('key'), 0x02, 0xf7, str('k'))).toBe(kw('k'));
    expect(read(0xe6, 0xef, str('inst'), 0x01, 5, 0xa0, 6)).toEqual([new Inst(5), new Inst(6)]);
  });

  it('RESET_CACHES clears both caches anywhere and reads the next object', () => {
    expect(read(0xfe, 0xfe, 5)).toBe(5);
    expect(read(0xe6, 0xcd, str('a'), 0xfe, 0xcd, str('b'))).toEqual(['a', 'b']);
    expect(expectDtxError(() => read(0xe6, 0xcd, str('a'), 0xfe, 0x80)).code).toBe('FRESSIAN_MALFORMED');
    expect(expectDtxError(() => read(0xe6, 0xef, str('t'), 0x00, 0xfe, 0xa0)).code).toBe('FRESSIAN_MALFORMED');
  });
});

describe('footers', () => {
  it('a footer between objects is validated, then the caches are reset and reading goes on', () => {
    const first = bytes(0xcd, str('a'));
    const v = readAll(bytes(first, footer(first), 0xcd, str('b'), 0x80));
    expect(v).toEqual(['a', 'b', 'b']);
  });

  it('a footer inside a list, as Java reads it', () => {
    const seg = bytes(0xed, 1);
    expect(readObject(bytes(seg, footer(seg), 2, 0xfd))).toEqual([1, 2]);
  });

  it('readObject ignores what follows the object (footer or not); readAll accepts a final footer', () => {
    const seg = bytes(0xe5, 7);
    expect(readObject(bytes(seg, footer(seg)))).toEqual([7]);
    expect(readObject(bytes(seg, 0xff, 0x00, 0xc2))).toEqual([7]);
    expect(readAll(bytes(seg, footer(seg)))).toEqual([[7]]);
  });

  it('validateFooter checks the footer right after an object', () => {
    const seg = bytes(0xe5, 7);
    const r = new FressianReader(bytes(seg, footer(seg)));
    expect(r.readObject()).toEqual([7]);
    r.validateFooter();
    expect(r.atEnd()).toBe(true);
  });

  it('a wrong magic, length or checksum is FRESSIAN_MALFORMED; validateChecksum: false skips the checksum', () => {
    const seg = bytes(0xe5, 7);
    const good = footer(seg);
    const badSum = [...good.slice(0, 8), 0, 0, 0, 0];
    expect(expectDtxError(() => readAll(bytes(seg, badSum))).message).toMatch(/checksum/);
    expect(readAll(bytes(seg, badSum), { validateChecksum: false })).toEqual([[7]]);
    const badLen = [...good.slice(0, 4), 0, 0, 0, 9, ...good.slice(8)];
    expect(expectDtxError(() => readAll(bytes(seg, badLen))).message).toMatch(/length/);
    const badMagic = [0xcf, 0xcf, 0xcf, 0xce, ...good.slice(4)];
    expect(expectDtxError(() => readAll(bytes(seg, badMagic))).message).toMatch(/magic/);
  });
});

describe('strict mode and struct readers', () => {
  it('knownTags: an unknown struct tag is FRESSIAN_UNKNOWN_TAG; known and built-in tags pass', () => {
    const input = bytes(0xef, str('no-such-tag'), 0x00);
    expect(readObject(input)).toEqual(new Struct('no-such-tag', []));
    const e = expectDtxError(() => readObject(input, { knownTags: DATOMIC_STRUCT_TAGS, rowId: 'r1' }));
    expect(e.code).toBe('FRESSIAN_UNKNOWN_TAG');
    expect(e.message).toBe('cannot decode Fressian in row r1 at byte 0: unknown struct tag "no-such-tag"');
    expect(readObject(bytes(0xef, str('log-dir'), 0x02, 5, 0xf7), { knownTags: DATOMIC_STRUCT_TAGS })).toEqual(new Struct('log-dir', [5, null]));
    expect(readObject(bytes(0xef, str('uuid'), 0x01, 0xd9, 0x10, new Array<number>(16).fill(0)), { knownTags: new Set() })).toEqual(new Uuid('00000000-0000-0000-0000-000000000000'));
    expect(expectDtxError(() => readObject(bytes(0xef, 0x05, 0x00), { knownTags: DATOMIC_STRUCT_TAGS })).code).toBe('FRESSIAN_UNKNOWN_TAG');
    // no char type in Fressian 0.6.8: data.fressian's "char" tag is a struct like any other
    expect(readObject(bytes(0xef, str('char'), 0x01, int(97)))).toEqual(new Struct('char', [97]));
    expect(expectDtxError(() => readObject(bytes(0xef, str('char'), 0x01, int(97)), { knownTags: DATOMIC_STRUCT_TAGS })).code).toBe('FRESSIAN_UNKNOWN_TAG');
  });

  it('structReaders replace a generic struct by what they return', () => {
    const seen: string[] = [];
    const v = readObject(bytes(0xe6, 0xef, str('log-dir'), 0x02, 5, 0xf7, 0xa0, 6, 0xf7), {
      structReaders: new Map([['log-dir', (fields: Value[]) => (seen.push(String(fields[0])), fields[0]!)]]),
    });
    expect(v).toEqual([5, 6]);
    expect(seen).toEqual(['5', '6']);
  });
});

describe('decodeVal', () => {
  it('gunzips gzip vals and reads one object, ignoring the footer', () => {
    const seg = bytes(0xc0, 0xe6, 0xca, 0xf7, str('a'), 1);
    const val = gzipSync(bytes(seg, footer(seg)));
    expect(decodeVal(val)).toEqual(new Map([[kw('a'), 1]]));
  });

  it('reads raw (not gzip) vals as they are', () => {
    expect(decodeVal(bytes(0xee, 1, 2))).toEqual([1, 2]);
  });

  it('a val that starts like gzip but does not gunzip is FRESSIAN_BAD_GZIP naming the row', () => {
    const e = expectDtxError(() => decodeVal(bytes(0x1f, 0x8b, 0x08, 0x00, 1, 2, 3), { rowId: 'abc' }));
    expect(e.code).toBe('FRESSIAN_BAD_GZIP');
    expect(e.message).toMatch(/^cannot decode Fressian in row abc at byte 0: the value does not gunzip/);
  });

  it('error offsets of a gzip val count gunzipped bytes and say so', () => {
    const e = expectDtxError(() => decodeVal(gzipSync(bytes(0xe6, 1, 0xc2)), { rowId: 'r' }));
    expect(e.message).toBe('cannot decode Fressian in row r at byte 2 of the gunzipped value: unknown code 0xC2');
  });
});

describe('printValue', () => {
  it('prints every family canonically', () => {
    const v = read(0xea, 0xf7, 0xf5, 0xca, str('db'), str('id'), 0xc9, 0xf7, str('x'), str('a"\\é'), 0xd2, 0, 255);
    expect(printValue(v)).toBe('[nil true :db/id #sym x "a\\"\\\\\\u00e9" #bytes "00ff"]');
    expect(printValue(new Map<Value, Value>([[kw('b'), 1], [kw('a'), 2]]))).toBe('{:a 2, :b 1}');
    expect(printValue(new Set<Value>(['b', 'a']))).toBe('#{"a" "b"}');
    expect(printValue(Keyword.of('é', 'a b'))).toBe('#key ["\\u00e9" "a b"]');
    expect(printValue(new Struct('t', [new BigDecimal(-5n, -3), new BigInteger(7n)]))).toBe('#struct "t" [#bigdec [-5 -3] 7N]');
  });

  it('maxChars bounds the output even for values that repeat cached parts exponentially', () => {
    // what a chain of cached lists holding the previous one twice decodes to: 2^40 leaves
    let deep: Value = 1;
    for (let i = 0; i < 40; i++) deep = [deep, deep];
    const out = printValue(deep, { maxChars: 1000 });
    expect(out.length).toBe(1001);
    expect(out.endsWith('…')).toBe(true);
  });
});
