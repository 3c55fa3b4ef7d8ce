/**
 * Java `.properties` files (the syntax of java.util.Properties.load/store) and Datomic transactor
 * properties: render from typed options, parse a user's file, validate with Datomic's own messages.
 *
 * Parser rules (java.util.Properties.load):
 * - natural lines end at \n, \r or \r\n; a line ending in an odd number of backslashes continues on
 *   the next natural line, whose leading whitespace (space, \t, \f) is dropped; a blank line ends it;
 * - lines whose first non-whitespace character is `#` or `!` are comments (never continued);
 * - the key runs to the first unescaped `=`, `:` or whitespace; then whitespace, at most one `=`/`:`,
 *   whitespace; the rest is the value;
 * - escapes: \t \n \r \f, \uXXXX (exactly four hex digits, else an error), `\x` = x for any other x;
 *   a lone backslash at the very end of the input is dropped.
 * The last occurrence of a key wins (like Properties.load).
 */
import { chmod, mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { DtxError, ExitCode, isDtxError } from '../errors.js';
import { maskSecrets } from '../mask.js';
import { propertiesEscape } from '../secret-forms.js';
import { parsePgUrl, toJdbcUrl, type PgTarget } from '../postgres/url.js';

export interface PropertyEntry {
  key: string;
  value: string;
  /** 1-based line number where the logical line starts. */
  line: number;
}

const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\f';

/** Parses .properties text into ordered entries (duplicates kept, in order). */
export function parsePropertiesEntries(text: string, file = '<properties>'): PropertyEntry[] {
  // Strip a UTF-8 BOM, which Java would treat as part of the first key; nobody means that.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const naturals = text.split(/\r\n|\r|\n/);
  const out: PropertyEntry[] = [];
  let i = 0;
  while (i < naturals.length) {
    const startLine = i + 1;
    let first = naturals[i] ?? '';
    i++;
    let p = 0;
    while (p < first.length && isWs(first[p])) p++;
    first = first.slice(p);
    if (first.length === 0) continue; // blank
    if (first[0] === '#' || first[0] === '!') continue; // comment
    let logical = '';
    let cur = first;
    for (;;) {
      const bs = trailingBackslashes(cur);
      if (bs % 2 === 1) {
        logical += cur.slice(0, -1);
        if (i >= naturals.length) break; // backslash at EOF: dropped
        let next = naturals[i] ?? '';
        i++;
        let q = 0;
        while (q < next.length && isWs(next[q])) q++;
        next = next.slice(q);
        if (next.length === 0) break; // blank line ends the continuation
        cur = next;
        continue;
      }
      logical += cur;
      break;
    }
    out.push({ ...splitKeyValue(logical, file, startLine), line: startLine });
  }
  return out;
}

/** Parses .properties text into a plain record (last occurrence wins). */
export function parseProperties(text: string, file = '<properties>'): Record<string, string> {
  const rec: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const e of parsePropertiesEntries(text, file)) rec[e.key] = e.value;
  return rec;
}

function trailingBackslashes(s: string): number {
  let n = 0;
  for (let k = s.length - 1; k >= 0 && s[k] === '\\'; k--) n++;
  return n;
}

function splitKeyValue(line: string, file: string, lineNo: number): { key: string; value: string } {
  const limit = line.length;
  let keyLen = 0;
  let valueStart = limit;
  let hasSep = false;
  let preceding = false;
  while (keyLen < limit) {
    const c = line[keyLen];
    if ((c === '=' || c === ':') && !preceding) {
      valueStart = keyLen + 1;
      hasSep = true;
      break;
    } else if (isWs(c) && !preceding) {
      valueStart = keyLen + 1;
      break;
    }
    preceding = c === '\\' ? !preceding : false;
    keyLen++;
  }
  while (valueStart < limit) {
    const c = line[valueStart];
    if (!isWs(c)) {
      if (!hasSep && (c === '=' || c === ':')) hasSep = true;
      else break;
    }
    valueStart++;
  }
  return {
    key: unescapeProperty(line.slice(0, keyLen), file, lineNo),
    value: unescapeProperty(line.slice(valueStart), file, lineNo),
  };
}

function unescapeProperty(s: string, file: string, lineNo: number): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let k = 0; k < s.length; k++) {
    const c = s[k] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    k++;
    if (k >= s.length) break; // lone trailing backslash: dropped
    const e = s[k] as string;
    switch (e) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        const hex = s.slice(k + 1, k + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          throw new DtxError({
            code: 'PROPERTIES_SYNTAX',
            message: `${file}:${lineNo}: malformed \\uxxxx encoding ("\\u${maskSecrets(hex)}")`,
            hint: 'A \\u escape needs exactly four hex digits; write a literal backslash as \\\\.',
            exitCode: ExitCode.usage,
          });
        }
        out += String.fromCharCode(parseInt(hex, 16));
        k += 4;
        break;
      }
      default: out += e;
    }
  }
  return out;
}

