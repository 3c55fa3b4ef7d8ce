/**
 * Issue 9, item 3: the role's password reaches PostgreSQL only as a SCRAM-SHA-256 verifier, for
 * every password, computed as PostgreSQL itself computes it (SASLprep, or the raw password when
 * SASLprep refuses it: src/common/saslprep.c), so the server accepts the login; and the clear
 * password never lands in the statement log (log_statement=all).
 */
import { describe, it, expect, inject } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { initPostgres } from '../../src/core/postgres/bootstrap.js';
import { scramVerifier } from '../../src/core/postgres/scram.js';
import { saslprep } from '../../src/core/postgres/saslprep.js';
import { escapeLiteral } from '../../src/core/postgres/sqlfiles.js';
import { formatPgUrl, parsePgUrl } from '../../src/core/postgres/url.js';
import { adminUrl, uniqueName, withAdmin } from '../helpers/pg.js';
import { realPeerAvailable, runRealPeer, cljString } from '../helpers/real-peer.js';

/** Passwords covering each branch of PostgreSQL's pg_saslprep. */
const PASSWORDS: [string, string][] = [
  ['ascii with specials', ' a"b\'c,d\\e%f+g=h:i#j!k '],
  ['ascii control (ASCII is never prepared)', 'a\tb\u0007c'],
  ['latin-1 and euro', 'pässwörd€9'],
  ['non-ASCII spaces (mapped to SPACE)', 'a\u00a0b\u3000c'],
  ['soft hyphen (mapped to nothing)', 'pass\u00adword-é'],
  ['ligatures (NFKC)', 'ﬁﬂ-ß'],
  ['decomposed accents (NFKC composes)', 'e\u0301te\u0301'],
  ['full-width letters (NFKC)', 'Ｐａｓｓ９'],
  ['emoji (unassigned in Unicode 3.2: raw)', 'x😀y-ä'],
  ['emoji plus a ligature (raw, not NFKC)', 'ﬁ😀x'],
  ['private use (prohibited: raw)', 'ﬁ\ue000x'],
  ['bidi violation (raw)', 'aשb'],
  ['right-to-left', 'שלום'],
  ['C1 control (prohibited: raw)', 'a\u0085bé'],
  ['only characters mapped to nothing (raw)', '\u00ad\u00ad'],
];

function parseVerifier(v: string): { iterations: number; salt: Buffer } {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(v);
  if (!m) throw new Error(`not a SCRAM verifier: ${v.slice(0, 14)}`);
  return { iterations: Number(m[1]), salt: Buffer.from(m[2] as string, 'base64') };
}

describe('SCRAM verifiers', () => {
  it('dtx computes exactly the verifier PostgreSQL computes from the clear password', async () => {
    await withAdmin(async (a) => {
      for (const [label, pw] of PASSWORDS) {
        const role = uniqueName('sv');
        // The test (not dtx) sends the clear password, so the server computes its own verifier.
        await a.query(`CREATE ROLE ${role} PASSWORD ${escapeLiteral(pw)}`);
        const r = await a.query<{ v: string }>('select rolpassword as v from pg_authid where rolname = $1', [role]);
        const server = r.rows[0]?.v as string;
        const { iterations, salt } = parseVerifier(server);
        expect(scramVerifier(pw, iterations, salt), label).toBe(server);
        await a.query(`DROP ROLE ${role}`);
      }
    });
  });

  it('saslprep follows RFC 4013 with PostgreSQL\'s refusals', () => {
    expect(saslprep('a\u00a0b')).toEqual({ ok: true, value: 'a b' });
    expect(saslprep('ﬁ')).toEqual({ ok: true, value: 'fi' });
    expect(saslprep('x😀')).toEqual({ ok: false, reason: 'unassigned' });
    expect(saslprep('a\ue000')).toEqual({ ok: false, reason: 'prohibited' });
    expect(saslprep('aשb')).toEqual({ ok: false, reason: 'bidi' });
    expect(saslprep('\u00ad')).toEqual({ ok: false, reason: 'empty' });
    expect(saslprep('a\tb')).toEqual({ ok: true, value: 'a\tb' });
  });
});

