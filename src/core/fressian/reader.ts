/**
 * A Fressian reader that decodes what org.fressian 0.6.8's FressianReader accepts, with Datomic's
 * read handlers for `key`/`sym` (keywords and symbols) and `map`. Facts it relies on, all read in
 * org.fressian 0.6.8's sources (FressianReader, RawInput, Codes, Handlers, Fns, FressianWriter) and
 * checked against bytes written by the Java writer (test/integration/fressian-differential.test.ts):
 *
 * - Integers: 0x00-0x3F and 0xFF are the values 0..63 and -1; 0x40-0x7F carry the high bits of a
 *   2..7-byte big-endian int (at most ±2^49, always a safe JS number); INT 0xF8 is 8 raw bytes.
 * - Every length, count and cache index is read with readInt, which also accepts any code whose
 *   object is a Long (e.g. a cached int); negative or non-int values are errors.
 * - Strings: 0xDA+n (n<8 bytes), STRING + count, or STRING_CHUNK + count ... ending with a packed
 *   or STRING piece. The writer fills ≤65,536-byte chunks per UTF-16 char, so a sequence never
 *   spans chunks. Encoding is per UTF-16 code unit (CESU-8-like; see RawInput.rawUtf8): a
 *   surrogate pair is two 3-byte sequences. It is not to be decoded leniently: Java rejects 4-byte
 *   UTF-8 lead bytes (0xF0+) and stray continuation lead bytes (docs/datomic-storage.md §8).
 * - Bytes: 0xD0+n, BYTES + count, or BYTES_CHUNK + count ... ending with BYTES (65,535-byte chunks).
 * - Standard structs (MAP, SET, UUID, ... OBJECT_ARRAY) are tags with fixed codes; their reader
 *   reads its own fields whatever the field count says. A STRUCTTYPE whose tag string names one of
 *   them ("map", "uuid", ...) uses the same reader, as Java's handler lookup by tag does.
 * - STRUCTTYPE declares (tag, field count) into the struct cache before its fields are read; later
 *   uses are 0xA0+i (i<16) or STRUCT + index. Unknown tags are TaggedObject(tag, fields): a Struct.
 * - PUT_PRIORITY_CACHE caches the next object (an index is reserved first, so an object cannot
 *   refer to itself); GET_PRIORITY_CACHE + index and 0x80+i (i<32) refer back to it.
 * - RESET_CACHES clears both caches and then reads the next object, anywhere a code is read.
 * - FOOTER 0xCF, anywhere a code is read: magic 0xCFCFCFCF, int32 length (bytes since the previous
 *   footer, excluding the footer), int32 Adler-32 of those bytes plus magic and length; then both
 *   caches reset and the next object is read. Datomic reads a val as one object and never reaches
 *   its trailing footer (docs/datomic-storage.md §8), so readObject ignores trailing bytes.
 * - BEGIN_OPEN_LIST reads until END_COLLECTION or the end of the input; BEGIN_CLOSED_LIST until
 *   END_COLLECTION.
 * - Codes that Codes.java names but the reader rejects: PRECACHE 0xCE, META 0xF1, ANY 0xF4; unused:
 *   0xC2, 0xCB, 0xF2, 0xF3. END_COLLECTION outside a closed list is an error.
 * - The writer writes -0.0 as DOUBLE_0 (Java's `d == 0.0`), so -0.0 reads back as +0.0.
 * - There is no char type: neither org.fressian nor Datomic's handlers can write a Character
 *   ("Cannot write a as tag null"); a "char" struct from another writer reads as a Struct.
 *
 * Divergences from Java (all on input Java's writer never produces): regex and URI texts are not
 * compiled or parsed; a UTF-8 sequence cut by the end of its string is an error; nesting deeper
 * than maxDepth is an error (Java would overflow its stack); lengths larger than the bytes left are
 * reported as truncation up front.
 */
import { Codes } from './codes.js';
import { describeCode } from './codes.js';
import { adler32 } from './adler32.js';
import { FressianErrorCode } from './errors.js';
import { RawInput } from './input.js';
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

/** Replaces a generic struct: gets its fields, returns what the reader returns in its place. */
export type StructReader = (fields: Value[], tag: string) => Value;