/**
 * Escapes a key or value like Properties.store (with \uXXXX for everything outside printable ASCII,
 * so the file is plain ASCII and reads back identically whatever charset the reader assumes).
 */
export function escapeProperty(s: string, kind: 'key' | 'value'): string {
  return propertiesEscape(s, { allSpaces: kind === 'key', unicode: 'upper' });
}

export type PropertiesItem = { key: string; value: string } | { comment: string } | { blank: true };

/** Writes .properties text: items are key/value pairs, comments (`# ...`) or blank lines. */
export function stringifyProperties(items: PropertiesItem[] | Record<string, string>): string {
  const list: PropertiesItem[] = Array.isArray(items)
    ? items
    : Object.entries(items).map(([key, value]) => ({ key, value }));
  const lines: string[] = [];
  for (const it of list) {
    if ('blank' in it) lines.push('');
    else if ('comment' in it) {
      for (const l of it.comment.split(/\r\n|\r|\n/)) lines.push(l.length ? `# ${escapeCommentText(l)}` : '#');
    } else lines.push(`${escapeProperty(it.key, 'key')}=${escapeProperty(it.value, 'value')}`);
  }
  return `${lines.join('\n')}\n`;
}

function escapeCommentText(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** Reads and parses a .properties file. Errors: PROPERTIES_NOT_FOUND / PROPERTIES_UNREADABLE (exit 2). */
export async function readPropertiesFile(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    // Properties.load(InputStream) reads ISO-8859-1; UTF-8 files with only ASCII read the same.
    text = await readFile(file, 'latin1');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DtxError({
      code: code === 'ENOENT' ? 'PROPERTIES_NOT_FOUND' : 'PROPERTIES_UNREADABLE',
      message: code === 'ENOENT' ? `properties file not found: ${file}` : `cannot read properties file ${file}: ${maskSecrets(String((e as Error).message))}`,
      hint: code === 'ENOENT' ? 'Check --properties, or let dtx generate one (`dtx transactor properties`).' : undefined,
      exitCode: ExitCode.usage,
      cause: e,
    });
  }
  return parseProperties(text, file);
}

/**
 * Writes a file atomically (temp + rename). With `secret: true` (the default: transactor properties
 * hold sql-password) the file is created 0600 and an existing file is chmod-ed to 0600 as well.
 */
export async function writeSecretFile(file: string, text: string, opts: { secret?: boolean } = {}): Promise<void> {
  const secret = opts.secret ?? true;
  const mode = secret ? 0o600 : 0o644;
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(text, 'latin1');
  } finally {
    await fh.close();
  }
  await chmod(tmp, mode).catch(() => {});
  await rename(tmp, file);
  if (secret) await chmod(file, 0o600).catch(() => {});
}

// ---------------------------------------------------------------------------------------------
// Sizes and the memory profile rule
// ---------------------------------------------------------------------------------------------

const MB = 1;
const GB = 1024 * MB;

/** Parses a JVM size (`1g`, `512m`, `4G`, `1048576k`, bytes) into MiB. Errors: INVALID_SIZE (exit 2). */
export function parseSizeMb(s: string): number {
  const m = /^\s*(\d+)\s*([kKmMgGtT]?)\s*$/.exec(s);
  if (!m) {
    throw new DtxError({
      code: 'INVALID_SIZE',
      message: `invalid memory size "${s}"`,
      hint: 'Use a JVM size such as 1g, 4g or 512m.',
      exitCode: ExitCode.usage,
    });
  }
  const n = Number(m[1]);
  switch ((m[2] ?? '').toLowerCase()) {
    case 'k': return Math.floor(n / 1024);
    case 'm': return n;
    case 'g': return n * GB;
    case 't': return n * 1024 * GB;
    default: return Math.floor(n / (1024 * 1024));
  }
}

/** Formats MiB as the shortest exact JVM/Datomic size (`1g`, `384m`). */
export function formatSizeMb(mb: number): string {
  return mb % GB === 0 ? `${mb / GB}g` : `${mb}m`;
}

export interface MemoryProfile {
  'memory-index-threshold': string;
  'memory-index-max': string;
  'object-cache-max': string;
}

