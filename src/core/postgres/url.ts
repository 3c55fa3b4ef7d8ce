/**
 * PostgreSQL connection URLs: parse/validate (postgres:// or postgresql://), and derive the JDBC URL
 * that Datomic's transactor and peers use (`jdbc:postgresql://host:port/db`).
 */
import { DtxError, ExitCode } from '../errors.js';
import { maskSecrets } from '../mask.js';

export interface PgTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | undefined;
  /** Query parameters other than user/password (e.g. sslmode). */
  params: Record<string, string>;
}

const FORMAT_HINT = 'Use the form postgresql://USER:PASSWORD@HOST:PORT/DATABASE (percent-encode special characters, e.g. @ as %40).';

export function parsePgUrl(raw: string, what = '--pg-url'): PgTarget {
  const bad = (why: string, hint = FORMAT_HINT) =>
    new DtxError({ code: 'URL_INVALID', message: `${what} is not a valid PostgreSQL URL (${why}): ${maskSecrets(raw)}`, hint, exitCode: ExitCode.usage });
  if (typeof raw !== 'string' || raw.trim() === '') throw bad('empty');
  if (/^jdbc:/i.test(raw)) throw bad('a JDBC URL', `Drop the "jdbc:" prefix: ${FORMAT_HINT}`);
  if (/^datomic:/i.test(raw)) throw bad('a Datomic URI', FORMAT_HINT);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw bad('cannot parse');
  }
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') throw bad(`scheme "${u.protocol.replace(/:$/, '')}"`);
  if (u.hash) throw bad('unexpected "#" (percent-encode it as %23)');
  const dec = (s: string, part: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw bad(`bad percent-encoding in the ${part}`);
    }
  };
  const params: Record<string, string> = {};
  let user = dec(u.username, 'user');
  let password: string | undefined = u.password === '' && !raw.includes(':@') ? undefined : dec(u.password, 'password');
  for (const [k, v] of u.searchParams) {
    if (k === 'user') user = v;
    else if (k === 'password') password = v;
    else params[k] = v;
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  let port = 5432;
  if (u.port !== '') {
    port = Number(u.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`port "${u.port}"`);
  }
  const rawPath = u.pathname.replace(/^\//, '');
  if (rawPath.includes('/')) throw bad('database name contains "/" (percent-encode it as %2F)');
  const database = dec(rawPath, 'database name');
  return { host, port, database: database || user || 'postgres', user: user || 'postgres', password, params };
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function formatPgUrl(t: PgTarget, opts: { database?: string; user?: string; password?: string | null } = {}): string {
  const user = opts.user ?? t.user;
  const password = opts.password === null ? undefined : (opts.password ?? t.password);
  const auth = `${encodeURIComponent(user)}${password !== undefined ? `:${encodeURIComponent(password)}` : ''}@`;
  const q = new URLSearchParams(t.params).toString();
  return `postgresql://${auth}${hostForUrl(t.host)}:${t.port}/${encodeURIComponent(opts.database ?? t.database)}${q ? `?${q}` : ''}`;
}

/** `jdbc:postgresql://host:port/db` (+ non-credential params). Credentials go to sql-user/sql-password. */
export function toJdbcUrl(t: PgTarget): string {
  const q = new URLSearchParams(t.params).toString();
  return `jdbc:postgresql://${hostForUrl(t.host)}:${t.port}/${encodeURIComponent(t.database)}${q ? `?${q}` : ''}`;
}

/** JDBC URL with credentials in the query, as used inside a datomic:sql:// URI. */
export function toJdbcUrlWithCredentials(t: PgTarget): string {
  const q = new URLSearchParams(t.params);
  q.set('user', t.user);
  if (t.password !== undefined) q.set('password', t.password);
  return `jdbc:postgresql://${hostForUrl(t.host)}:${t.port}/${encodeURIComponent(t.database)}?${q.toString()}`;
}

export function isLocalHost(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '::1';
}