export interface ReaderOptions {
  /** Named in every error message. */
  rowId?: string | undefined;
  /**
   * Strict mode: a STRUCTTYPE whose tag is neither a built-in one nor in this set is
   * FRESSIAN_UNKNOWN_TAG (e.g. DATOMIC_STRUCT_TAGS). Without it, unknown tags read as Struct.
   */
  knownTags?: ReadonlySet<string> | undefined;
  /** Per-tag readers for generic structs (not for built-in tags such as "map" or "key"). */
  structReaders?: ReadonlyMap<string, StructReader> | undefined;
  /** Check the Adler-32 of footers met inside the data (default true, as FressianReader(in)). */
  validateChecksum?: boolean | undefined;
  /** Deepest nesting accepted (default 1000). */
  maxDepth?: number | undefined;
  /** Error offsets refer to gunzipped bytes (set by decodeVal). */
  gunzipped?: boolean | undefined;
}

/** Tags the reader decodes itself (org.fressian's standard handlers plus Datomic's key/sym/map). */
export const BUILTIN_TAGS: ReadonlySet<string> = new Set([
  'map', 'set', 'uuid', 'regex', 'uri', 'bigint', 'bigdec', 'inst', 'sym', 'key',
  'int[]', 'long[]', 'float[]', 'boolean[]', 'double[]', 'Object[]',
]);

interface StructType {
  tag: Value;
  fields: number;
}

const UNDER_CONSTRUCTION = Symbol('under construction');
type CacheSlot = Value | typeof UNDER_CONSTRUCTION;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const DOUBLE_ZERO = new Double(0);
const DOUBLE_ONE = new Double(1);
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

function uuidString(b: Uint8Array, p: number): string {
  return (
    HEX[b[p]!]! + HEX[b[p + 1]!]! + HEX[b[p + 2]!]! + HEX[b[p + 3]!]! + '-' +
    HEX[b[p + 4]!]! + HEX[b[p + 5]!]! + '-' + HEX[b[p + 6]!]! + HEX[b[p + 7]!]! + '-' +
    HEX[b[p + 8]!]! + HEX[b[p + 9]!]! + '-' + HEX[b[p + 10]!]! + HEX[b[p + 11]!]! +
    HEX[b[p + 12]!]! + HEX[b[p + 13]!]! + HEX[b[p + 14]!]! + HEX[b[p + 15]!]!
  );
}

/** java.math.BigInteger(byte[]): two's complement, big-endian. */
function twosComplement(b: Uint8Array): bigint {
  const n = b.length;
  let v: bigint;
  if (n > 64) {
    v = BigInt(`0x${Buffer.from(b.buffer, b.byteOffset, n).toString('hex')}`);
  } else {
    // 6 bytes (48 bits) at a time stay exact in a double
    const head = n % 6;
    let x = 0;
    for (let i = 0; i < head; i++) x = x * 256 + b[i]!;
    v = BigInt(x);
    for (let i = head; i < n; i += 6) {
      const low = ((b[i + 2]! << 24) | (b[i + 3]! << 16) | (b[i + 4]! << 8) | b[i + 5]!) >>> 0;
      const chunk = (b[i]! * 256 + b[i + 1]!) * 4294967296 + low;
      v = (v << 48n) | BigInt(chunk);
    }
  }
  return b[0]! & 0x80 ? v - (1n << BigInt(n * 8)) : v;
}

function describeTag(tag: Value): string {
  return typeof tag === 'string' ? JSON.stringify(tag) : `a non-string tag (${typeof tag})`;
}

export class FressianReader extends RawInput {
  private priorityCache: CacheSlot[] = [];
  private structCache: StructType[] = [];
  private depth = 0;
  private footerBase = 0;
  /**
   * Maps, sets and big numbers built from a large list or byte array, by that list or array. A
   * cached list costs 2 bytes per reference (MAP + 0x80), so rebuilding the map at each one
   * would take time quadratic in the input; values are immutable, so one instance is shared.
   */
  private readonly builtMaps = new WeakMap<object, Value>();
  private readonly builtSets = new WeakMap<object, Value>();
  private readonly builtBigs = new WeakMap<object, Value>();
  private readonly maxDepth: number;
  private readonly knownTags: ReadonlySet<string> | undefined;
  private readonly structReaders: ReadonlyMap<string, StructReader> | undefined;
  private readonly validateChecksum: boolean;

