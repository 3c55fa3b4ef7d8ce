/**
 * EDN value model. JS primitives are used where they are unambiguous:
 *   nil -> null, true/false -> boolean, strings -> string,
 *   integers -> number (safe range) or bigint (beyond it; printed without a suffix),
 *   vectors -> JS arrays.
 * Everything else gets a distinct class so a keyword never looks like a string:
 *   Keyword, EdnSymbol, EdnChar, EdnFloat (doubles; keeps 1.0 distinct from 1), EdnBigInt (`N`),
 *   EdnBigDecimal (`M`), EdnList, EdnSet, EdnMap (insertion-ordered, structural key equality),
 *   Tagged (`#tag value`, kept as is).
 */

export type EdnValue =
  | null
  | boolean
  | string
  | number
  | bigint
  | Keyword
  | EdnSymbol
  | EdnChar
  | EdnFloat
  | EdnBigInt
  | EdnBigDecimal
  | EdnList
  | EdnVector
  | EdnSet
  | EdnMap
  | Tagged;

export type EdnVector = EdnValue[];

function splitName(full: string): { ns: string | null; name: string } {
  // `/` alone is a name; otherwise the first `/` separates namespace and name.
  if (full === '/') return { ns: null, name: '/' };
  const i = full.indexOf('/');
  if (i <= 0) return { ns: null, name: full };
  return { ns: full.slice(0, i), name: full.slice(i + 1) };
}

const keywordTable = new Map<string, Keyword>();

/** An EDN keyword (`:name` or `:ns/name`). Interned: `kw('a/b') === kw('a/b')`. */
export class Keyword {
  readonly ns: string | null;
  readonly name: string;
  private constructor(ns: string | null, name: string) {
    this.ns = ns;
    this.name = name;
  }
  /** Interned keyword from its text without the colon, e.g. "datomic/deleted". */
  static of(full: string): Keyword {
    let k = keywordTable.get(full);
    if (!k) {
      const { ns, name } = splitName(full);
      k = new Keyword(ns, name);
      keywordTable.set(full, k);
    }
    return k;
  }
  /** "ns/name" or "name" (no colon). */
  get fqn(): string {
    return this.ns === null ? this.name : `${this.ns}/${this.name}`;
  }
  toString(): string {
    return `:${this.fqn}`;
  }
}

/** Shorthand for Keyword.of. */
export function kw(full: string): Keyword {
  return Keyword.of(full);
}

/** An EDN symbol (`foo`, `ns/foo`). */
export class EdnSymbol {
  readonly ns: string | null;
  readonly name: string;
  constructor(full: string) {
    const s = splitName(full);
    this.ns = s.ns;
    this.name = s.name;
  }
  get fqn(): string {
    return this.ns === null ? this.name : `${this.ns}/${this.name}`;
  }
  toString(): string {
    return this.fqn;
  }
}

/** A character literal (`\a`, `\newline`). `char` is one code point. */
export class EdnChar {
  constructor(readonly char: string) {}
}

/** A double (`1.0`, `1e3`, `##NaN`). Distinct from integers so `1.0` prints back as `1.0`. */
export class EdnFloat {
  constructor(readonly value: number) {}
}

/** An arbitrary precision integer written with the `N` suffix (`5N`). */
export class EdnBigInt {
  constructor(readonly value: bigint) {}
}

/** A BigDecimal written with the `M` suffix; `text` is the digits without the `M`. */
export class EdnBigDecimal {
  constructor(readonly text: string) {}
}

/** A list `( ... )`. */
export class EdnList {
  constructor(readonly items: EdnValue[] = []) {}
}

/** A tagged literal kept as is: `#inst "..."` -> {tag: "inst", value: "..."}. */
export class Tagged {
  constructor(readonly tag: string, readonly value: EdnValue) {}
}

/**
 * Canonical structural key of a value: two values are EDN-equal iff their keys are equal.
 * Maps and sets are order-independent. Integers compare by value whatever their representation
 * (like Clojure's `=` on 1 and 1N); doubles are never equal to integers.
 */