/**
 * The memory settings for a transactor heap (-Xmx). Rule (matches Datomic's two documented
 * profiles exactly, 1g → 32m/256m/128m and 4g → 32m/512m/1g):
 * - memory-index-threshold: always 32m;
 * - memory-index-max: heap/4, at most 512m;
 * - object-cache-max: heap/8 below 2g, heap/4 from 2g up;
 * all rounded down to whole MiB. Heaps under 256m are refused (XMX_TOO_SMALL, exit 2).
 */
export function memoryProfile(xmx: string): MemoryProfile {
  const heap = parseSizeMb(xmx);
  if (heap < 256) {
    throw new DtxError({
      code: 'XMX_TOO_SMALL',
      message: `transactor heap ${xmx} is too small (at least 256m)`,
      hint: 'Use --xmx 1g (the Datomic default) or more.',
      exitCode: ExitCode.usage,
    });
  }
  const indexMax = Math.min(512, Math.floor(heap / 4));
  const cache = heap >= 2 * GB ? Math.floor(heap / 4) : Math.floor(heap / 8);
  return {
    'memory-index-threshold': '32m',
    'memory-index-max': formatSizeMb(indexMax),
    'object-cache-max': formatSizeMb(cache),
  };
}

// ---------------------------------------------------------------------------------------------
// Transactor properties
// ---------------------------------------------------------------------------------------------

export interface JdbcTarget {
  /** jdbc:postgresql://host:port/db[?params] — never holds credentials. */
  sqlUrl: string;
  user: string | undefined;
  password: string | undefined;
  host: string;
  port: number;
  database: string;
}

/**
 * postgresql://user:pw@host:port/db?params → jdbc:postgresql://host:port/db?params (user and
 * password moved out; other query parameters such as sslmode kept). Errors: INVALID_PG_URL (exit 2).
 */
export function pgUrlToJdbc(pgUrl: string): JdbcTarget {
  let t: PgTarget;
  try {
    t = parsePgUrl(pgUrl, 'the storage URL');
  } catch (e) {
    if (!isDtxError(e) || e.code !== 'URL_INVALID') throw e;
    throw new DtxError({ code: 'INVALID_PG_URL', message: e.message, hint: e.hint, exitCode: ExitCode.usage, cause: e });
  }
  // parsePgUrl defaults a missing user to "postgres"; here a URL without one leaves sql-user unset.
  const u = new URL(pgUrl);
  const user = u.username !== '' || u.searchParams.has('user') ? t.user : undefined;
  return { sqlUrl: toJdbcUrl(t), user, password: t.password, host: t.host, port: t.port, database: t.database };
}

