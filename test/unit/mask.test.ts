/**
 * Issue 9, item 3: registered secrets are masked first, by value, in every encoding they can appear
 * in (raw, URL-encoded in its three forms, Java-properties-escaped, JSON-escaped, EDN-escaped, SQL
 * literal), then the pattern rules run, which never stop early inside a registered secret.
 */
import { describe, it, expect, beforeEach } from 'vitest';
import fc from 'fast-check';
import { maskSecrets, registerSecret, clearRegisteredSecrets, createStreamMasker } from '../../src/core/mask.js';
import { escapeProperty, stringifyProperties } from '../../src/core/datomic/properties.js';
import { printString } from '../../src/core/edn/printer.js';
import { formatPgUrl, toJdbcUrlWithCredentials } from '../../src/core/postgres/url.js';
import { escapeLiteral } from '../../src/core/postgres/sqlfiles.js';

/** Every window of 4+ characters of `secret` that is not only whitespace. */
export function leaks(text: string, secret: string): string[] {
  const cps = [...secret];
  const out: string[] = [];
  for (let i = 0; i + 4 <= cps.length; i++) {
    const w = cps.slice(i, i + 4).join('');
    if (w.trim() !== '' && text.includes(w)) out.push(w);
  }
  return out;
}

/** The ways a password shows up in what dtx prints or writes. */
function appearances(pw: string): string[] {
  const t = { host: 'db.example', port: 5432, user: 'datomic', password: pw, database: 'datomic', params: {} };
  const qs = new URLSearchParams({ password: pw }).toString();
  return [
    `raw ${pw} end`,
    formatPgUrl(t),
    `datomic:sql://app?${toJdbcUrlWithCredentials(t)}`,
    `jdbc:postgresql://h/d?user=u&${qs.replace(/\+/g, '%20')}`,
    stringifyProperties([{ key: 'sql-password', value: pw }]),
    `sql-password=${escapeProperty(pw, 'key')}`,
    JSON.stringify({ sqlPassword: pw, other: 1 }),
    JSON.stringify({ line: `sql-password=${pw}` }),
    `{:key ${printString(printString(pw))}}`,
    `ERROR: CREATE ROLE x PASSWORD ${escapeLiteral(pw).trim()}`,
    `Starting datomic:sql://<DB-NAME>?jdbc:postgresql://h:5432/d?user=u&password=${pw}, you may need to change the user and password parameters`,
  ];
}

beforeEach(() => clearRegisteredSecrets());

describe('maskSecrets with registered secrets', () => {
  it("a password with a space, quote and comma leaks nothing from properties (was: sql-password=***'b c)", () => {
    const pw = "a'b c,d e";
    registerSecret(pw);
    const text = stringifyProperties([{ key: 'sql-user', value: 'u' }, { key: 'sql-password', value: pw }]);
    const m = maskSecrets(text);
    expect(m).toBe('sql-user=u\nsql-password=***\n');
  });

  it('masks every encoding: URL (%XX, + and %20 forms), properties, JSON, EDN (twice), SQL literal', () => {
    const pw = 'p ä:=#!\\"\'%+,&?/€😀';
    registerSecret(pw);
    for (const a of appearances(pw)) {
      const m = maskSecrets(a);
      expect(leaks(m, pw), `${a}\n-> ${m}`).toEqual([]);
      expect(m).toContain('***');
    }
  });

  it('a short registered secret is masked where a pattern points at it, to its full length', () => {
    const pw = 'a b';
    registerSecret(pw);
    expect(maskSecrets('sql-password=a b\n')).toBe('sql-password=***\n');
    expect(maskSecrets('user=u&password=a+b&x=1')).toBe('user=u&password=***&x=1');
    expect(maskSecrets('postgresql://u:a%20b@h/d')).toBe('postgresql://u:***@h/d');
    // elsewhere a 3-character secret is left alone (it would eat ordinary words)
    expect(maskSecrets('a b c')).toBe('a b c');
  });

  it('placeholders in hints stay readable', () => {
    expect(maskSecrets('Use the form postgresql://USER:PASSWORD@HOST:PORT/DATABASE')).toBe('Use the form postgresql://USER:PASSWORD@HOST:PORT/DATABASE');
    expect(maskSecrets('--admin-url postgresql://postgres:PASSWORD@HOST/postgres')).toBe('--admin-url postgresql://postgres:PASSWORD@HOST/postgres');
    // a real password is still masked
    expect(maskSecrets('postgresql://USER:hunter22@HOST/db')).toBe('postgresql://USER:***@HOST/db');
  });

  it('a password equal to a name that is printed anyway is not masked as free text', () => {
    registerSecret('datomic', ['datomic', 'datomic']);
    expect(maskSecrets('database datomic')).toBe('database datomic');
    expect(maskSecrets('postgresql://datomic:datomic@h/datomic')).toBe('postgresql://datomic:***@h/datomic');
  });

  it('property: random printable passwords never leak a 4-character piece through any encoding', () => {
    const ch = fc.oneof(
      fc.constantFrom(' ', '"', "'", ',', '\\', '%', '+', '=', ':', '#', '!', '&', '?', '/', '@', ';', '{', '}', '$', 'ä', 'ß', '€', '日', '😀', '\u00a0', 'ﬁ'),
      fc.integer({ min: 0x21, max: 0x7e }).map((n) => String.fromCharCode(n)),
    );
    fc.assert(
      fc.property(
        fc.array(ch, { minLength: 4, maxLength: 24 }).map((a) => a.join('')).filter((p) => p.trim() !== ''),
        (pw) => {
          clearRegisteredSecrets();
          registerSecret(pw);
          for (const a of appearances(pw)) {
            const m = maskSecrets(a);
            expect(leaks(m, pw), `${JSON.stringify(pw)}: ${a}\n-> ${m}`).toEqual([]);
          }
        },
      ),
      { seed: 9, numRuns: 400 },
    );
  });
});

describe('createStreamMasker (streamed transactor output)', () => {
  it('masks a secret split across chunks at any point, and multi-byte characters split across chunks', () => {
    const pw = 'sp lit-pä😀ss';
    registerSecret(pw);
    const text = Buffer.from(`line one\nStarting datomic:sql://<DB-NAME>?jdbc:postgresql://h/d?user=u&password=${pw}, you may need\nlast`);
    for (let cut = 1; cut < text.length; cut++) {
      const m = createStreamMasker();
      const out = m.push(text.subarray(0, cut)) + m.push(text.subarray(cut)) + m.flush();
      expect(leaks(out, pw), `cut at ${cut}`).toEqual([]);
      expect(out).toContain('password=***, you may need\nlast');
    }
    // What `transactor start --foreground` did before: mask each chunk on its own. It leaks.
    const cut = text.indexOf('lit-');
    const naive = maskSecrets(text.subarray(0, cut).toString()) + maskSecrets(text.subarray(cut).toString());
    expect(leaks(naive, pw)).not.toEqual([]);
  });
});
