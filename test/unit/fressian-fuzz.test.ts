/**
 * Fuzzing the Fressian reader: random bytes, every truncation of bytes written by the Java writer,
 * and random mutations of them only ever give a value or a DtxError with a FRESSIAN_* code (never
 * another exception, never a hang: every step of the reader consumes input).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import { DtxError } from '../../src/core/errors.js';
import { readObject, readAll, decodeVal, printValue, DATOMIC_STRUCT_TAGS, type ReaderOptions } from '../../src/core/fressian/index.js';
import { javaFixtureCases } from '../helpers/fressian.js';

const CODES = ['FRESSIAN_TRUNCATED', 'FRESSIAN_MALFORMED', 'FRESSIAN_UNKNOWN_CODE', 'FRESSIAN_UNKNOWN_TAG', 'FRESSIAN_BAD_GZIP'];

/** Decodes; returns 'ok' or the error code. Anything other than a FRESSIAN_* DtxError fails the test. */
function outcome(fn: () => unknown): string {
  try {
    const v = fn();
    printValue(v as never, { maxChars: 10_000 });
    return 'ok';
  } catch (e) {
    if (!(e instanceof DtxError) || !CODES.includes(e.code) || !/ at byte \d+/.test(e.message)) {
      throw new Error(`unexpected failure: ${e instanceof Error ? `${e.name} ${e.message}` : String(e)}`);
    }
    return e.code;
  }
}

const strict: ReaderOptions = { knownTags: DATOMIC_STRUCT_TAGS, rowId: 'fuzz' };

/** Raw Fressian of each fixture (gzip vals gunzipped). */
const samples = javaFixtureCases().map((c) => (c.mode === 'val' ? gunzipSync(c.bytes) : c.bytes));

/** Bytes biased towards Fressian codes, so that random inputs get past the first byte. */
const fressianish = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom(0xc0, 0xc3, 0xca, 0xcc, 0xcd, 0xcf, 0xd9, 0xe3, 0xe5, 0xe8, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf8, 0xfd, 0xfe, 0x80, 0xa0, 0xb0, 0xb5, 0x10),
  ),
  { maxLength: 300 },
).map((a) => Uint8Array.from(a));

describe('fuzz: only values or DtxErrors', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        outcome(() => readObject(b));
        outcome(() => readAll(b, strict));
        outcome(() => decodeVal(b));
      }),
      { numRuns: 3000 },
    );
  });

  it('random Fressian-like bytes', () => {
    fc.assert(
      fc.property(fressianish, (b) => {
        outcome(() => readObject(b, strict));
        outcome(() => readAll(b));
      }),
      { numRuns: 5000 },
    );
  });

  it('every prefix of every Java-written sample: a value or a truncation error', () => {
    let values = 0;
    let truncated = 0;
    for (const s of samples) {
      for (let n = 0; n < s.length; n++) {
        const r = outcome(() => readAll(s.subarray(0, n)));
        if (r === 'ok') values++;
        else truncated++;
        expect(['ok', 'FRESSIAN_TRUNCATED'], r).toContain(r);
        outcome(() => readObject(s.subarray(0, n)));
      }
    }
    expect(truncated).toBeGreaterThan(values);
  });

  it('random mutations of Java-written samples', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: samples.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (i, edits) => {
          const b = Uint8Array.from(samples[i]!);
          for (const [at, v] of edits) if (b.length) b[at % b.length] = v;
          outcome(() => readObject(b, strict));
          outcome(() => readAll(b));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