/** What pgjdbc's URLCoder.decode (java.net.URLDecoder, UTF-8) makes of a URL component. */
function decodeJdbcComponent(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

/** The inverse for preflight: sql-url (+ sql-user/sql-password) → a postgresql:// URL for `pg`. */
export function jdbcToPgUrl(sqlUrl: string, user?: string, password?: string): string {
  const m = /^jdbc:postgresql:(?:\/\/([^/?]*))?\/?([^?]*)(?:\?(.*))?$/.exec(sqlUrl.trim());
  if (!m) {
    throw new DtxError({
      code: 'UNSUPPORTED_SQL_URL',
      message: `sql-url is not a PostgreSQL JDBC URL: ${maskSecrets(sqlUrl)}`,
      hint: 'dtx manages PostgreSQL storage: sql-url=jdbc:postgresql://host:5432/datomic',
      exitCode: ExitCode.usage,
    });
  }
  const hostPort = m[1] || 'localhost:5432';
  // pgjdbc decodes the database with URLDecoder (`+` is a space); decode it the same way, once, and
  // hand it on fully percent-encoded.
  const db = encodeURIComponent(decodeJdbcComponent(m[2] || 'datomic'));
  const params = new URLSearchParams(m[3] ?? '');
  const u = params.get('user') ?? user;
  const pw = params.get('password') ?? password;
  params.delete('user');
  params.delete('password');
  const auth = u ? `${encodeURIComponent(u)}${pw ? `:${encodeURIComponent(pw)}` : ''}@` : '';
  const qs = params.toString();
  return `postgresql://${auth}${hostPort}/${db}${qs ? `?${qs}` : ''}`;
}

export interface TransactorPropertiesOptions {
  /** Storage: postgresql://user:password@host:port/db */
  pgUrl: string;
  /** Address peers use to reach the transactor (default localhost). */
  host?: string;
  /** Default 4334. */
  port?: number;
  altHost?: string;
  /** Transactor heap; drives the memory settings (default 1g). */
  xmx?: string;
  /** Absolute (relative paths are resolved against the current directory, never the install root). */
  dataDir: string;
  logDir: string;
  pidFile: string;
  /** Health endpoint; both or neither (ping-host without ping-port disables /health). */
  pingHost?: string;
  pingPort?: number;
  /** Default 5000; at least 1000. */
  heartbeatIntervalMsec?: number;
  /** Extra properties appended verbatim (e.g. write-concurrency). */
  extra?: Record<string, string>;
  /** Header comment line (e.g. "generated by dtx 0.1.0"). */
  header?: string;
}

export interface RenderedProperties {
  text: string;
  properties: Record<string, string>;
}

/** Renders a complete SQL transactor properties file; validates the result too. */
export function renderTransactorProperties(opts: TransactorPropertiesOptions): RenderedProperties {
  const jdbc = pgUrlToJdbc(opts.pgUrl);
  const mem = memoryProfile(opts.xmx ?? '1g');
  const items: PropertiesItem[] = [];
  const props: Record<string, string> = {};
  const put = (key: string, value: string | number | undefined): void => {
    if (value === undefined || value === '') return;
    items.push({ key, value: String(value) });
    props[key] = String(value);
  };
  items.push({ comment: opts.header ?? 'Datomic Pro transactor on PostgreSQL, generated by dtx. Holds the storage password, so keep the file 0600.' });
  items.push({ blank: true });
  put('protocol', 'sql');
  put('host', opts.host ?? 'localhost');
  put('port', opts.port ?? 4334);
  put('alt-host', opts.altHost);
  items.push({ blank: true }, { comment: 'Storage' });
  put('sql-url', jdbc.sqlUrl);
  put('sql-user', jdbc.user);
  put('sql-password', jdbc.password);
  put('sql-driver-class', 'org.postgresql.Driver');
  items.push({ blank: true }, { comment: `Memory, for -Xmx${opts.xmx ?? '1g'}` });
  put('memory-index-threshold', mem['memory-index-threshold']);
  put('memory-index-max', mem['memory-index-max']);
  put('object-cache-max', mem['object-cache-max']);
  items.push({ blank: true }, { comment: 'Files (absolute: bin/transactor runs from the install root)' });
  put('data-dir', path.resolve(opts.dataDir));
  put('log-dir', path.resolve(opts.logDir));
  put('pid-file', path.resolve(opts.pidFile));
  if (opts.pingHost !== undefined || opts.pingPort !== undefined || opts.heartbeatIntervalMsec !== undefined) {
    items.push({ blank: true }, { comment: 'Health and heartbeat' });
  }
  put('ping-host', opts.pingHost);
  put('ping-port', opts.pingPort);
  put('heartbeat-interval-msec', opts.heartbeatIntervalMsec);
  if (opts.extra && Object.keys(opts.extra).length) {
    items.push({ blank: true });
    for (const [k, v] of Object.entries(opts.extra)) put(k, v);
  }
  validateTransactorProperties(props, '<generated>');
  return { text: stringifyProperties(items), properties: props };
}

/** Required for protocol sql, in the order Datomic checks them (INFERRED order). */
export const REQUIRED_SQL_PROPERTIES = [
  'protocol',
  'host',
  'port',
  'memory-index-threshold',
  'memory-index-max',
  'object-cache-max',
  'sql-url',
  'sql-driver-class',
] as const;

export interface TransactorSettings {
  file: string;
  protocol: 'sql';
  host: string;
  port: number;
  altHost: string | undefined;
  sqlUrl: string;
  sqlUser: string | undefined;
  sqlPassword: string | undefined;
  sqlDriverClass: string;
  pingHost: string | undefined;
  pingPort: number | undefined;
  heartbeatIntervalMsec: number;
  dataDir: string | undefined;
  logDir: string | undefined;
  pidFile: string | undefined;
  /** A postgresql:// URL built from sql-url + sql-user/sql-password (holds the password). */
  storageUrl: string;
  raw: Record<string, string>;
}

function invalid(file: string, message: string, hint?: string): DtxError {
  return new DtxError({ code: 'PROPERTY_INVALID', message: `${message} in ${file}`, hint, exitCode: ExitCode.usage });
}

function parsePort(props: Record<string, string>, key: string, file: string): number | undefined {
  const v = props[key]?.trim();
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) {
    throw invalid(file, `'${key}' must be a TCP port (1-65535), got '${v}'`);
  }
  return Number(v);
}

/**
 * Checks a transactor properties record before anything launches. Missing (or empty) required key:
 * DtxError PROPERTY_MISSING, exit 2, message exactly Datomic's
 * `:db.error/missing-transactor-property '<prop>' property not set, required for protocol: <protocol> in <file>`.
 * Other problems: PROPERTY_INVALID (exit 2): protocol not sql, bad ports, heartbeat < 1000,
 * non-PostgreSQL sql-url, bad sizes, ping-host without ping-port (and vice versa).
 */