  constructor(bytes: Uint8Array, opts: ReaderOptions = {}) {
    super(bytes, { rowId: opts.rowId, gunzipped: opts.gunzipped });
    this.maxDepth = opts.maxDepth ?? 1000;
    this.knownTags = opts.knownTags;
    this.structReaders = opts.structReaders;
    this.validateChecksum = opts.validateChecksum ?? true;
  }

  /** Reads the next object (FressianReader.readObject). */
  readObject(): Value {
    const at = this.pos;
    return this.read(this.readNextCode(), at);
  }

  /**
   * Reads objects until the end of the input. Footers between objects are validated and
   * consumed (a footer may end the input, as Java's writer leaves it after the last object).
   */
  readAll(): Value[] {
    const out: Value[] = [];
    while (this.pos < this.end) {
      if (this.buf[this.pos] === Codes.FOOTER) {
        const at = this.pos++;
        this.footer(at);
        continue;
      }
      out.push(this.readObject());
    }
    return out;
  }

  /** FressianReader.validateFooter: the next 12 bytes must be the footer of what was read. */
  validateFooter(): void {
    const at = this.pos;
    this.need(4, 'a footer', at);
    if (this.rawU32() !== Codes.FOOTER_MAGIC) this.malformed('invalid footer magic', at);
    this.pos = at + 1;
    this.footer(at);
  }

  /** FressianReader.readInt: any code whose object is an integer. */
  readInt(): number | bigint {
    const at = this.pos;
    const code = this.readNextCode();
    if (code < 0x40) return code;
    if (code < 0x80) return this.packedInt(code, at);
    if (code === 0xff) return -1;
    if (code === Codes.INT) {
      this.need(8, 'an 8-byte integer', at);
      return this.rawInt64();
    }
    const o = this.read(code, at);
    if (typeof o === 'number' || typeof o === 'bigint') return o;
    return this.malformed(`expected an integer, found code ${describeCode(code)}`, at);
  }

  // ------------------------------------------------------------------ dispatch

  private read(code: number, at: number): Value {
    while (code === Codes.RESET_CACHES || code === Codes.FOOTER) {
      if (code === Codes.RESET_CACHES) this.resetCaches();
      else this.footer(at);
      at = this.pos;
      code = this.readNextCode();
    }
    if (++this.depth > this.maxDepth) this.malformed(`nesting deeper than ${this.maxDepth} levels`, at);
    const v = this.dispatch(code, at);
    this.depth--;
    return v;
  }

