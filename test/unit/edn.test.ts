import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  readEdn,
  readEdnAll,
  printEdn,
  printDouble,
  kw,
  Keyword,
  EdnMap,
  EdnSet,
  EdnList,
  EdnSymbol,
  EdnChar,
  EdnFloat,
  EdnBigInt,
  EdnBigDecimal,
  Tagged,
  ednEquals,
  type EdnValue,
} from '../../src/core/edn/index.js';
import { DtxError } from '../../src/core/errors.js';

function parseError(text: string): DtxError {
  try {
    readEdn(text);
  } catch (e) {
    expect(e).toBeInstanceOf(DtxError);
    return e as DtxError;
  }
  throw new Error(`expected a parse error for ${JSON.stringify(text)}`);
}

describe('EDN reader', () => {
  it('reads the catalog value shape', () => {
    const v = readEdn('{"a" {:db-id "a-1"}, :datomic/deleted #{"x"}}');
    expect(v).toBeInstanceOf(EdnMap);
    const m = v as EdnMap;
    expect(m.size).toBe(2);
    const a = m.get('a') as EdnMap;
    expect(a.get(kw('db-id'))).toBe('a-1');
    const del = m.get(kw('datomic/deleted')) as EdnSet;
    expect(del).toBeInstanceOf(EdnSet);
    expect([...del]).toEqual(['x']);
    expect(kw('datomic/deleted').ns).toBe('datomic');
    expect(kw('datomic/deleted').name).toBe('deleted');
  });

  it('distinguishes string keys from keyword keys', () => {
    const m = readEdn('{"tail" 1, :tail 2}') as EdnMap;
    expect(m.get('tail')).toBe(1);
    expect(m.get(kw('tail'))).toBe(2);
    expect(m.size).toBe(2);
  });

  it('reads strings with escapes and unicode', () => {
    expect(readEdn('"a\\"b\\\\c\\nd\\te\\rf\\bg\\fh"')).toBe('a"b\\c\nd\te\rf\bg\fh');
    expect(readEdn('"\\u00e9\\u263A"')).toBe('é☺');
    expect(readEdn('"日本語 😀"')).toBe('日本語 😀');
    expect(readEdn('"\\101\\0"')).toBe('A\0');
    expect(readEdn('"multi\nline"')).toBe('multi\nline');
  });

  it('reads numbers', () => {
    expect(readEdn('42')).toBe(42);
    expect(readEdn('-7')).toBe(-7);
    expect(readEdn('+7')).toBe(7);
    expect(readEdn('0x1F')).toBe(31);
    expect(readEdn('123456789012345678901')).toBe(123456789012345678901n);
    expect(readEdn('5N')).toEqual(new EdnBigInt(5n));
    expect(readEdn('1.5')).toEqual(new EdnFloat(1.5));
    expect(readEdn('1.0')).toEqual(new EdnFloat(1));
    expect(readEdn('1e3')).toEqual(new EdnFloat(1000));
    expect(readEdn('2.50M')).toEqual(new EdnBigDecimal('2.50'));
    expect((readEdn('##NaN') as EdnFloat).value).toBeNaN();
    expect(readEdn('##-Inf')).toEqual(new EdnFloat(-Infinity));
  });

  it('reads scalars, symbols, chars', () => {
    expect(readEdn('nil')).toBeNull();
    expect(readEdn('true')).toBe(true);
    expect(readEdn('false')).toBe(false);
    expect(readEdn('foo/bar')).toEqual(new EdnSymbol('foo/bar'));
    expect(readEdn('/')).toEqual(new EdnSymbol('/'));
    expect(readEdn('-')).toEqual(new EdnSymbol('-'));
    expect(readEdn('\\a')).toEqual(new EdnChar('a'));
    expect(readEdn('\\newline')).toEqual(new EdnChar('\n'));
    expect(readEdn('\\u0041')).toEqual(new EdnChar('A'));
    expect(readEdn('[\\( \\]]')).toEqual([new EdnChar('('), new EdnChar(']')]);
  });

  it('skips comments, #_ discards and commas', () => {
    expect(readEdn('; c\n[1,,2 #_ 3 #_ #_ 4 5 6] ; trailing')).toEqual([1, 2, 6]);
    expect(readEdn('#_ {:x 1} :k')).toBe(kw('k'));
    expect(readEdnAll('1 2 ; x\n 3')).toEqual([1, 2, 3]);
    expect(readEdnAll('  ')).toEqual([]);
  });

  it('reads lists, vectors, nested collections', () => {
    const v = readEdn('(a [1 (2)] {:k #{}})') as EdnList;
    expect(v).toBeInstanceOf(EdnList);
    expect(v.items.length).toBe(3);
  });

  it('reads namespaced map syntax', () => {
    const m = readEdn('#:d{:r "root" :l 3 :_/tail "t" :x/y 1}') as EdnMap;
    expect(m.get(kw('d/r'))).toBe('root');
    expect(m.get(kw('d/l'))).toBe(3);
    expect(m.get(kw('tail'))).toBe('t');
    expect(m.get(kw('x/y'))).toBe(1);
    expect(printEdn(m)).toBe('{:d/r "root", :d/l 3, :tail "t", :x/y 1}');
    expect(ednEquals(m, readEdn('{:d/r "root", :d/l 3, :tail "t", :x/y 1}'))).toBe(true);
  });

  it('keeps tagged literals and prints them back identically', () => {
    const t = readEdn('#inst "2020-01-01T00:00:00.000-00:00"') as Tagged;
    expect(t).toBeInstanceOf(Tagged);
    expect(t.tag).toBe('inst');
    expect(t.value).toBe('2020-01-01T00:00:00.000-00:00');
    for (const s of ['#uuid "880efba5-9b7e-4b87-957b-9f2bab2ec8ea"', '#my.ns/thing {:a [1 2]}', '#foo #bar 1']) {
      expect(printEdn(readEdn(s))).toBe(s);
    }
  });

  it('gives EDN_PARSE with a position on bad input', () => {
    const e = parseError('{:a 1\n :b}');
    expect(e.code).toBe('EDN_PARSE');
    expect(e.details).toMatchObject({ line: 1, column: 1, offset: 0 });
    expect(parseError('{:a 1} x').details).toMatchObject({ offset: 7 });
    expect(parseError('"abc').message).toMatch(/unterminated string/);
    expect(parseError('[1 2').code).toBe('EDN_PARSE');
    expect(parseError(']').code).toBe('EDN_PARSE');
    expect(parseError('').code).toBe('EDN_PARSE');
    expect(parseError('{:a 1 :a 2}').message).toMatch(/duplicate key/);
    expect(parseError('#{1 1}').message).toMatch(/duplicate element/);
    expect(parseError('::auto').code).toBe('EDN_PARSE');
    expect(parseError('"\\q"').code).toBe('EDN_PARSE');
    expect(parseError('1.2.3').code).toBe('EDN_PARSE');
    expect(parseError('#"re"').code).toBe('EDN_PARSE');
    expect(parseError('[1 #_]').code).toBe('EDN_PARSE');
    expect(parseError('{:tail\n  "x"\n  ]').details).toMatchObject({ line: 3, column: 3 });
  });
});

