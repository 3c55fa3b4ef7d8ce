/**
 * The values a Fressian reader returns. JS primitives where Java's type is unambiguous:
 *   null, boolean, string (java.lang.String, UTF-16 code units kept as is, lone surrogates too),
 *   integer (java.lang.Long) -> number when Number.isSafeInteger, else bigint: exact, and decided
 *     by the value, not by its encoding (every packed int is a number; only 8-byte INT can be bigint),
 *   byte[] -> Uint8Array (a copy, never a view of the input),
 *   List (packed/LIST/closed/open lists) -> a JS array,
 *   Map -> a JS Map in wire order, Set -> a JS Set.
 * Everything else has a small class, so a double never looks like an integer and a keyword never
 * looks like a string. Keywords and symbols are interned (`Keyword.of('db', 'ident') === ...`),
 * so they work as Map keys. Values that came from Fressian's priority cache are SHARED: the same
 * object is returned for every reference, so treat every value as immutable.
 */

/** Any value the reader can return. */
export type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Value[]
  | Map<Value, Value>
  | Set<Value>
  | Keyword
  | Sym
  | Uuid
  | Inst
  | Double
  | Float
  | BigInteger
  | BigDecimal
  | Regex
  | Uri
  | Struct
  | LongArray
  | IntArray
  | DoubleArray
  | FloatArray
  | BooleanArray
  | ObjectArray;

type NamedTable<T> = Map<string | null, Map<string, T>>;

function intern<T>(table: NamedTable<T>, ns: string | null, name: string, make: () => T): T {
  let byName = table.get(ns);
  if (byName === undefined) {
    byName = new Map();
    table.set(ns, byName);
  }
  let v = byName.get(name);
  if (v === undefined) {
    v = make();
    byName.set(name, v);
  }
  return v;
}

/** Splits "ns/name" at the first slash ("/" alone and "name" have no namespace). */
function split(full: string): [string | null, string] {
  const i = full.indexOf('/');
  return i <= 0 || full === '/' ? [null, full] : [full.slice(0, i), full.slice(i + 1)];
}

const keywords: NamedTable<Keyword> = new Map();
const symbols: NamedTable<Sym> = new Map();

/** A Clojure keyword (Fressian `key`, 0xCA: fields [namespace name]). Interned. */
export class Keyword {
  private constructor(
    readonly ns: string | null,
    readonly name: string,
  ) {}
  static of(ns: string | null, name: string): Keyword {
    return intern(keywords, ns, name, () => new Keyword(ns, name));
  }
  /** `:ns/name` or `:name`. */
  toString(): string {
    return this.ns === null ? `:${this.name}` : `:${this.ns}/${this.name}`;
  }
}

/** A Clojure symbol (Fressian `sym`, 0xC9: fields [namespace name]). Interned. */
export class Sym {
  private constructor(
    readonly ns: string | null,
    readonly name: string,
  ) {}
  static of(ns: string | null, name: string): Sym {
    return intern(symbols, ns, name, () => new Sym(ns, name));
  }
  toString(): string {
    return this.ns === null ? this.name : `${this.ns}/${this.name}`;
  }
}

/** `kw('db/ident')` is `Keyword.of('db', 'ident')`; `kw('eavt-main')` has no namespace. */
export function kw(full: string): Keyword {
  const [ns, name] = split(full);
  return Keyword.of(ns, name);
}

/** `sym('clojure.core/inc')`. */
export function sym(full: string): Sym {
  const [ns, name] = split(full);
  return Sym.of(ns, name);
}

/** A java.util.UUID (0xC3, 16 bytes, most significant first). `str` is canonical lowercase. */
export class Uuid {
  constructor(readonly str: string) {}
  toString(): string {
    return this.str;
  }
}

/** A java.util.Date (0xC8): milliseconds since the epoch, exact (bigint beyond 2^53). */
export class Inst {
  constructor(readonly ms: number | bigint) {}
  /** The Date, or undefined when ms is outside JS Date's range. */
  toDate(): Date | undefined {
    const d = new Date(Number(this.ms));
    return typeof this.ms === 'number' && !Number.isNaN(d.getTime()) ? d : undefined;
  }
}

/** A java.lang.Double (DOUBLE, DOUBLE_0, DOUBLE_1). Kept apart from integers: 1.0 is not 1. */
export class Double {
  constructor(readonly value: number) {}
}

/** A java.lang.Float (FLOAT); `value` is the float widened to a double, exactly. */
export class Float {
  constructor(readonly value: number) {}
}

/** A java.math.BigInteger (0xC6, two's complement big-endian bytes). */
export class BigInteger {
  constructor(readonly value: bigint) {}
}

/** A java.math.BigDecimal (0xC7): unscaled * 10^-scale. */
export class BigDecimal {
  constructor(
    readonly unscaled: bigint,
    readonly scale: number,
  ) {}
}

/** A java.util.regex.Pattern (0xC4); the pattern is not compiled or checked. */
export class Regex {
  constructor(readonly source: string) {}
}

/** A java.net.URI (0xC5); the text is not parsed or checked. */
export class Uri {
  constructor(readonly value: string) {}
}

/**
 * A struct with no built-in reader: org.fressian's TaggedObject(tag, fields). Datomic's own
 * types (index-root-node, log-dir, datum, ...) come back as these. The tag is whatever object the
 * STRUCTTYPE declared, in practice a string.
 */
export class Struct {
  constructor(
    readonly tag: Value,
    readonly fields: Value[],
  ) {}
}

/** long[] (0xB0). Elements are numbers, or bigints beyond 2^53. */
export class LongArray {
  constructor(readonly values: (number | bigint)[]) {}
}

/** int[] (0xB3). */
export class IntArray {
  constructor(readonly values: Int32Array) {}
}

/** double[] (0xB1). */
export class DoubleArray {
  constructor(readonly values: Float64Array) {}
}

/** float[] (0xB4). */
export class FloatArray {
  constructor(readonly values: Float32Array) {}
}

/** boolean[] (0xB2). */
export class BooleanArray {
  constructor(readonly values: boolean[]) {}
}

/** Object[] (0xB5), kept apart from lists as Java keeps arrays apart from Lists. */
export class ObjectArray {
  constructor(readonly values: Value[]) {}
}