export function validateTransactorProperties(props: Record<string, string>, file: string): TransactorSettings {
  const get = (k: string): string | undefined => {
    const v = props[k]?.trim();
    return v ? v : undefined;
  };
  const protocol = get('protocol');
  for (const key of REQUIRED_SQL_PROPERTIES) {
    if (get(key) === undefined) {
      throw new DtxError({
        code: 'PROPERTY_MISSING',
        message: `:db.error/missing-transactor-property '${key}' property not set, required for protocol: ${protocol ?? 'nil'} in ${file}`,
        hint: `Add ${key}=... to ${file}, or let dtx generate the file (\`dtx transactor properties\`).`,
        exitCode: ExitCode.usage,
        details: { property: key, file },
      });
    }
    if (key === 'protocol' && protocol !== 'sql') {
      throw invalid(file, `protocol '${protocol}' is not supported by dtx (only sql)`, 'dtx runs transactors on PostgreSQL storage: protocol=sql');
    }
  }
  const port = parsePort(props, 'port', file) as number;
  const pingPort = parsePort(props, 'ping-port', file);
  const pingHost = get('ping-host');
  if ((pingHost === undefined) !== (pingPort === undefined)) {
    throw invalid(file, `'ping-host' and 'ping-port' must be set together (the /health endpoint needs both)`);
  }
  if (pingPort !== undefined && pingPort === port) throw invalid(file, `'ping-port' ${pingPort} is the same as 'port'`);
  const hbRaw = get('heartbeat-interval-msec');
  let heartbeatIntervalMsec = 5000;
  if (hbRaw !== undefined) {
    if (!/^\d+$/.test(hbRaw)) throw invalid(file, `'heartbeat-interval-msec' must be a number of milliseconds, got '${hbRaw}'`);
    heartbeatIntervalMsec = Number(hbRaw);
    if (heartbeatIntervalMsec < 1000) throw invalid(file, `'heartbeat-interval-msec' must be at least 1000, got ${heartbeatIntervalMsec}`);
  }
  for (const k of ['memory-index-threshold', 'memory-index-max', 'object-cache-max']) {
    const v = get(k) as string;
    if (!/^\d+[kKmMgG]?$/.test(v)) throw invalid(file, `'${k}' must be a size such as 32m or 1g, got '${v}'`);
  }
  const sqlUrl = get('sql-url') as string;
  if (!sqlUrl.startsWith('jdbc:postgresql:')) {
    throw invalid(file, `sql-url '${maskSecrets(sqlUrl)}' is not a PostgreSQL JDBC URL`, 'dtx manages PostgreSQL storage: sql-url=jdbc:postgresql://host:5432/datomic');
  }
  const sqlUser = get('sql-user');
  const sqlPassword = props['sql-password'] === undefined ? undefined : props['sql-password'];
  return {
    file,
    protocol: 'sql',
    host: get('host') as string,
    port,
    altHost: get('alt-host'),
    sqlUrl,
    sqlUser,
    sqlPassword,
    sqlDriverClass: get('sql-driver-class') as string,
    pingHost,
    pingPort,
    heartbeatIntervalMsec,
    dataDir: get('data-dir'),
    logDir: get('log-dir'),
    pidFile: get('pid-file'),
    storageUrl: jdbcToPgUrl(sqlUrl, sqlUser, sqlPassword),
    raw: props,
  };
}

/** readPropertiesFile + validateTransactorProperties (the file name in messages is as given, absolute). */
export async function loadTransactorProperties(file: string): Promise<TransactorSettings> {
  const abs = path.resolve(file);
  const st = await stat(abs).catch(() => undefined);
  if (st?.isDirectory()) {
    throw new DtxError({ code: 'PROPERTIES_NOT_FOUND', message: `properties file is a directory: ${abs}`, exitCode: ExitCode.usage });
  }
  return validateTransactorProperties(await readPropertiesFile(abs), abs);
}

/**
 * Renders and writes a transactor properties file (0600, atomic). Returns the absolute file and the
 * properties written. For `dtx transactor properties [--out FILE]`; the default file and the
 * data-dir/log-dir/pid-file come from transactorPaths(stateDir) (pidfile.ts).
 */
export async function writeTransactorProperties(file: string, opts: TransactorPropertiesOptions): Promise<{ file: string } & RenderedProperties> {
  const abs = path.resolve(file);
  const r = renderTransactorProperties(opts);
  await writeSecretFile(abs, r.text, { secret: true });
  return { file: abs, ...r };
}
