/**
 * EDN reader (the subset of the Clojure reader Datomic's printed values use, plus the rest of EDN).
 * Errors are DtxError code EDN_PARSE with details {offset, line, column}.
 */
import { DtxError } from '../errors.js';
import {
  EdnBigDecimal,
  EdnBigInt,
  EdnChar,
  EdnFloat,
  EdnList,
  EdnMap,
  EdnSet,
  EdnSymbol,
  Keyword,
  Tagged,
  type EdnValue,
} from './types.js';

const NAMED_CHARS: Record<string, string> = {
  newline: '\n',
  space: ' ',
  tab: '\t',
  return: '\r',
  backspace: '\b',
  formfeed: '\f',
};

function isWhitespace(c: string): boolean {
  return c === ' ' || c === ',' || c === '\n' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\u2028' || c === '\u2029' || c === '\u00a0' || c === '\ufeff';
}

function isTerminator(c: string): boolean {
  return isWhitespace(c) || c === '"' || c === ';' || c === '(' || c === ')' || c === '[' || c === ']' || c === '{' || c === '}' || c === '\\';
}

const INT_RE = /^([-+]?)(?:(0|[1-9][0-9]*)|0[xX]([0-9A-Fa-f]+)|0([0-7]+))(N)?$/;
const FLOAT_RE = /^[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?(M)?$/;
// Symbol: first char not a digit; + - . may start only when not followed by a digit.
const SYMBOL_PART = "[A-Za-z*+!\\-_?<>=.$%&'#|\\u0080-\\uFFFF][A-Za-z0-9*+!\\-_?<>=.$%&'#:|\\u0080-\\uFFFF]*";
const SYMBOL_RE = new RegExp(`^(?:/|(?:${SYMBOL_PART}/)?${SYMBOL_PART}|${SYMBOL_PART}/)$`, 'u');

class Reader {
  pos = 0;
  constructor(readonly src: string) {}

  fail(message: string, at = this.pos): never {
    let line = 1;
    let col = 1;
    for (let i = 0; i < at && i < this.src.length; i++) {
      if (this.src[i] === '\n') {
        line++;
        col = 1;
      } else col++;
    }
    throw new DtxError({
      code: 'EDN_PARSE',
      message: `cannot read EDN at line ${line}, column ${col} (offset ${at}): ${message}`,
      details: { offset: at, line, column: col },
    });
  }

  /** Skips whitespace, commas and `;` comments (not `#_`). */
  skipWs(): void {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos] as string;
      if (isWhitespace(c)) this.pos++;
      else if (c === ';' || (c === '#' && s[this.pos + 1] === '!')) {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      } else break;
    }
  }

  /** Skips whitespace, comments and `#_ form` discards. */
  skipIgnorable(): void {
    for (;;) {
      this.skipWs();
      if (this.src[this.pos] === '#' && this.src[this.pos + 1] === '_') {
        const at = this.pos;
        this.pos += 2;
        this.skipIgnorable();
        if (this.pos >= this.src.length) this.fail('`#_` discard without a form to discard', at);
        this.readForm();
      } else return;
    }
  }

  atEnd(): boolean {
    this.skipIgnorable();
    return this.pos >= this.src.length;
  }

  readToken(): string {
    const start = this.pos;
    while (this.pos < this.src.length && !isTerminator(this.src[this.pos] as string)) this.pos++;
    return this.src.slice(start, this.pos);
  }

  /** Reads one form; the caller has skipped ignorables. */
  readForm(): EdnValue {
    const s = this.src;
    const start = this.pos;
    const c = s[this.pos];
    if (c === undefined) this.fail('unexpected end of input');
    switch (c) {
      case '"':
        return this.readString();
      case '(':
        this.pos++;
        return new EdnList(this.readSeq(')', start));
      case '[':
        this.pos++;
        return this.readSeq(']', start);
      case '{':
        this.pos++;
        return this.readMap(start, null);
      case ')':
      case ']':
      case '}':
        this.fail(`unmatched delimiter ${c}`);
      // falls through (fail never returns)
      case '\\':
        return this.readChar();
      case ':':
        return this.readKeyword();
      case '#':
        return this.readDispatch();
      default:
        break;
    }
    const tok = this.readToken();
    if (tok === '') this.fail(`unexpected character ${JSON.stringify(c)}`);
    return this.interpretToken(tok, start);
  }

  interpretToken(tok: string, start: number): EdnValue {
    if (tok === 'nil') return null;
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    const c0 = tok[0] as string;
    const c1 = tok[1];
    if ((c0 >= '0' && c0 <= '9') || ((c0 === '+' || c0 === '-') && c1 !== undefined && c1 >= '0' && c1 <= '9')) {
      return this.readNumber(tok, start);
    }
    if (tok === '/' || (SYMBOL_RE.test(tok) && !tok.endsWith('/'))) return new EdnSymbol(tok);
    return this.fail(`invalid token ${JSON.stringify(tok)}`, start);
  }

  readNumber(tok: string, start: number): EdnValue {
    const m = INT_RE.exec(tok);
    if (m) {
      const neg = m[1] === '-';
      let big: bigint;
      if (m[2] !== undefined) big = BigInt(m[2]);
      else if (m[3] !== undefined) big = BigInt(`0x${m[3]}`);
      else big = BigInt(`0o${m[4] ?? '0'}`);
      if (neg) big = -big;
      if (m[5] === 'N') return new EdnBigInt(big);
      const n = Number(big);
      return Number.isSafeInteger(n) ? n : big;
    }
    const f = FLOAT_RE.exec(tok);
    if (f) {
      if (f[1] === 'M') return new EdnBigDecimal(tok.slice(tok[0] === '+' ? 1 : 0, -1));
      return new EdnFloat(Number(tok));
    }
    return this.fail(`invalid number ${JSON.stringify(tok)}`, start);
  }

  readString(): string {
    const s = this.src;
    const start = this.pos;
    this.pos++; // opening quote
    let out = '';
    let chunk = this.pos;
    for (;;) {
      if (this.pos >= s.length) this.fail('unterminated string', start);
      const c = s[this.pos];
      if (c === '"') {
        out += s.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      if (c !== '\\') {
        this.pos++;
        continue;
      }
      out += s.slice(chunk, this.pos);
      const escAt = this.pos;
      this.pos++;
      const e = s[this.pos];
      this.pos++;
      switch (e) {
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'n': out += '\n'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        case 'u': {
          const hex = s.slice(this.pos, this.pos + 4);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail('invalid \\u escape in string', escAt);
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default: {
          if (e !== undefined && e >= '0' && e <= '7') {
            // Clojure octal escape \N, \NN, \NNN (max \377)
            let j = this.pos - 1;
            let digits = '';
            while (j < s.length && digits.length < 3 && (s[j] as string) >= '0' && (s[j] as string) <= '7') digits += s[j++];
            const code = parseInt(digits, 8);
            if (code > 0o377) this.fail('octal escape out of range (max \\377)', escAt);
            out += String.fromCharCode(code);
            this.pos = j;
            break;
          }
          if (e === undefined) this.fail('unterminated string', start);
          this.fail(`unsupported escape \\${e} in string`, escAt);
        }
      }
      chunk = this.pos;
    }
  }

  readChar(): EdnChar {
    const s = this.src;
    const start = this.pos;
    this.pos++; // backslash
    const cp = s.codePointAt(this.pos);
    if (cp === undefined) this.fail('unexpected end of input after \\', start);
    const first = String.fromCodePoint(cp);
    this.pos += first.length;
    const rest = this.readToken();
    if (rest === '') return new EdnChar(first);
    const tok = first + rest;
    const named = NAMED_CHARS[tok];
    if (named !== undefined) return new EdnChar(named);
    if (/^u[0-9A-Fa-f]{4}$/.test(tok)) return new EdnChar(String.fromCharCode(parseInt(tok.slice(1), 16)));
    if (/^o[0-7]{1,3}$/.test(tok)) {
      const code = parseInt(tok.slice(1), 8);
      if (code <= 0o377) return new EdnChar(String.fromCharCode(code));
    }
    return this.fail(`unsupported character \\${tok}`, start);
  }

  readKeyword(): Keyword {
    const start = this.pos;
    this.pos++;
    if (this.src[this.pos] === ':') this.fail('auto-resolved keywords (::k) are not EDN', start);
    const tok = this.readToken();
    // Lenient like Clojure's reader: `:name`, `:ns/name`, `:1`, `:ns//`.
    if (!/^(?:[^/]+\/)?(?:[^/]+|\/)$/.test(tok) || tok.startsWith('#')) {
      this.fail(`invalid keyword :${tok}`, start);
    }
    return Keyword.of(tok);
  }

  readSeq(close: string, start: number): EdnValue[] {
    const items: EdnValue[] = [];
    for (;;) {
      this.skipIgnorable();
      if (this.pos >= this.src.length) this.fail(`unterminated collection, expected ${close}`, start);
      if (this.src[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.readForm());
    }
  }

  readMap(start: number, ns: string | null): EdnMap {
    const items = this.readSeq('}', start);
    if (items.length % 2 !== 0) this.fail('map literal must contain an even number of forms', start);
    const m = new EdnMap();
    for (let i = 0; i < items.length; i += 2) {
      let k = items[i] as EdnValue;
      if (ns !== null) {
        if (k instanceof Keyword && k.ns === null) k = Keyword.of(`${ns}/${k.name}`);
        else if (k instanceof Keyword && k.ns === '_') k = Keyword.of(k.name);
        else if (k instanceof EdnSymbol && k.ns === null) k = new EdnSymbol(`${ns}/${k.name}`);
        else if (k instanceof EdnSymbol && k.ns === '_') k = new EdnSymbol(k.name);
      }
      if (m.has(k)) this.fail('duplicate key in map literal', start);
      m.set(k, items[i + 1] as EdnValue);
    }
    return m;
  }

  readDispatch(): EdnValue {
    const s = this.src;
    const start = this.pos;
    const d = s[this.pos + 1];
    if (d === '{') {
      this.pos += 2;
      const items = this.readSeq('}', start);
      const set = new EdnSet();
      for (const it of items) {
        if (!set.add(it)) this.fail('duplicate element in set literal', start);
      }
      return set;
    }
    if (d === '#') {
      this.pos += 2;
      const tok = this.readToken();
      if (tok === 'Inf') return new EdnFloat(Infinity);
      if (tok === '-Inf') return new EdnFloat(-Infinity);
      if (tok === 'NaN') return new EdnFloat(NaN);
      this.fail(`unknown symbolic value ##${tok}`, start);
    }
    if (d === ':') {
      this.pos += 2;
      if (s[this.pos] === ':') this.fail('auto-resolved namespaced maps (#::{}) are not EDN', start);
      const ns = this.readToken();
      if (ns === '' || ns.includes('/') || !SYMBOL_RE.test(ns)) this.fail(`invalid namespace #:${ns}`, start);
      this.skipWs();
      if (s[this.pos] !== '{') this.fail(`namespaced map #:${ns} must be followed by a map`, start);
      this.pos++;
      return this.readMap(start, ns);
    }
    if (d === '_') {
      // a discard where a form is required: skip it and read the next form
      this.skipIgnorable();
      if (this.pos >= s.length) this.fail('unexpected end of input', start);
      return this.readForm();
    }
    if (d !== undefined && /[A-Za-z]/.test(d)) {
      this.pos++;
      const tag = this.readToken();
      if (!SYMBOL_RE.test(tag) || tag.endsWith('/')) this.fail(`invalid tag #${tag}`, start);
      this.skipIgnorable();
      if (this.pos >= s.length) this.fail(`tag #${tag} without a value`, start);
      return new Tagged(tag, this.readForm());
    }
    return this.fail(`unsupported dispatch #${d ?? ''}`, start);
  }
}

/** Reads exactly one EDN value from text (surrounding whitespace/comments allowed). */
export function readEdn(text: string): EdnValue {
  const r = new Reader(text);
  if (r.atEnd()) r.fail('no EDN value (empty input)');
  const v = r.readForm();
  if (!r.atEnd()) r.fail('unexpected content after the value');
  return v;
}

/** Reads all top-level EDN values from text. */
export function readEdnAll(text: string): EdnValue[] {
  const r = new Reader(text);
  const out: EdnValue[] = [];
  while (!r.atEnd()) out.push(r.readForm());
  return out;
}