  private dispatch(code: number, at: number): Value {
    if (code < 0x40) return code;
    if (code < 0x80) return this.packedInt(code, at);
    if (code < 0xa0) return this.lookupPriority(code - Codes.PRIORITY_CACHE_PACKED_START, at);
    if (code < 0xb0) {
      const st = this.lookupStruct(code - Codes.STRUCT_CACHE_PACKED_START, at);
      return this.handleStruct(st.tag, st.fields, at);
    }
    switch (code) {
      case 0xff:
        return -1;
      case Codes.INT:
        this.need(8, 'an 8-byte integer', at);
        return this.rawInt64();
      case Codes.TRUE:
        return true;
      case Codes.FALSE:
        return false;
      case Codes.NULL:
        return null;
      case Codes.DOUBLE:
        this.need(8, 'a double', at);
        return new Double(this.rawDouble());
      case Codes.DOUBLE_0:
        return DOUBLE_ZERO;
      case Codes.DOUBLE_1:
        return DOUBLE_ONE;
      case Codes.FLOAT:
        this.need(4, 'a float', at);
        return new Float(this.rawFloat());
      case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf: case 0xe0: case 0xe1:
        return this.string(code - Codes.STRING_PACKED_LENGTH_START, at);
      case Codes.STRING:
        return this.string(this.readCount('string length', at), at);
      case Codes.STRING_CHUNK:
        return this.chunkedString(at);
      case 0xd0: case 0xd1: case 0xd2: case 0xd3: case 0xd4: case 0xd5: case 0xd6: case 0xd7:
        return this.bytes(code - Codes.BYTES_PACKED_LENGTH_START, at);
      case Codes.BYTES:
        return this.bytes(this.readCount('byte length', at), at);
      case Codes.BYTES_CHUNK:
        return this.chunkedBytes(at);
      case 0xe4: case 0xe5: case 0xe6: case 0xe7: case 0xe8: case 0xe9: case 0xea: case 0xeb:
        return this.objects(code - Codes.LIST_PACKED_LENGTH_START, 'a list', at);
      case Codes.LIST:
        return this.objects(this.readCount('list length', at), 'a list', at);
      case Codes.BEGIN_CLOSED_LIST:
        return this.closedList();
      case Codes.BEGIN_OPEN_LIST:
        return this.openList();
      case Codes.MAP:
        return this.map(at);
      case Codes.SET:
        return this.set(at);
      case Codes.UUID:
        return this.uuid(at);
      case Codes.KEY:
        return this.named('key', at);
      case Codes.SYM:
        return this.named('sym', at);
      case Codes.INST:
        return new Inst(this.readInt());
      case Codes.REGEX:
        return new Regex(this.stringField('regex', at));
      case Codes.URI:
        return new Uri(this.stringField('uri', at));
      case Codes.BIGINT:
        return this.bigint(at);
      case Codes.BIGDEC:
        return this.bigdec(at);
      case Codes.LONG_ARRAY:
        return this.longArray(at);
      case Codes.INT_ARRAY:
        return this.intArray(at);
      case Codes.DOUBLE_ARRAY:
        return this.doubleArray(at);
      case Codes.FLOAT_ARRAY:
        return this.floatArray(at);
      case Codes.BOOLEAN_ARRAY:
        return this.booleanArray(at);
      case Codes.OBJECT_ARRAY:
        return new ObjectArray(this.objects(this.readCount('Object[] length', at), 'an Object[]', at));
      case Codes.PUT_PRIORITY_CACHE:
        return this.putPriority(at);
      case Codes.GET_PRIORITY_CACHE:
        return this.lookupPriority(this.readInt32('priority cache index', at), at);
      case Codes.STRUCTTYPE:
        return this.structType(at);
      case Codes.STRUCT: {
        const st = this.lookupStruct(this.readInt32('struct cache index', at), at);
        return this.handleStruct(st.tag, st.fields, at);
      }
      case Codes.END_COLLECTION:
        return this.malformed('END_COLLECTION outside a closed list', at);
      default:
        return this.fail(FressianErrorCode.unknownCode, `unknown code ${describeCode(code)}`, at);
    }
  }

  // ------------------------------------------------------------------ integers, counts

  private packedInt(code: number, at: number): number {
    if (code < Codes.INT_PACKED_3_START) {
      this.need(1, 'a packed integer', at);
      return (code - Codes.INT_PACKED_2_ZERO) * 256 + this.buf[this.pos++]!;
    }
    if (code < Codes.INT_PACKED_4_START) {
      this.need(2, 'a packed integer', at);
      return (code - Codes.INT_PACKED_3_ZERO) * 65536 + this.rawU16();
    }
    if (code < Codes.INT_PACKED_5_START) {
      this.need(3, 'a packed integer', at);
      return (code - Codes.INT_PACKED_4_ZERO) * 16777216 + this.rawU24();
    }
    if (code < Codes.INT_PACKED_6_START) {
      this.need(4, 'a packed integer', at);
      return (code - Codes.INT_PACKED_5_ZERO) * 4294967296 + this.rawU32();
    }
    if (code < Codes.INT_PACKED_7_START) {
      this.need(5, 'a packed integer', at);
      const high = this.buf[this.pos++]!;
      return ((code - Codes.INT_PACKED_6_ZERO) * 256 + high) * 4294967296 + this.rawU32();
    }
    this.need(6, 'a packed integer', at);
    const high = this.rawU16();
    return ((code - Codes.INT_PACKED_7_ZERO) * 65536 + high) * 4294967296 + this.rawU32();
  }

  /** Fns.intCast(readInt()). */
  private readInt32(what: string, at: number): number {
    const v = this.readInt();
    if (typeof v !== 'number' || v < INT_MIN || v > INT_MAX) this.malformed(`${what} out of range for an int: ${v}`, at);
    return v;
  }

  /** A length or count: an int, not negative. */
  private readCount(what: string, at: number): number {
    const n = this.readInt32(what, at);
    if (n < 0) this.malformed(`negative ${what} ${n}`, at);
    return n;
  }

  /** Fails unless n elements of at least one byte each can follow. */
  private needElements(n: number, what: string, at: number): void {
    if (n > this.end - this.pos) {
      this.fail(
        FressianErrorCode.truncated,
        `the input ends inside ${what} of ${n} elements: only ${this.end - this.pos} bytes left at byte ${this.pos}`,
        at,
      );
    }
  }

