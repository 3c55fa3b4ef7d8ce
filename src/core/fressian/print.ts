/**
 * A canonical, EDN-like text for a decoded value, for tests (the differential test compares it
 * with the same text printed by test/peer/fressian_gen.clj) and for debugging. Exact and
 * unambiguous, not pretty:
 *   nil true false 42 -9223372036854775808 "a\u00e9" (only printable ASCII is literal)
 *   #f64 3ff8000000000000 / #f32 3fc00000 (IEEE bits; NaN printed canonical)
 *   123N  #bigdec [unscaled scale]  #inst <ms>  #uuid "..."  #regex "..."  #uri "..."
 *   #bytes "00ff"  [list]  {k v, k v} and #{a b} sorted by their printed text
 *   :ns/name (or #key [ns name] when a part has characters outside [A-Za-z0-9*+!_?<>=.-])
 *   #sym ns/name (or #sym [ns name])  #struct "tag" [fields]
 *   #long[] [..] #int[] [..] #double[] [#f64 ..] #float[] [#f32 ..] #boolean[] [..] #Object[] [..]
 */
import {
  BigDecimal,
  BigInteger,
  BooleanArray,
  Double,
  DoubleArray,
  Float,
  FloatArray,
  Inst,
  IntArray,
  Keyword,
  LongArray,
  ObjectArray,
  Regex,
  Struct,
  Sym,
  Uri,
  Uuid,
  type Value,
} from './values.js';

export interface PrintOptions {
  /** Stop after about this many characters and end with "…" (cached values can repeat a lot). */
  maxChars?: number;
}

const SIMPLE = /^[A-Za-z0-9*+!_?<>=.-]+$/;
const bits = new DataView(new ArrayBuffer(8));

class Full extends Error {}

/** `"..."` with `"` and `\` escaped and everything outside printable ASCII as \uXXXX. */
export function printString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += `\\${s[i]}`;
    else if (c >= 0x20 && c <= 0x7e) out += s[i];
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}

export function doubleBits(d: number): string {
  if (Number.isNaN(d)) return '7ff8000000000000';
  bits.setFloat64(0, d);
  return bits.getUint32(0).toString(16).padStart(8, '0') + bits.getUint32(4).toString(16).padStart(8, '0');
}

export function floatBits(f: number): string {
  if (Number.isNaN(f)) return '7fc00000';
  bits.setFloat32(0, f);
  return bits.getUint32(0).toString(16).padStart(8, '0');
}

function named(prefix: string, ns: string | null, name: string): string | null {
  if ((ns === null || SIMPLE.test(ns)) && SIMPLE.test(name)) return ns === null ? `${prefix}${name}` : `${prefix}${ns}/${name}`;
  return null;
}

class Printer {
  private len = 0;
  constructor(private readonly max: number) {}

  private add(parts: string[], s: string): void {
    this.len += s.length;
    parts.push(s);
    if (this.len > this.max) throw new Full();
  }

  print(v: Value, parts: string[] = []): string {
    this.value(v, parts);
    return parts.join('');
  }

  private seq(tag: string, items: Iterable<Value>, parts: string[]): void {
    this.add(parts, `${tag}[`);
    let first = true;
    for (const x of items) {
      if (!first) this.add(parts, ' ');
      first = false;
      this.value(x, parts);
    }
    this.add(parts, ']');
  }

  private value(v: Value, parts: string[]): void {
    if (v === null) return this.add(parts, 'nil');
    switch (typeof v) {
      case 'boolean':
      case 'number':
      case 'bigint':
        return this.add(parts, String(v));
      case 'string':
        return this.add(parts, printString(v));
      default:
        break;
    }
    if (Array.isArray(v)) return this.seq('', v, parts);
    if (v instanceof Uint8Array) return this.add(parts, `#bytes "${hex(v)}"`);
    if (v instanceof Keyword) return this.add(parts, named(':', v.ns, v.name) ?? `#key [${v.ns === null ? 'nil' : printString(v.ns)} ${printString(v.name)}]`);
    if (v instanceof Sym) return this.add(parts, `#sym ${named('', v.ns, v.name) ?? `[${v.ns === null ? 'nil' : printString(v.ns)} ${printString(v.name)}]`}`);
    if (v instanceof Uuid) return this.add(parts, `#uuid "${v.str}"`);
    if (v instanceof Inst) return this.add(parts, `#inst ${String(v.ms)}`);
    if (v instanceof Double) return this.add(parts, `#f64 ${doubleBits(v.value)}`);
    if (v instanceof Float) return this.add(parts, `#f32 ${floatBits(v.value)}`);
    if (v instanceof BigInteger) return this.add(parts, `${v.value}N`);
    if (v instanceof BigDecimal) return this.add(parts, `#bigdec [${v.unscaled} ${v.scale}]`);
    if (v instanceof Regex) return this.add(parts, `#regex ${printString(v.source)}`);
    if (v instanceof Uri) return this.add(parts, `#uri ${printString(v.value)}`);
    if (v instanceof Map) {
      const entries = [...v].map(([k, x]) => [this.print(k), this.print(x)] as const);
      entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      return this.add(parts, `{${entries.map(([k, x]) => `${k} ${x}`).join(', ')}}`);
    }
    if (v instanceof Set) {
      const items = [...v].map((x) => this.print(x)).sort();
      return this.add(parts, `#{${items.join(' ')}}`);
    }
    if (v instanceof Struct) {
      this.add(parts, '#struct ');
      this.value(v.tag, parts);
      return this.seq(' ', v.fields, parts);
    }
    if (v instanceof LongArray) return this.seq('#long[] ', v.values, parts);
    if (v instanceof IntArray) return this.seq('#int[] ', v.values, parts);
    if (v instanceof BooleanArray) return this.seq('#boolean[] ', v.values, parts);
    if (v instanceof ObjectArray) return this.seq('#Object[] ', v.values, parts);
    if (v instanceof DoubleArray) return this.add(parts, `#double[] [${Array.from(v.values, (d) => `#f64 ${doubleBits(d)}`).join(' ')}]`);
    if (v instanceof FloatArray) return this.add(parts, `#float[] [${Array.from(v.values, (f) => `#f32 ${floatBits(f)}`).join(' ')}]`);
    return this.add(parts, `#unknown ${String(v)}`);
  }
}

/** The canonical text of a value (see the file header). */
export function printValue(v: Value, opts: PrintOptions = {}): string {
  const max = opts.maxChars ?? Infinity;
  const parts: string[] = [];
  try {
    return new Printer(max).print(v, parts);
  } catch (e) {
    if (!(e instanceof Full)) throw e;
    return `${parts.join('').slice(0, max)}…`;
  }
}