describe('init-postgres with log_statement=all', () => {
  // Usable by dtx's client and by pgjdbc (the transactor): see the refusal test below for the rest.
  const USABLE = ['pässwörd€9 ok', 'a\u00a0b ﬁﬂ-Ｚ', 'x😀y-ä \'q"', 'שלום1'];

  it('never logs the clear password; the role logs in (node-postgres, and pgjdbc like the transactor)', async () => {
    const admin = uniqueName('logadm');
    const adminPw = 'Log-admin-pw-1';
    await withAdmin(async (a) => {
      await a.query(`CREATE ROLE ${admin} SUPERUSER LOGIN PASSWORD ${escapeLiteral(adminPw)}`);
      await a.query(`ALTER ROLE ${admin} SET log_statement = 'all'`);
    });
    const logFile = await withAdmin(async (a) => path.join(path.dirname((await a.query<{ d: string }>("select current_setting('data_directory') as d")).rows[0]?.d as string), 'postgres.log'));
    const logStart = (await readFile(logFile)).length;
    const au = `postgresql://${admin}:${adminPw}@127.0.0.1:${inject('pgPort')}/postgres`;
    const created: { role: string; pw: string; db: string }[] = [];
    for (const pw of USABLE) {
      const role = uniqueName('lr');
      const db = uniqueName('ld');
      const t = parsePgUrl(formatPgUrl({ host: '127.0.0.1', port: inject('pgPort'), database: db, user: role, password: pw, params: {} }));
      const r = await initPostgres({ pg: t, adminUrl: au });
      expect(r.role.created).toBe(true);
      expect(r.verified).toBe(true); // dtx's own login as the role (node-postgres) worked
      const reset = await initPostgres({ pg: t, adminUrl: au, resetPassword: true });
      expect(reset.role.passwordReset).toBe(true);
      expect(reset.verified).toBe(true);
      created.push({ role, pw, db });
    }
    const log = (await readFile(logFile)).subarray(logStart).toString('utf8');
    for (const { role, pw } of created) {
      expect(log).toMatch(new RegExp(`CREATE ROLE "${role}" LOGIN PASSWORD 'SCRAM-SHA-256\\$4096:`));
      expect(log).toMatch(new RegExp(`ALTER ROLE "${role}" WITH LOGIN PASSWORD 'SCRAM-SHA-256\\$4096:`));
      for (const cps = [...pw], i = { n: 0 }; i.n + 4 <= cps.length; i.n++) {
        expect(log, `piece of ${JSON.stringify(pw)} in the server log`).not.toContain(cps.slice(i.n, i.n + 4).join(''));
      }
      const v = await withAdmin(async (a) => (await a.query<{ v: string }>('select rolpassword as v from pg_authid where rolname = $1', [role])).rows[0]?.v);
      expect(v).toMatch(/^SCRAM-SHA-256\$/);
    }
    if (realPeerAvailable()) {
      const url = `jdbc:postgresql://127.0.0.1:${inject('pgPort')}/`;
      const forms = created.map(
        ({ role, pw, db }) =>
          `(println (try (with-open [c (java.sql.DriverManager/getConnection ${cljString(url + db)} (doto (java.util.Properties.) (.setProperty "user" ${cljString(role)}) (.setProperty "password" ${cljString(pw)})))] "OK") (catch Throwable t (str "FAIL " (.getMessage t)))))`,
      );
      const run = await runRealPeer(['-e', `(do ${forms.join(' ')})`]);
      expect(run.stdout.trim().split('\n'), run.stderr.slice(-1500)).toEqual(created.map(() => 'OK'));
    }
  });

  it('refuses, before creating anything, a password dtx\'s client could not log in with', async () => {
    for (const pw of ['ﬁ😀x', 'ﬁ\ue000x', 'ｘ😀', '\u00ad\u00ad']) {
      const role = uniqueName('nr');
      const db = uniqueName('nd');
      const t = parsePgUrl(formatPgUrl({ host: '127.0.0.1', port: inject('pgPort'), database: db, user: role, password: pw, params: {} }));
      const e = await initPostgres({ pg: t, adminUrl: adminUrl() }).then(
        () => undefined,
        (err: unknown) => err as { code: string; exitCode: number; message: string },
      );
      expect(e, JSON.stringify(pw)).toMatchObject({ code: 'PASSWORD_UNUSABLE', exitCode: 2 });
      expect(e?.message).not.toContain(pw);
      const exists = await withAdmin(async (a) => ({
        db: (await a.query('select 1 from pg_database where datname = $1', [db])).rowCount,
        role: (await a.query('select 1 from pg_roles where rolname = $1', [role])).rowCount,
      }));
      expect(exists).toEqual({ db: 0, role: 0 });
    }
  });
});
