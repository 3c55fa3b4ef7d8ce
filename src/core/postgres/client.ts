/**
 * The only place that opens PostgreSQL connections. `pg` is imported lazily so commands that do
 * not talk to PostgreSQL (and --help) never load it. Connection errors become DtxErrors with hints.
 */
import type { Client, ClientConfig } from 'pg';
import type * as PgNs from 'pg';
import { DtxError, ExitCode } from '../errors.js';
import { maskSecrets } from '../mask.js';
import { isLocalHost } from './url.js';

export type PgClient = Client;

export interface ConnectOptions {
  /** postgresql:// URL */
  url: string;
  /** What this connection is for, used in error messages ("storage", "admin"). */
  purpose?: string;
  connectTimeoutMs?: number;
  /** Override the database named in the URL. */
  database?: string;
}

type PgModule = typeof PgNs;
let pgModule: PgModule | undefined;
export async function loadPg(): Promise<PgModule> {
  if (!pgModule) {
    const m = await import('pg');
    pgModule = (m.default ?? m) as PgModule;
  }
  return pgModule;
}

/**
 * The database a postgresql:// URL names, percent-decoded exactly once (as libpq and pgjdbc do).
 * pg's own parser uses decodeURI, which leaves `%3B %2C %2B %24 %40 %3D %26 %3F %23 %2F %3A` encoded,
 * so a database named `a;b` would be looked up as `a%3Bb`: dtx never lets pg decode the path.
 */
