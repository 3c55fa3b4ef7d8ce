/**
 * Raw big-endian reads over one in-memory buffer (org.fressian's RawInput), with bounds checks
 * that raise FRESSIAN_TRUNCATED instead of reading past the end, and the UTF-8 decoding of
 * org.fressian's `Fns.readUTF8Chars`.
 */
import { fressianError, FressianErrorCode, type FressianErrorCodeValue } from './errors.js';

const TWO_32 = 4294967296;

let scratch = new Uint16Array(256);

/** UTF-16 code units to a string (apply() in slices: argument counts are limited). */
function unitsToString(units: Uint16Array, n: number): string {
  if (n <= 4096) return String.fromCharCode.apply(null, units.subarray(0, n) as unknown as number[]);
  let s = '';
  for (let i = 0; i < n; i += 4096) {
    s += String.fromCharCode.apply(null, units.subarray(i, Math.min(n, i + 4096)) as unknown as number[]);
  }
  return s;
}

export interface InputContext {
  rowId?: string | undefined;
  gunzipped?: boolean | undefined;
}

export class RawInput {
  protected readonly buf: Uint8Array;
  protected readonly view: DataView;
  protected pos = 0;
  protected readonly end: number;
  protected readonly context: InputContext;

  constructor(bytes: Uint8Array, context: InputContext = {}) {
    this.buf = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.length;
    this.context = context;
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.pos;
  }

  /** True when every byte has been consumed. */
  atEnd(): boolean {
    return this.pos >= this.end;
  }

  protected fail(code: FressianErrorCodeValue, reason: string, offset: number): never {
    throw fressianError(code, reason, { offset, rowId: this.context.rowId, gunzipped: this.context.gunzipped });
  }

  protected malformed(reason: string, offset: number): never {
    this.fail(FressianErrorCode.malformed, reason, offset);
  }

  /** Fails unless n more bytes are available; `what` starts at byte `at`. */
  protected need(n: number, what: string, at: number): void {
    if (this.end - this.pos < n) {
      this.fail(
        FressianErrorCode.truncated,
        `the input ends inside ${what}: ${n} bytes needed at byte ${this.pos}, ${this.end - this.pos} left`,
        at,
      );
    }
  }

  protected readNextCode(): number {
    if (this.pos >= this.end) {
      this.fail(FressianErrorCode.truncated, 'the input ends where an object should start', this.pos);
    }
    return this.buf[this.pos++]!;
  }

  protected rawU16(): number {
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  protected rawU24(): number {
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 3;
    return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  protected rawU32(): number {
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** A signed 64-bit big-endian integer: number when safe, bigint otherwise. Caller checked 8 bytes. */
  protected rawInt64(): number | bigint {
    const hi = this.view.getInt32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    this.pos += 8;
    if ((hi > -0x200000 && hi < 0x200000) || (hi === -0x200000 && lo !== 0)) return hi * TWO_32 + lo;
    return BigInt(hi) * 4294967296n + BigInt(lo);
  }

  protected rawFloat(): number {
    const v = this.view.getFloat32(this.pos);
    this.pos += 4;
    return v;
  }

  protected rawDouble(): number {
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  /** A copy of the next n bytes (caller checked them). */
  protected rawBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  /**
   * Decodes n bytes (caller checked them) as org.fressian's readUTF8Chars does: one UTF-16 code
   * unit per 1-, 2- or 3-byte sequence, continuation bytes masked and not checked, no surrogate
   * checks (a supplementary character arrives as two 3-byte surrogates, CESU-8 style, and a lone
   * surrogate stays one). A lead byte 0x80-0xBF or 0xF0-0xFF is an error, as in Java. Unlike Java,
   * a sequence cut by the end of its chunk is an error (Java reads past the chunk into a stale
   * buffer); Java's writer never cuts one.
   */
  protected rawUtf8(n: number, at: number): string {
    const b = this.buf;
    const start = this.pos;
    const end = start + n;
    let i = start;
    while (i < end && b[i]! < 0x80) i++;
    if (i === end) {
      this.pos = end;
      if (n <= 24) {
        let s = '';
        for (let j = start; j < end; j++) s += String.fromCharCode(b[j]!);
        return s;
      }
      return Buffer.from(b.buffer, b.byteOffset + start, n).toString('latin1');
    }
    if (scratch.length < n) scratch = new Uint16Array(Math.max(n, scratch.length * 2));
    const units = scratch;
    let k = 0;
    for (let j = start; j < i; j++) units[k++] = b[j]!;
    while (i < end) {
      const c = b[i]!;
      switch (c >> 4) {
        case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
          units[k++] = c;
          i += 1;
          break;
        case 12: case 13:
          if (i + 1 >= end) this.malformed(`a 2-byte UTF-8 sequence is cut by the end of the string at byte ${i}`, at);
          units[k++] = ((c & 0x1f) << 6) | (b[i + 1]! & 0x3f);
          i += 2;
          break;
        case 14:
          if (i + 2 >= end) this.malformed(`a 3-byte UTF-8 sequence is cut by the end of the string at byte ${i}`, at);
          units[k++] = ((c & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f);
          i += 3;
          break;
        default:
          this.malformed(`invalid UTF-8 lead byte 0x${c.toString(16).toUpperCase()} at byte ${i}`, at);
      }
    }
    this.pos = end;
    return unitsToString(units, k);
  }
}