  // ------------------------------------------------------------------ strings, bytes

  private string(n: number, at: number): string {
    this.need(n, `a string of ${n} bytes`, at);
    return this.rawUtf8(n, at);
  }

  private chunkedString(at: number): string {
    let s = this.string(this.readCount('string chunk length', at), at);
    for (;;) {
      const pieceAt = this.pos;
      const code = this.readNextCode();
      if (code >= Codes.STRING_PACKED_LENGTH_START && code < Codes.STRING_PACKED_LENGTH_END) {
        return s + this.string(code - Codes.STRING_PACKED_LENGTH_START, pieceAt);
      }
      if (code === Codes.STRING) return s + this.string(this.readCount('string length', pieceAt), pieceAt);
      if (code !== Codes.STRING_CHUNK) {
        this.malformed(`expected the next piece of a chunked string, found code ${describeCode(code)}`, pieceAt);
      }
      s += this.string(this.readCount('string chunk length', pieceAt), pieceAt);
    }
  }

  private bytes(n: number, at: number): Uint8Array {
    this.need(n, `${n} bytes`, at);
    return this.rawBytes(n);
  }

  private chunkedBytes(at: number): Uint8Array {
    const chunks: Uint8Array[] = [this.bytes(this.readCount('byte chunk length', at), at)];
    let total = chunks[0]!.length;
    for (;;) {
      const pieceAt = this.pos;
      const code = this.readNextCode();
      if (code !== Codes.BYTES_CHUNK && code !== Codes.BYTES) {
        this.malformed(`expected the next piece of chunked bytes, found code ${describeCode(code)}`, pieceAt);
      }
      const piece = this.bytes(this.readCount('byte chunk length', pieceAt), pieceAt);
      chunks.push(piece);
      total += piece.length;
      if (code === Codes.BYTES) break;
    }
    const out = new Uint8Array(total);
    let p = 0;
    for (const c of chunks) {
      out.set(c, p);
      p += c.length;
    }
    return out;
  }

  // ------------------------------------------------------------------ collections

  private objects(n: number, what: string, at: number): Value[] {
    this.needElements(n, what, at);
    const out = new Array<Value>(n);
    for (let i = 0; i < n; i++) out[i] = this.readObject();
    return out;
  }

  private closedList(): Value[] {
    const out: Value[] = [];
    for (;;) {
      const at = this.pos;
      const code = this.readNextCode();
      if (code === Codes.END_COLLECTION) return out;
      out.push(this.read(code, at));
    }
  }

  private openList(): Value[] {
    const out: Value[] = [];
    while (this.pos < this.end) {
      const at = this.pos;
      const code = this.buf[this.pos++]!;
      if (code === Codes.END_COLLECTION) break;
      out.push(this.read(code, at));
    }
    return out;
  }

  /** The one field of map and set: a list. */
  private listField(what: string, at: number): Value[] {
    const kvs = this.readObject();
    if (!Array.isArray(kvs)) this.malformed(`${what} expects a list`, at);
    return kvs;
  }

  private map(at: number): Map<Value, Value> {
    const kvs = this.listField('a map', at);
    if (kvs.length % 2 !== 0) this.malformed(`a map list has an odd number of elements (${kvs.length})`, at);
    return this.buildOnce(this.builtMaps, kvs, () => {
      const m = new Map<Value, Value>();
      for (let i = 0; i < kvs.length; i += 2) m.set(kvs[i]!, kvs[i + 1]!);
      return m;
    });
  }

  private set(at: number): Set<Value> {
    const items = this.listField('a set', at);
    return this.buildOnce(this.builtSets, items, () => new Set(items));
  }

  /** build(), or what it gave before for the same large source (see `builtMaps`). */
  private buildOnce<T extends Value>(built: WeakMap<object, Value>, source: Value[] | Uint8Array, build: () => T): T {
    if (source.length <= 64) return build();
    const old = built.get(source);
    if (old !== undefined) return old as T;
    const v = build();
    built.set(source, v);
    return v;
  }

  private bigint(at: number): BigInteger {
    const b = this.bigBytes('bigint', at);
    return this.buildOnce(this.builtBigs, b, () => new BigInteger(twosComplement(b)));
  }

  // ------------------------------------------------------------------ standard structs