export function urlDatabase(url: string): string | undefined {
  let raw: string;
  try {
    raw = new URL(url).pathname.replace(/^\//, '');
  } catch {
    return undefined;
  }
  if (raw === '') return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export async function connect(opts: ConnectOptions): Promise<Client> {
  const pg = await loadPg();
  const { parseIntoClientConfig } = await import('pg-connection-string');
  let parsed: ClientConfig;
  try {
    parsed = parseIntoClientConfig(opts.url);
  } catch (e) {
    throw translateConnectError(e, opts);
  }
  const database = opts.database ?? urlDatabase(opts.url);
  const config: ClientConfig = {
    application_name: 'dtx',
    ...parsed,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
  };
  if (database !== undefined) config.database = database;
  else delete config.database;
  const client = new pg.Client(config);
  // A server-side termination after connect must not crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw translateConnectError(e, opts);
  }
  return client;
}

export async function withClient<T>(opts: ConnectOptions, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = await connect(opts);
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** BEGIN; fn; COMMIT (ROLLBACK on error). `repeatable read` gives fn one snapshot for all its reads. */
export async function withTransaction<T>(c: Client, fn: () => Promise<T>, opts: { isolation?: 'repeatable read' } = {}): Promise<T> {
  await c.query(opts.isolation ? `BEGIN ISOLATION LEVEL ${opts.isolation.toUpperCase()}` : 'BEGIN');
  try {
    const r = await fn();
    await c.query('COMMIT');
    return r;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

interface PgLikeError {
  code?: string;
  message?: string;
  errno?: number;
  syscall?: string;
  hostname?: string;
}

function describeTarget(opts: ConnectOptions): { where: string; host: string; user: string; db: string } {
  try {
    const u = new URL(opts.url);
    return {
      host: (u.hostname || 'localhost').replace(/^\[(.*)\]$/, '$1'),
      where: `${u.hostname || 'localhost'}:${u.port || '5432'}`,
      user: decodeURIComponent(u.username || 'postgres'),
      db: opts.database ?? urlDatabase(opts.url) ?? decodeURIComponent(u.username || 'postgres'),
    };
  } catch {
    return { where: 'the server', host: '', user: '?', db: '?' };
  }
}

export function translateConnectError(e: unknown, opts: ConnectOptions): DtxError {
  if (e instanceof DtxError) return e;
  const err = (e ?? {}) as PgLikeError;
  const { where, host, user, db } = describeTarget(opts);
  const purpose = opts.purpose ? `${opts.purpose} ` : '';
  const raw = maskSecrets(String(err.message ?? e));
  const base = { cause: e, exitCode: ExitCode.failed } as const;
  switch (err.code) {
    case 'ECONNREFUSED':
      return new DtxError({
        ...base,
        code: 'PG_UNREACHABLE',
        message: `cannot connect to ${purpose}PostgreSQL at ${where}: connection refused`,
        hint: isLocalHost(host)
          ? `Nothing listens on ${where}. Start your PostgreSQL server there, or run dtx's embedded one on that port: \`dtx postgres start --pg-url postgresql://USER:PASSWORD@${where}/DATABASE\` (the same --pg-url as here; it listens on that URL's port). Or point --pg-url/--admin-url at your server.`
          : `Is PostgreSQL running on ${where}? Check the host and port in --pg-url/--admin-url.`,
      });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DtxError({
        ...base,
        code: 'PG_UNKNOWN_HOST',
        message: `cannot connect to ${purpose}PostgreSQL: unknown host "${err.hostname ?? where}"`,
        hint: 'Check the host name in the connection URL.',
      });
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new DtxError({
        ...base,
        code: 'PG_TIMEOUT',
        message: `cannot connect to ${purpose}PostgreSQL at ${where}: ${err.code === 'ETIMEDOUT' ? 'timed out' : 'host unreachable'}`,
        hint: 'Check the host, port and any firewall between here and the server.',
      });
    case '28P01':
    case '28000':
      return new DtxError({
        ...base,
        code: 'PG_AUTH_FAILED',
        message: `PostgreSQL rejected the login of role "${user}" at ${where}: ${raw}`,
        hint: opts.purpose === 'admin'
          ? 'Check the superuser password in --admin-url (or PGPASSWORD).'
          : `The password in --pg-url (or DTX_PG_URL, DATABASE_URL, pgUrl in dtx.config.json) must be role "${user}"'s current one: fix it there (percent-encode special characters). To change the role's password instead, run ALTER ROLE as an admin and update every transactor and peer that uses it.`,
      });
    case '3D000':
      return new DtxError({
        ...base,
        code: 'PG_DATABASE_MISSING',
        message: `database "${db}" does not exist at ${where}`,
        hint: 'Create it with `dtx init-postgres`.',
      });
    case '53300':
      return new DtxError({ ...base, code: 'PG_TOO_MANY_CONNECTIONS', message: `PostgreSQL at ${where}: ${raw}`, hint: 'Close other connections or raise max_connections.' });
    default:
      if (/client password must be a string|password authentication|no password/i.test(raw)) {
        // The server asks for a password and the URL has none (pg's SASL message says it obscurely).
        return new DtxError({
          ...base,
          code: 'PG_AUTH_FAILED',
          message: `PostgreSQL at ${where} asks role "${user}" for a password, and the ${purpose}connection URL has none`,
          hint:
            opts.purpose === 'admin'
              ? `Add the superuser's password to --admin-url (postgresql://${user}:PASSWORD@${where}/postgres) or set PGPASSWORD. To use dtx's embedded PostgreSQL instead, stop the server on ${where} or pick another port in --pg-url.`
              : 'Add the password to --pg-url (postgresql://USER:PASSWORD@HOST:PORT/DATABASE).',
        });
      }
      if (/timeout/i.test(raw)) {
        return new DtxError({
          ...base,
          code: 'PG_TIMEOUT',
          message: `cannot connect to ${purpose}PostgreSQL at ${where}: timed out`,
          hint: 'Check the host, port and any firewall between here and the server.',
        });
      }
      return new DtxError({
        ...base,
        code: 'PG_CONNECT_FAILED',
        message: `cannot connect to ${purpose}PostgreSQL at ${where}: ${raw}`,
        hint: 'Check the connection URL; run with --verbose for details.',
      });
  }
}