describe('EDN printer (pr-str compatible)', () => {
  it('prints the catalog exactly like pr-str', () => {
    const m = new EdnMap([
      ['a', new EdnMap([[kw('db-id'), 'a-1']])],
      [kw('datomic/deleted'), new EdnSet(['x'])],
    ]);
    expect(printEdn(m)).toBe('{"a" {:db-id "a-1"}, :datomic/deleted #{"x"}}');
    expect(printEdn(new EdnMap())).toBe('{}');
    expect(printEdn(new EdnSet())).toBe('#{}');
    expect(printEdn(new EdnSet(['a', 'b']))).toBe('#{"a" "b"}');
    expect(printEdn([1, 'x', kw('k'), null, true])).toBe('[1 "x" :k nil true]');
    expect(printEdn(new EdnList([new EdnSymbol('a'), 2]))).toBe('(a 2)');
    expect(printEdn(new EdnList())).toBe('()');
  });

  it('escapes strings like Clojure', () => {
    expect(printEdn('a"b\\c\nd\te\rf\bg\fh')).toBe('"a\\"b\\\\c\\nd\\te\\rf\\bg\\fh"');
    // everything else is printed raw, including unicode and other control characters
    expect(printEdn('é日本😀\u0001\u007f')).toBe('"é日本😀\u0001\u007f"');
  });

  it('prints numbers like Clojure', () => {
    expect(printEdn(new EdnFloat(1))).toBe('1.0');
    expect(printEdn(new EdnFloat(0.5))).toBe('0.5');
    expect(printEdn(new EdnFloat(1e10))).toBe('1.0E10');
    expect(printEdn(new EdnFloat(1.5e-5))).toBe('1.5E-5');
    expect(printEdn(new EdnFloat(-0))).toBe('-0.0');
    expect(printEdn(new EdnFloat(NaN))).toBe('##NaN');
    expect(printEdn(new EdnFloat(Infinity))).toBe('##Inf');
    expect(printEdn(new EdnBigInt(5n))).toBe('5N');
    expect(printEdn(2n ** 70n)).toBe('1180591620717411303424');
    expect(printEdn(new EdnBigDecimal('1.50'))).toBe('1.50M');
    expect(printDouble(1234567.0)).toBe('1234567.0');
    expect(printDouble(12345678.0)).toBe('1.2345678E7');
    expect(printDouble(0.001)).toBe('0.001');
  });

  it('prints chars like Clojure', () => {
    expect(printEdn(new EdnChar('a'))).toBe('\\a');
    expect(printEdn(new EdnChar('\n'))).toBe('\\newline');
    expect(printEdn(new EdnChar(' '))).toBe('\\space');
    expect(printEdn([new EdnChar('a'), new EdnChar('(')])).toBe('[\\a \\(]');
  });

  it('prints the heartbeat vector', () => {
    const v = ['host', null, 4334, 'u', 'p', 1700000000000, '1.0.7469', true, 2];
    expect(printEdn(v)).toBe('["host" nil 4334 "u" "p" 1700000000000 "1.0.7469" true 2]');
  });

  it('keeps map insertion order and replaces in place', () => {
    const m = new EdnMap([['b', 1], ['a', 2]]);
    m.set('b', 3);
    m.set(kw('b'), 4);
    expect(printEdn(m)).toBe('{"b" 3, "a" 2, :b 4}');
    expect(m.delete('a')).toBe(true);
    expect(printEdn(m)).toBe('{"b" 3, :b 4}');
  });

  it('uses structural key equality', () => {
    const m = new EdnMap();
    m.set([1, 'a'], 'vec');
    m.set(new EdnSet([1, 2]), 'set');
    m.set(new EdnMap([[kw('x'), 1], [kw('y'), 2]]), 'map');
    expect(m.get([1, 'a'])).toBe('vec');
    expect(m.get(new EdnSet([2, 1]))).toBe('set');
    expect(m.get(new EdnMap([[kw('y'), 2], [kw('x'), 1]]))).toBe('map');
    expect(m.get(kw('x'))).toBeUndefined();
    expect(Keyword.of('a/b')).toBe(kw('a/b'));
  });
});