  private uuid(at: number): Uuid {
    const b = this.buf;
    const p = this.pos;
    // the writer's form: BYTES (0xD9), count 16 (packed 0x10), 16 bytes
    if (p + 18 <= this.end && b[p] === Codes.BYTES && b[p + 1] === 16) {
      this.pos = p + 18;
      return new Uuid(uuidString(b, p + 2));
    }
    const o = this.readObject();
    if (!(o instanceof Uint8Array)) this.malformed('a uuid expects bytes', at);
    if (o.length !== 16) this.malformed(`invalid uuid buffer size: ${o.length}`, at);
    return new Uuid(uuidString(o, 0));
  }

  /** Datomic's key/sym handler: (keyword ns name) from two objects. */
  private named(tag: 'key' | 'sym', at: number): Keyword | Sym {
    const ns = this.readObject();
    const name = this.readObject();
    if ((ns !== null && typeof ns !== 'string') || typeof name !== 'string') {
      this.malformed(`a ${tag} expects a string or nil namespace and a string name`, at);
    }
    return tag === 'key' ? Keyword.of(ns, name) : Sym.of(ns, name);
  }

  private stringField(tag: string, at: number): string {
    const s = this.readObject();
    if (typeof s !== 'string') this.malformed(`a ${tag} expects a string`, at);
    return s;
  }

  private bigBytes(tag: string, at: number): Uint8Array {
    const b = this.readObject();
    if (!(b instanceof Uint8Array)) this.malformed(`a ${tag} expects bytes`, at);
    if (b.length === 0) this.malformed(`a ${tag} has zero bytes`, at);
    return b;
  }

  private bigdec(at: number): BigDecimal {
    const b = this.bigBytes('bigdec', at);
    const unscaled = b.length <= 64 ? twosComplement(b) : this.buildOnce(this.builtBigs, b, () => new BigInteger(twosComplement(b))).value;
    const scale = this.readInt(); // Java casts with (int): keep the low 32 bits
    return new BigDecimal(unscaled, typeof scale === 'number' ? scale | 0 : Number(BigInt.asIntN(32, scale)));
  }

  private arrayLength(what: string, at: number): number {
    const n = this.readCount(`${what} length`, at);
    this.needElements(n, `${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what}`, at);
    return n;
  }

  private longArray(at: number): LongArray {
    const n = this.arrayLength('long[]', at);
    const out = new Array<number | bigint>(n);
    for (let i = 0; i < n; i++) out[i] = this.readInt();
    return new LongArray(out);
  }

  private intArray(at: number): IntArray {
    const n = this.arrayLength('int[]', at);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.readInt32('int[] element', this.pos);
    return new IntArray(out);
  }