export function hashKey(v: EdnValue): string {
  if (v === null) return 'n';
  switch (typeof v) {
    case 'string':
      return `s${JSON.stringify(v)}`;
    case 'boolean':
      return v ? 't' : 'f';
    case 'number':
      return `i${String(v)}`;
    case 'bigint':
      return `i${v.toString()}`;
    default:
      break;
  }
  if (v instanceof Keyword) return `k${JSON.stringify(v.fqn)}`;
  if (v instanceof EdnSymbol) return `y${JSON.stringify(v.fqn)}`;
  if (v instanceof EdnChar) return `c${JSON.stringify(v.char)}`;
  if (v instanceof EdnFloat) return `d${Object.is(v.value, -0) ? '-0' : String(v.value)}`;
  if (v instanceof EdnBigInt) return `i${v.value.toString()}`;
  if (v instanceof EdnBigDecimal) return `m${JSON.stringify(v.text)}`;
  if (v instanceof Tagged) return `#${JSON.stringify(v.tag)}${hashKey(v.value)}`;
  // Clojure: a list equals a vector with the same elements.
  if (Array.isArray(v)) return `[${v.map(hashKey).join(',')}]`;
  if (v instanceof EdnList) return `[${v.items.map(hashKey).join(',')}]`;
  if (v instanceof EdnSet) return `{${[...v.hashes()].sort().join(',')}}`;
  if (v instanceof EdnMap) {
    const parts: string[] = [];
    for (const [k, val] of v.entries()) parts.push(`${hashKey(k)}=${hashKey(val)}`);
    return `<${parts.sort().join(',')}>`;
  }
  throw new TypeError(`not an EDN value: ${String(v)}`);
}

/** Structural EDN equality (maps/sets order-independent). */
export function ednEquals(a: EdnValue, b: EdnValue): boolean {
  if (a === b) return true;
  return hashKey(a) === hashKey(b);
}

/** A set `#{...}`, insertion-ordered, structural equality of elements. */
export class EdnSet implements Iterable<EdnValue> {
  private readonly items = new Map<string, EdnValue>();

  constructor(values: Iterable<EdnValue> = []) {
    for (const v of values) this.add(v);
  }
  get size(): number {
    return this.items.size;
  }
  has(v: EdnValue): boolean {
    return this.items.has(hashKey(v));
  }
  /** Adds v; returns false if an equal element was already present. */
  add(v: EdnValue): boolean {
    const h = hashKey(v);
    if (this.items.has(h)) return false;
    this.items.set(h, v);
    return true;
  }
  delete(v: EdnValue): boolean {
    return this.items.delete(hashKey(v));
  }
  values(): IterableIterator<EdnValue> {
    return this.items.values();
  }
  [Symbol.iterator](): IterableIterator<EdnValue> {
    return this.items.values();
  }
  /** @internal canonical element keys */
  hashes(): IterableIterator<string> {
    return this.items.keys();
  }
  clone(): EdnSet {
    return new EdnSet(this.items.values());
  }
}

/** A map `{...}`, insertion-ordered, structural key equality (keys may be strings, keywords, ...). */
export class EdnMap implements Iterable<[EdnValue, EdnValue]> {
  private readonly items = new Map<string, [EdnValue, EdnValue]>();

  constructor(entries: Iterable<readonly [EdnValue, EdnValue]> = []) {
    for (const [k, v] of entries) this.set(k, v);
  }
  get size(): number {
    return this.items.size;
  }
  has(k: EdnValue): boolean {
    return this.items.has(hashKey(k));
  }
  get(k: EdnValue): EdnValue | undefined {
    return this.items.get(hashKey(k))?.[1];
  }
  /** Sets k to v; an existing equal key keeps its position (like Clojure's assoc on array maps). */
  set(k: EdnValue, v: EdnValue): this {
    const h = hashKey(k);
    const cur = this.items.get(h);
    if (cur) cur[1] = v;
    else this.items.set(h, [k, v]);
    return this;
  }
  delete(k: EdnValue): boolean {
    return this.items.delete(hashKey(k));
  }
  keys(): EdnValue[] {
    return [...this.items.values()].map((e) => e[0]);
  }
  values(): EdnValue[] {
    return [...this.items.values()].map((e) => e[1]);
  }
  entries(): IterableIterator<[EdnValue, EdnValue]> {
    return this.items.values();
  }
  [Symbol.iterator](): IterableIterator<[EdnValue, EdnValue]> {
    return this.items.values();
  }
  /** Shallow copy (keys and values are shared). */
  clone(): EdnMap {
    return new EdnMap([...this.items.values()].map(([k, v]) => [k, v] as const));
  }
}

export function isKeyword(v: unknown, full?: string): v is Keyword {
  return v instanceof Keyword && (full === undefined || v.fqn === full);
}
