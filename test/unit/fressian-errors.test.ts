/**
 * Malformed Fressian: every failure is a DtxError with a stable FRESSIAN_* code and a message that
 * names the row (when given) and the byte offset; nothing else escapes (no RangeError/TypeError),
 * deep nesting is refused before the JS stack overflows.
 */
import { describe, it, expect } from 'vitest';
import { readObject, readAll, type Value } from '../../src/core/fressian/index.js';
import { bytes, int, str } from '../helpers/fressian.js';
import { expectDtxError } from '../helpers/dtx-error.js';

function fails(input: Uint8Array, rowId?: string) {
  const e = expectDtxError(() => readObject(input, { rowId }));
  return { code: e.code, message: e.message, details: e.details, exitCode: e.exitCode };
}

describe('error messages name the row and the offset', () => {
  it('truncated string, with and without a row id', () => {
    expect(fails(bytes(0xe5, 0xe3, 0x05, 'ab'), 'pod-x')).toEqual({
      code: 'FRESSIAN_TRUNCATED',
      message: 'cannot decode Fressian in row pod-x at byte 1: the input ends inside a string of 5 bytes: 5 bytes needed at byte 3, 2 left',
      details: { rowId: 'pod-x', offset: 1, reason: 'the input ends inside a string of 5 bytes: 5 bytes needed at byte 3, 2 left', gunzipped: false },
      exitCode: 1,
    });
    expect(fails(bytes(0xe3, 0x05, 'ab')).message).toBe(
      'cannot decode Fressian at byte 0: the input ends inside a string of 5 bytes: 5 bytes needed at byte 2, 2 left',
    );
  });

  it('empty input and a list cut short', () => {
    expect(fails(bytes())).toMatchObject({ code: 'FRESSIAN_TRUNCATED', message: 'cannot decode Fressian at byte 0: the input ends where an object should start' });
    expect(fails(bytes(0xe7, 1, 2), 'r')).toMatchObject({ code: 'FRESSIAN_TRUNCATED', message: 'cannot decode Fressian in row r at byte 0: the input ends inside a list of 3 elements: only 2 bytes left at byte 1' });
    expect(fails(bytes(0xed, 1, 2)).message).toBe('cannot decode Fressian at byte 3: the input ends where an object should start');
    expect(fails(bytes(0xf8, 1, 2, 3)).message).toBe('cannot decode Fressian at byte 0: the input ends inside an 8-byte integer: 8 bytes needed at byte 1, 3 left');
    expect(fails(bytes(0xfe, 0xfe))).toMatchObject({ code: 'FRESSIAN_TRUNCATED' });
  });

  it('unknown and misplaced codes', () => {
    for (const c of [0xc2, 0xcb, 0xf2, 0xf3]) {
      expect(fails(bytes(0xe5, c), 'r')).toEqual(expect.objectContaining({ code: 'FRESSIAN_UNKNOWN_CODE', message: `cannot decode Fressian in row r at byte 1: unknown code 0x${c.toString(16).toUpperCase()}` }));
    }
    expect(fails(bytes(0xce)).message).toBe('cannot decode Fressian at byte 0: unknown code 0xCE (PRECACHE)');
    expect(fails(bytes(0xf1)).message).toBe('cannot decode Fressian at byte 0: unknown code 0xF1 (META)');
    expect(fails(bytes(0xf4)).message).toBe('cannot decode Fressian at byte 0: unknown code 0xF4 (ANY)');
    expect(fails(bytes(0xfd))).toMatchObject({ code: 'FRESSIAN_MALFORMED', message: 'cannot decode Fressian at byte 0: END_COLLECTION outside a closed list' });
  });

  it('bad lengths and counts', () => {
    expect(fails(bytes(0xe3, 0xff)).message).toBe('cannot decode Fressian at byte 0: negative string length -1');
    expect(fails(bytes(0xec, int(2 ** 32)))).toMatchObject({ code: 'FRESSIAN_MALFORMED', message: 'cannot decode Fressian at byte 0: list length out of range for an int: 4294967296' });
    expect(fails(bytes(0xec, int(2n ** 62n))).message).toMatch(/list length out of range for an int: 4611686018427387904$/);
    expect(fails(bytes(0xd9, 0xda))).toMatchObject({ code: 'FRESSIAN_MALFORMED', message: 'cannot decode Fressian at byte 1: expected an integer, found code 0xDA' });
    expect(fails(bytes(0xb3, int(2 ** 30)))).toMatchObject({ code: 'FRESSIAN_TRUNCATED', message: 'cannot decode Fressian at byte 0: the input ends inside an int[] of 1073741824 elements: only 0 bytes left at byte 6' });
    expect(fails(bytes(0xb3, 0x01, int(2 ** 31))).message).toBe('cannot decode Fressian at byte 2: int[] element out of range for an int: 2147483648');
    expect(fails(bytes(0xef, str('t'), 0xff)).message).toBe('cannot decode Fressian at byte 0: negative struct field count -1');
  });

  it('bad cache references', () => {
    expect(fails(bytes(0x85))).toMatchObject({ code: 'FRESSIAN_MALFORMED', message: 'cannot decode Fressian at byte 0: priority cache index 5 is beyond the cache (0 entries)' });
    expect(fails(bytes(0xcc, 0xff)).message).toBe('cannot decode Fressian at byte 0: priority cache index -1 is beyond the cache (0 entries)');
    expect(fails(bytes(0xcd, 0xe5, 0x80)).message).toBe('cannot decode Fressian at byte 2: a cached object refers to itself');
    expect(fails(bytes(0xcd, 0xfe, 1)).message).toBe('cannot decode Fressian at byte 0: the caches were reset while an object was being cached');
    expect(fails(bytes(0xa3))).toMatchObject({ code: 'FRESSIAN_MALFORMED', message: 'cannot decode Fressian at byte 0: struct cache index 3 was never declared (0 struct types declared)' });
    expect(fails(bytes(0xf0, int(100))).message).toMatch(/struct cache index 100 was never declared/);
  });

  it('bad UTF-8 (as Java rejects it) and cut sequences', () => {
    expect(fails(bytes(0xdc, 'a', 0xff))).toMatchObject({ code: 'FRESSIAN_MALFORMED', message: 'cannot decode Fressian at byte 0: invalid UTF-8 lead byte 0xFF at byte 2' });
    expect(fails(bytes(0xdd, 0xf0, 0x9f, 0x98)).message).toMatch(/invalid UTF-8 lead byte 0xF0 at byte 1$/); // 4-byte UTF-8: Java refuses it
    expect(fails(bytes(0xdb, 0x80)).message).toMatch(/invalid UTF-8 lead byte 0x80/);
    expect(fails(bytes(0xdc, 'a', 0xc3)).message).toMatch(/a 2-byte UTF-8 sequence is cut by the end of the string at byte 2$/);
    expect(fails(bytes(0xe2, 0x02, 0xe2, 0x82, 0xdb, 0xac)).message).toMatch(/3-byte UTF-8 sequence is cut/);
  });

  it('chunked strings and bytes must continue with the right codes', () => {
    expect(fails(bytes(0xe2, 0x01, 'a', 0x05)).message).toBe('cannot decode Fressian at byte 3: expected the next piece of a chunked string, found code 0x05');
    expect(fails(bytes(0xd8, 0x01, 1, 0xd2, 1, 2)).message).toBe('cannot decode Fressian at byte 3: expected the next piece of chunked bytes, found code 0xD2');
  });

  it('standard structs with wrong fields', () => {
    expect(fails(bytes(0xc3, 0xd2, 1, 2)).message).toBe('cannot decode Fressian at byte 0: invalid uuid buffer size: 2');
    expect(fails(bytes(0xc3, str('x'))).message).toBe('cannot decode Fressian at byte 0: a uuid expects bytes');
    expect(fails(bytes(0xc0, 0xe5, 1)).message).toBe('cannot decode Fressian at byte 0: a map list has an odd number of elements (1)');
    expect(fails(bytes(0xc0, 0x01)).message).toBe('cannot decode Fressian at byte 0: a map expects a list');
    expect(fails(bytes(0xc1, 0xb5, 0x00)).message).toBe('cannot decode Fressian at byte 0: a set expects a list');
    expect(fails(bytes(0xca, 0xf7, 0x05)).message).toBe('cannot decode Fressian at byte 0: a key expects a string or nil namespace and a string name');
    expect(fails(bytes(0xc9, 0x01, str('x'))).message).toMatch(/a sym expects/);
    expect(fails(bytes(0xc6, 0xd0)).message).toBe('cannot decode Fressian at byte 0: a bigint has zero bytes');
    expect(fails(bytes(0xc7, str('x'), 0)).message).toBe('cannot decode Fressian at byte 0: a bigdec expects bytes');
    expect(fails(bytes(0xc4, 0x01)).message).toBe('cannot decode Fressian at byte 0: a regex expects a string');
    expect(fails(bytes(0xc8, 0xf5)).message).toBe('cannot decode Fressian at byte 1: expected an integer, found code 0xF5');
    expect(fails(bytes(0xb1, 0x01, 0x05)).message).toBe('cannot decode Fressian at byte 2: expected a double, found code 0x05');
    expect(fails(bytes(0xb4, 0x01, 0xfb)).message).toBe('cannot decode Fressian at byte 2: expected a float, found code 0xFB');
    expect(fails(bytes(0xb2, 0x01, 0xf7)).message).toBe('cannot decode Fressian at byte 2: expected a boolean, found code 0xF7');
  });

  it('nesting deeper than maxDepth is an error, not a stack overflow; resets do not nest', () => {
    const deep = new Uint8Array(200_000).fill(0xe5);
    expect(fails(deep)).toMatchObject({ code: 'FRESSIAN_MALFORMED', message: 'cannot decode Fressian at byte 1000: nesting deeper than 1000 levels' });
    const puts = new Uint8Array(200_000).fill(0xcd);
    expect(fails(puts).code).toBe('FRESSIAN_MALFORMED');
    expect(expectDtxError(() => readObject(bytes(0xe5, 0xe5, 0xe5, 1), { maxDepth: 2 })).message).toMatch(/nesting deeper than 2 levels/);
    let v: Value = readObject(bytes(0xe5, 0xe5, 0xe5, 1), { maxDepth: 4 });
    expect(v).toEqual([[[1]]]);
    const resets = new Uint8Array(100_001).fill(0xfe);
    resets[100_000] = 7;
    v = readObject(resets);
    expect(v).toBe(7);
    // the default depth leaves room on the stack: 1000 levels of every container kind
    for (const open of [[0xe5], [0xed], [0xc0, 0xe6, 0xf7], [0xb5, 0x01], [0xef, 0xda, 0x01], [0xcd]]) {
      const parts: number[] = [];
      for (let i = 0; i < 999; i++) parts.push(...open);
      expect(() => readObject(bytes(parts, 1, new Array<number>(999).fill(0xfd)))).not.toThrow(RangeError);
    }
  });

  it('an exception thrown by a struct reader hook comes out as a DtxError', () => {
    const e = expectDtxError(() =>
      readObject(bytes(0xef, str('t'), 0x00), {
        rowId: 'r',
        structReaders: new Map([['t', () => { throw new TypeError('boom'); }]]),
      }),
    );
    expect(e.code).toBe('FRESSIAN_MALFORMED');
    expect(e.message).toBe('cannot decode Fressian in row r at byte 4: decoder failure (boom)');
  });

  it('readAll reports the offset of the failing object', () => {
    expect(expectDtxError(() => readAll(bytes(1, 2, 0xc2), { rowId: 'x' })).message).toBe('cannot decode Fressian in row x at byte 2: unknown code 0xC2');
  });
});
