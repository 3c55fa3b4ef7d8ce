/**
 * The forms a secret takes in text dtx prints or writes: raw; percent-encoded as
 * encodeURIComponent, as a form/query value (space as `+`, or as `%20`) and as encodeURI, with
 * upper- or lower-case hex; Java-properties-escaped (as dtx and java.util.Properties.store write
 * it: `\` `=` `:` `#` `!`, a leading or every space, control characters, non-ASCII as \uXXXX or
 * left as is); JSON-escaped (also with \uXXXX and `\/`); EDN-escaped (once, and twice as in a
 * heartbeat's printed vector); a SQL literal's body. Kept free of imports: the masker runs on
 * every line dtx prints.
 */

function percentLower(s: string): string {
  return s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
}

function formEncode(s: string): string {
  return new URLSearchParams([['x', s]]).toString().slice(2);
}

function hex4(code: number, lower: boolean): string {
  const h = code.toString(16).padStart(4, '0');
  return lower ? h : h.toUpperCase();
}

/** Properties.store's escaping of one value (or key, with every space escaped). */
export function propertiesEscape(s: string, opts: { allSpaces?: boolean; unicode?: 'upper' | 'lower' | 'raw' } = {}): string {
  const unicode = opts.unicode ?? 'upper';
  let out = '';
  let k = 0;
  for (const c of s) {
    const code = c.charCodeAt(0);
    switch (c) {
      case ' ': out += k === 0 || opts.allSpaces ? '\\ ' : ' '; break;
      case '\t': out += '\\t'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\f': out += '\\f'; break;
      case '\\': out += '\\\\'; break;
      case '=': case ':': case '#': case '!': out += `\\${c}`; break;
      default:
        if (code < 0x20 || (code > 0x7e && unicode !== 'raw')) {
          // UTF-16 code units, as Java does (an emoji is two \u escapes)
          for (let i = 0; i < c.length; i++) out += `\\u${hex4(c.charCodeAt(i), unicode === 'lower')}`;
        } else out += c;
    }
    k++;
  }
  return out;
}

function jsonEscape(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

function jsonEscapeAscii(s: string, lower: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    out += code > 0x7e ? `\\u${hex4(code, lower)}` : jsonEscape(s[i] as string);
  }
  return out;
}

const EDN_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\f': '\\f', '\b': '\\b' };

function ednEscape(s: string): string {
  return s.replace(/["\\\n\t\r\f\b]/g, (c) => EDN_ESCAPES[c] ?? c);
}

/** Every distinct form of `secret`, longest first. */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>();
  const add = (f: string): void => {
    forms.add(f);
    forms.add(percentLower(f));
  };
  const uri = encodeURIComponent(secret);
  const form = formEncode(secret);
  add(secret);
  add(uri);
  add(form);
  add(form.replace(/\+/g, '%20'));
  add(encodeURI(secret));
  for (const unicode of ['upper', 'lower', 'raw'] as const) {
    add(propertiesEscape(secret, { unicode }));
    add(propertiesEscape(secret, { unicode, allSpaces: true }));
  }
  add(propertiesEscape(uri));
  const json = jsonEscape(secret);
  add(json);
  add(json.replace(/\//g, '\\/'));
  for (const lower of [false, true]) {
    const a = jsonEscapeAscii(secret, lower);
    add(a);
    add(a.replace(/\//g, '\\/'));
  }
  const edn = ednEscape(secret);
  add(edn);
  add(ednEscape(edn));
  add(jsonEscape(edn));
  add(secret.replace(/'/g, "''"));
  add(secret.replace(/'/g, "''").replace(/\\/g, '\\\\'));
  return [...forms].filter((f) => f !== '').sort((a, b) => b.length - a.length);
}
