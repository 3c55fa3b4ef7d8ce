/**
 * SASLprep (RFC 4013, a profile of stringprep RFC 3454) exactly as PostgreSQL applies it to
 * SCRAM passwords (src/common/saslprep.c, pg_saslprep): a pure-ASCII password is used as is;
 * otherwise map (non-ASCII spaces to SPACE, "commonly mapped to nothing" removed), normalize
 * (NFKC), then refuse prohibited or unassigned (Unicode 3.2) output and bidi violations. When the
 * password cannot be prepared, PostgreSQL (server and libpq alike) derives the keys from the raw
 * password bytes: scramPassword() does the same, so a verifier computed here is the one the server
 * would store for that clear password.
 */
import { L_CAT, MAPPED_TO_NOTHING, NON_ASCII_SPACE, PROHIBITED, RAND_AL_CAT, UNASSIGNED } from './saslprep-tables.js';

function inTable(table: readonly number[], cp: number): boolean {
  let lo = 0;
  let hi = table.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const first = table[2 * mid] as number;
    const last = table[2 * mid + 1] as number;
    if (cp < first) hi = mid - 1;
    else if (cp > last) lo = mid + 1;
    else return true;
  }
  return false;
}

export type SaslprepResult = { ok: true; value: string } | { ok: false; reason: 'empty' | 'prohibited' | 'unassigned' | 'bidi' };

/** RFC 4013 SASLprep of a stored string, with PostgreSQL's ASCII shortcut. */
export function saslprep(input: string): SaslprepResult {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(input)) return { ok: true, value: input };
  const mapped: number[] = [];
  for (const ch of input) {
    const cp = ch.codePointAt(0) as number;
    if (inTable(NON_ASCII_SPACE, cp)) mapped.push(0x20);
    else if (!inTable(MAPPED_TO_NOTHING, cp)) mapped.push(cp);
  }
  if (mapped.length === 0) return { ok: false, reason: 'empty' };
  const value = String.fromCodePoint(...mapped).normalize('NFKC');
  const cps = [...value].map((c) => c.codePointAt(0) as number);
  for (const cp of cps) {
    if (inTable(PROHIBITED, cp)) return { ok: false, reason: 'prohibited' };
    if (inTable(UNASSIGNED, cp)) return { ok: false, reason: 'unassigned' };
  }
  if (cps.some((cp) => inTable(RAND_AL_CAT, cp))) {
    const first = cps[0] as number;
    const last = cps[cps.length - 1] as number;
    if (cps.some((cp) => inTable(L_CAT, cp)) || !inTable(RAND_AL_CAT, first) || !inTable(RAND_AL_CAT, last)) return { ok: false, reason: 'bidi' };
  }
  return { ok: true, value };
}

/** The string PostgreSQL derives SCRAM keys from: SASLprep'ed when possible, else the password as is. */
export function scramPassword(password: string): string {
  const r = saslprep(password);
  return r.ok ? r.value : password;
}

/**
 * What node-postgres (pg 8, lib/crypto/sasl.js) derives SCRAM keys from: the same mapping and NFKC
 * but without SASLprep's refusals, so where PostgreSQL falls back to the raw password it may differ.
 */
export function nodePostgresPassword(password: string): string {
  let mapped = '';
  for (const ch of password) {
    const cp = ch.codePointAt(0) as number;
    if (inTable(NON_ASCII_SPACE, cp)) mapped += ' ';
    else if (!inTable(MAPPED_TO_NOTHING, cp)) mapped += ch;
  }
  return mapped.normalize('NFKC');
}

/**
 * Why a password cannot log in through dtx's client (node-postgres) or the transactor's (pgjdbc),
 * or null when it can. Checked before init-postgres creates anything.
 */
export function unusablePasswordReason(password: string): string | null {
  const pg = saslprep(password);
  if (!pg.ok && pg.reason === 'empty') return 'it consists only of characters SASLprep removes (soft hyphens, zero-width joiners, ...), which the PostgreSQL JDBC driver rejects';
  if (nodePostgresPassword(password) !== scramPassword(password)) {
    return `SASLprep refuses it (${pg.ok ? '' : pg.reason === 'unassigned' ? 'a character unassigned in Unicode 3.2, such as an emoji' : pg.reason === 'bidi' ? 'mixed text directions' : 'a prohibited character'}), so PostgreSQL keeps it as typed, while dtx's PostgreSQL client (node-postgres) normalizes it (NFKC) and could not log in`;
  }
  return null;
}
