/**
 * EDN printer matching Clojure's `pr-str` for the values Datomic stores:
 * `{"a" {:db-id "a-1"}, :datomic/deleted #{"x"}}` (", " between map entries, " " in sets,
 * vectors and lists), strings escaped exactly like Clojure (only \" \\ \n \t \r \f \b; all other
 * characters, including non-ASCII, printed as is). Namespaced maps are printed in full
 * (`*print-namespace-maps*` is false outside a REPL).
 */
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

const STRING_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
  '\f': '\\f',
  '\b': '\\b',
};

const CHAR_NAMES: Record<string, string> = {
  '\n': 'newline',
  '\t': 'tab',
  ' ': 'space',
  '\b': 'backspace',
  '\f': 'formfeed',
  '\r': 'return',
};

/** Clojure's string printing (pr): quotes plus the char-escape-string table. */
export function printString(s: string): string {
  return `"${s.replace(/["\\\n\t\r\f\b]/g, (c) => STRING_ESCAPES[c] ?? c)}"`;
}

/** Java's Double.toString as Clojure prints doubles (1.0, 1.0E10, 1.0E-5, ##NaN, ##Inf). */
export function printDouble(d: number): string {
  if (Number.isNaN(d)) return '##NaN';
  if (d === Infinity) return '##Inf';
  if (d === -Infinity) return '##-Inf';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mant = '', exp = ''] = d.toExponential().split('e');
  const m = mant.includes('.') ? mant : `${mant}.0`;
  return `${m}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}

function printInto(v: EdnValue, out: string[]): void {
  if (v === null) {
    out.push('nil');
    return;
  }
  switch (typeof v) {
    case 'string':
      out.push(printString(v));
      return;
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isInteger(v)) {
        // A non-integral JS number can only be a double.
        out.push(printDouble(v));
      } else {
        out.push(Object.is(v, -0) ? '0' : String(v));
      }
      return;
    case 'bigint':
      out.push(v.toString());
      return;
    default:
      break;
  }
  if (v instanceof Keyword) {
    out.push(`:${v.fqn}`);
  } else if (v instanceof EdnSymbol) {
    out.push(v.fqn);
  } else if (v instanceof EdnChar) {
    out.push(`\\${CHAR_NAMES[v.char] ?? v.char}`);
  } else if (v instanceof EdnFloat) {
    out.push(printDouble(v.value));
  } else if (v instanceof EdnBigInt) {
    out.push(`${v.value.toString()}N`);
  } else if (v instanceof EdnBigDecimal) {
    out.push(`${v.text}M`);
  } else if (Array.isArray(v)) {
    printSeq('[', v, ']', out);
  } else if (v instanceof EdnList) {
    printSeq('(', v.items, ')', out);
  } else if (v instanceof EdnSet) {
    printSeq('#{', v.values(), '}', out);
  } else if (v instanceof EdnMap) {
    out.push('{');
    let first = true;
    for (const [k, val] of v.entries()) {
      if (!first) out.push(', ');
      first = false;
      printInto(k, out);
      out.push(' ');
      printInto(val, out);
    }
    out.push('}');
  } else if (v instanceof Tagged) {
    out.push(`#${v.tag} `);
    printInto(v.value, out);
  } else {
    throw new TypeError(`not an EDN value: ${String(v)}`);
  }
}

function printSeq(open: string, items: Iterable<EdnValue>, close: string, out: string[]): void {
  out.push(open);
  let first = true;
  for (const it of items) {
    if (!first) out.push(' ');
    first = false;
    printInto(it, out);
  }
  out.push(close);
}

/** Prints a value like Clojure's `pr-str`. */
export function printEdn(v: EdnValue): string {
  const out: string[] = [];
  printInto(v, out);
  return out.join('');
}
