import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { validateDbName, isValidDbName, dbNameProblem, suggestNames, editDistance, MAX_DB_NAME_LENGTH } from '../../src/core/datomic/dbname.js';
import { DtxError, ExitCode } from '../../src/core/errors.js';

describe('validateDbName', () => {
  it('accepts ordinary, hex-like and unicode names', () => {
    for (const n of ['a', 'ab', 'a-b', 'abc', '0f', 'todo', 'my_db.v2', 'ünïcødé', '日本語', 'db with space', 'x'.repeat(MAX_DB_NAME_LENGTH)]) {
      expect(validateDbName(n)).toBe(n);
    }
  });

  it('rejects forbidden characters, empty, whitespace and long names with DB_NAME_INVALID exit 2', () => {
    for (const n of ['', '   ', '\t', ' a', 'a ', 'a"b', 'a*b', 'a:b', 'a=b', 'a/b', 'a?b', 'x'.repeat(MAX_DB_NAME_LENGTH + 1), 'a\u0000b', 'a\nb']) {
      let err: unknown;
      try {
        validateDbName(n);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(n)).toBeInstanceOf(DtxError);
      const d = err as DtxError;
      expect(d.code).toBe('DB_NAME_INVALID');
      expect(d.exitCode).toBe(ExitCode.usage);
      expect(d.hint).toMatch(/" \* : = \/ \?/);
    }
    expect(dbNameProblem('a:b/c')).toBe("it contains ':', '/'");
  });

  it('any name containing a forbidden char is invalid (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('"', '*', ':', '=', '/', '?'), fc.string(), (a, c, b) => {
        expect(isValidDbName(a + c + b)).toBe(false);
      }),
    );
  });

  it('names of safe characters are valid (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,40}$/), (n) => {
        expect(isValidDbName(n)).toBe(true);
      }),
    );
  });
});

describe('suggestNames', () => {
  const names = ['orders', 'order-archive', 'users', 'a', 'ab', 'a-b', 'Todo'];
  it('suggests close names', () => {
    expect(suggestNames('ordres', names)).toEqual(['orders']);
    expect(suggestNames('user', names)).toEqual(['users']);
    expect(suggestNames('todo', names)).toEqual(['Todo']);
    expect(suggestNames('order', names)).toEqual(['orders', 'order-archive']);
    expect(suggestNames('zzzzzz', names)).toEqual([]);
    expect(suggestNames('orders', names)).not.toContain('orders');
  });
  it('edit distance basics', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('abc', 'acb')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  it('edit distance is symmetric (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), (a, b) => editDistance(a, b) === editDistance(b, a)));
  });
});
