/**
 * Helpers for the Fressian tests: a byte builder for hand-made inputs (edge cases that Java's
 * writer never produces), and the cases written by the real Java writer.
 *
 * test/fixtures/fressian/java-written.tsv holds the fixed (non-random) cases of
 * test/peer/fressian_gen.clj whose base64 is under 3000 characters, written by org.fressian 0.6.8
 * with the Datomic peer 1.0.7556's handlers. Regenerate with:
 *   java -cp "$(cat ~/.cache/dtx-peer/classpath.txt)" clojure.main test/peer/fressian_gen.clj cases 42 0 \
 *     | awk -F'\t' 'length($3) < 3000 && $1 != "END"' > test/fixtures/fressian/java-written.tsv
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeVal, readAll, readObject, type Value, type ReaderOptions } from '../../src/core/fressian/index.js';

type Part = number | readonly number[] | string | Uint8Array;

/** Bytes from parts: a number is one byte, a string its UTF-8 bytes, arrays are flattened. */
export function bytes(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p & 0xff);
    else if (typeof p === 'string') out.push(...Buffer.from(p, 'utf8'));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}

function rawBE(i: bigint, n: number): number[] {
  const out: number[] = [];
  for (let k = n - 1; k >= 0; k--) out.push(Number((i >> BigInt(8 * k)) & 0xffn));
  return out;
}

/** An integer as FressianWriter.internalWriteInt writes it (checked against the Java fixtures). */
export function int(v: number | bigint): number[] {
  const i = BigInt(v);
  const x = i < 0n ? ~i : i;
  const nlz = 64 - (x === 0n ? 0 : x.toString(2).length);
  const packed = (zero: number, shift: number, n: number) => [Number(BigInt.asUintN(8, BigInt(zero) + (i >> BigInt(shift)))), ...rawBE(i, n)];
  if (nlz <= 14) return [0xf8, ...rawBE(i, 8)];
  if (nlz <= 22) return packed(0x7e, 48, 6);
  if (nlz <= 30) return packed(0x7a, 40, 5);
  if (nlz <= 38) return packed(0x76, 32, 4);
  if (nlz <= 44) return packed(0x72, 24, 3);
  if (nlz <= 51) return packed(0x68, 16, 2);
  if (nlz <= 57) return packed(0x50, 8, 1);
  return i < -1n ? packed(0x50, 8, 1) : [Number(BigInt.asUintN(8, i))];
}

/** A string as the writer writes a short one: 0xDA+n below 8 bytes, else STRING + count. */
export function str(s: string): number[] {
  const b = [...Buffer.from(s, 'utf8')];
  return b.length < 8 ? [0xda + b.length, ...b] : [0xe3, ...int(b.length), ...b];
}

export interface JavaCase {
  name: string;
  /** one: read one object; all: read to the end; val: a datomic_kvs val (gzip, one object). */
  mode: 'one' | 'all' | 'val';
  bytes: Buffer;
  /** The canonical text (print.ts rules) of what Java's reader reads back. */
  expected: string;
  /** Whether that equals the written value ("n/a" for Datomic's segment writers). */
  same: string;
}

/** Parses the generator's tab-separated lines (the END line and blank lines are skipped). */
export function parseJavaCases(text: string): JavaCase[] {
  const out: JavaCase[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line || line === 'END') continue;
    const [name, mode, b64, expected, same] = line.split('\t');
    out.push({ name: name!, mode: mode as JavaCase['mode'], bytes: Buffer.from(b64!, 'base64'), expected: expected!, same: same! });
  }
  return out;
}

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'fressian', 'java-written.tsv');

export function javaFixtureCases(): JavaCase[] {
  return parseJavaCases(readFileSync(FIXTURE, 'utf8'));
}

/** Decodes a case the way its mode says. */
export function decodeCase(c: Pick<JavaCase, 'mode' | 'bytes'>, opts: ReaderOptions = {}): Value {
  if (c.mode === 'all') return readAll(c.bytes, opts);
  if (c.mode === 'val') return decodeVal(c.bytes, opts);
  return readObject(c.bytes, opts);
}