  private doubleArray(at: number): DoubleArray {
    const n = this.arrayLength('double[]', at);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const elAt = this.pos;
      const code = this.readNextCode();
      if (code === Codes.DOUBLE) {
        this.need(8, 'a double', elAt);
        out[i] = this.rawDouble();
      } else if (code === Codes.DOUBLE_0) out[i] = 0;
      else if (code === Codes.DOUBLE_1) out[i] = 1;
      else {
        const o = this.read(code, elAt);
        if (!(o instanceof Double)) this.malformed(`expected a double, found code ${describeCode(code)}`, elAt);
        out[i] = o.value;
      }
    }
    return new DoubleArray(out);
  }

  private floatArray(at: number): FloatArray {
    const n = this.arrayLength('float[]', at);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const elAt = this.pos;
      const code = this.readNextCode();
      if (code === Codes.FLOAT) {
        this.need(4, 'a float', elAt);
        out[i] = this.rawFloat();
      } else {
        const o = this.read(code, elAt);
        if (!(o instanceof Float)) this.malformed(`expected a float, found code ${describeCode(code)}`, elAt);
        out[i] = o.value;
      }
    }
    return new FloatArray(out);
  }

  private booleanArray(at: number): BooleanArray {
    const n = this.arrayLength('boolean[]', at);
    const out = new Array<boolean>(n);
    for (let i = 0; i < n; i++) {
      const elAt = this.pos;
      const code = this.readNextCode();
      if (code === Codes.TRUE) out[i] = true;
      else if (code === Codes.FALSE) out[i] = false;
      else {
        const o = this.read(code, elAt);
        if (typeof o !== 'boolean') this.malformed(`expected a boolean, found code ${describeCode(code)}`, elAt);
        out[i] = o;
      }
    }
    return new BooleanArray(out);
  }

  // ------------------------------------------------------------------ structs

  private structType(at: number): Value {
    const tag = this.readObject();
    const fields = this.readInt32('struct field count', at);
    if (this.knownTags !== undefined && !(typeof tag === 'string' && (BUILTIN_TAGS.has(tag) || this.knownTags.has(tag)))) {
      this.fail(FressianErrorCode.unknownTag, `unknown struct tag ${describeTag(tag)}`, at);
    }
    this.structCache.push({ tag, fields });
    return this.handleStruct(tag, fields, at);
  }

  private lookupStruct(index: number, at: number): StructType {
    const st = this.structCache[index];
    if (index < 0 || st === undefined) {
      this.malformed(`struct cache index ${index} was never declared (${this.structCache.length} struct types declared)`, at);
    }
    return st;
  }

  /** FressianReader.handleStruct: a built-in reader by tag, else a generic struct. */
  private handleStruct(tag: Value, fields: number, at: number): Value {
    if (typeof tag === 'string' && BUILTIN_TAGS.has(tag)) {
      switch (tag) {
        case 'map': return this.map(at);
        case 'set': return this.set(at);
        case 'uuid': return this.uuid(at);
        case 'regex': return new Regex(this.stringField('regex', at));
        case 'uri': return new Uri(this.stringField('uri', at));
        case 'bigint': return this.bigint(at);
        case 'bigdec': return this.bigdec(at);
        case 'inst': return new Inst(this.readInt());
        case 'sym': return this.named('sym', at);
        case 'key': return this.named('key', at);
        case 'int[]': return this.intArray(at);
        case 'long[]': return this.longArray(at);
        case 'float[]': return this.floatArray(at);
        case 'boolean[]': return this.booleanArray(at);
        case 'double[]': return this.doubleArray(at);
        default: return new ObjectArray(this.objects(this.readCount('Object[] length', at), 'an Object[]', at));
      }
    }
    if (fields < 0) this.malformed(`negative struct field count ${fields}`, at);
    const values = this.objects(fields, `a struct ${describeTag(tag)}`, at);
    const reader = typeof tag === 'string' ? this.structReaders?.get(tag) : undefined;
    return reader === undefined ? new Struct(tag, values) : reader(values, tag as string);
  }

  // ------------------------------------------------------------------ caches, footer

  private putPriority(at: number): Value {
    const cache = this.priorityCache;
    const index = cache.length;
    cache.push(UNDER_CONSTRUCTION);
    const o = this.readObject();
    // Java's ArrayList.set fails when a RESET_CACHES inside the object emptied the cache
    if (index >= this.priorityCache.length) this.malformed('the caches were reset while an object was being cached', at);
    this.priorityCache[index] = o;
    return o;
  }

  private lookupPriority(index: number, at: number): Value {
    const cache = this.priorityCache;
    if (index < 0 || index >= cache.length) {
      this.malformed(`priority cache index ${index} is beyond the cache (${cache.length} entries)`, at);
    }
    const o = cache[index]!;
    if (o === UNDER_CONSTRUCTION) this.malformed('a cached object refers to itself', at);
    return o;
  }

  private resetCaches(): void {
    this.priorityCache = [];
    this.structCache = [];
  }

  /** The rest of a footer whose code byte is at `at`. */
  private footer(at: number): void {
    this.need(11, 'a footer', at);
    const length = at - this.footerBase;
    const magic = ((Codes.FOOTER << 24) | this.rawU24()) >>> 0;
    if (magic !== Codes.FOOTER_MAGIC) this.malformed(`invalid footer magic 0x${magic.toString(16).toUpperCase()}`, at);
    const stated = this.rawU32() | 0;
    if (stated !== length) this.malformed(`footer length ${stated} does not match the ${length} bytes before it`, at);
    const computed = this.validateChecksum ? adler32(this.buf, this.footerBase, this.pos) : 0;
    const checksum = this.rawU32();
    if (this.validateChecksum && checksum !== computed) {
      this.malformed(`invalid footer checksum: expected 0x${computed.toString(16).toUpperCase()}, got 0x${checksum.toString(16).toUpperCase()}`, at);
    }
    this.footerBase = this.pos;
    this.resetCaches();
  }
}