// ---- property tests ----

const nameChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789*+!-_?<>=.é'.split(''));
const firstChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZ*!_?<>=é'.split(''));
const namePart = fc
  .tuple(firstChar, fc.array(nameChar, { maxLength: 8 }))
  .map(([a, b]) => a + b.join(''))
  .filter((s) => !['nil', 'true', 'false'].includes(s));
const fullName = fc.tuple(fc.option(namePart, { nil: null }), namePart).map(([ns, n]) => (ns === null ? n : `${ns}/${n}`));

const scalar: fc.Arbitrary<EdnValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('"', '\\', '\n\t\r\b\f', 'a,b', '#{}', ';', 'é😀'),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((b) => (Number.isSafeInteger(Number(b)) ? Number(b) : b)),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((b) => new EdnBigInt(b)),
  fc.double().map((d) => new EdnFloat(d)),
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.nat(5)).map(([i, s]) => new EdnBigDecimal(s === 0 ? `${i}` : `${i}.${'0'.repeat(s)}1`)),
  fullName.map((n) => kw(n)),
  fullName.map((n) => new EdnSymbol(n)),
  fc.integer({ min: 0, max: 0xd7ff }).map((c) => new EdnChar(String.fromCharCode(c))),
  fc.constantFrom('\n', ' ', '\t', '\r', '\b', '\f', '(', ']', '\\', '"', ',', ';').map((c) => new EdnChar(c)),
);

const { value: ednValue } = fc.letrec<{ value: EdnValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.array(tie('value'), { maxLength: 5 }).map((xs) => new EdnList(xs)),
    fc.array(tie('value'), { maxLength: 5 }).map((xs) => new EdnSet(xs)),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 5 }).map((es) => new EdnMap(es)),
    fc.tuple(namePart, tie('value')).map(([t, v]) => new Tagged(t.replace(/^[^A-Za-z]/, 'x'), v)),
  ),
}));

describe('EDN properties', () => {
  it('read(print(x)) equals x', () => {
    fc.assert(
      fc.property(ednValue, (x) => {
        const printed = printEdn(x);
        const back = readEdn(printed);
        expect(ednEquals(back, x)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('print(read(print(x))) === print(x)', () => {
    fc.assert(
      fc.property(ednValue, (x) => {
        const printed = printEdn(x);
        expect(printEdn(readEdn(printed))).toBe(printed);
      }),
      { numRuns: 1500 },
    );
  });

  it('catalog-like maps round-trip through print exactly', () => {
    const catalog = fc
      .tuple(
        fc.uniqueArray(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), { maxLength: 8 }),
        fc.uniqueArray(fc.uuid(), { maxLength: 4 }),
      )
      .map(([names, dels]) => {
        const m = new EdnMap();
        for (const n of names) m.set(n, new EdnMap([[kw('db-id'), `${n}-x`]]));
        m.set(kw('datomic/deleted'), new EdnSet(dels));
        return m;
      });
    fc.assert(
      fc.property(catalog, (m) => {
        const s = printEdn(m);
        expect(printEdn(readEdn(s))).toBe(s);
      }),
    );
  });

  it('never throws anything but EDN_PARSE on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        try {
          readEdnAll(s);
        } catch (e) {
          expect(e).toBeInstanceOf(DtxError);
          expect((e as DtxError).code).toBe('EDN_PARSE');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
