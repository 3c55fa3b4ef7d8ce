/**
 * Configuration: flags > DTX_* env > DATABASE_URL / PG* env > dtx.config.json > defaults.
 * datomicHome has one more layer below the config file: the default Datomic home that
 * `dtx datomic install` records in the per-user settings file (source 'installed'); commands prefer
 * the installation of the state dir's last transactor start over it (src/commands/shared/datomic.ts).
 * Pure: the caller passes flags, env and the parsed config file; every problem is reported at once.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { DtxError, ExitCode } from './errors.js';
import { parsePgUrl, type PgTarget } from './postgres/url.js';
import { registerSecret } from './mask.js';
import { readUserSettings } from './dtx-home.js';

export const DEFAULT_PG_URL = 'postgresql://datomic:datomic@localhost:5432/datomic';
export const DEFAULT_ADMIN_URL = 'postgresql://postgres@localhost:5432/postgres';
export const CONFIG_FILE_NAME = 'dtx.config.json';

type Kind = 'string' | 'url' | 'path' | 'boolean' | 'port' | 'int' | 'size';

interface KeySpec {
  kind: Kind;
  env?: string;
  doc: string;
}

/** Every config key, its env variable and meaning (also rendered in README's config table). */
export const CONFIG_KEYS = {
  pgUrl: { kind: 'url', env: 'DTX_PG_URL', doc: 'Storage target: database, role and password that init-postgres creates and the transactor uses' },
  adminUrl: { kind: 'url', env: 'DTX_ADMIN_URL', doc: 'Superuser connection for init-postgres (else PGHOST/PGPORT/PGUSER/PGPASSWORD)' },
  embedded: { kind: 'boolean', env: 'DTX_EMBEDDED', doc: 'Use the embedded PostgreSQL when the default target has no server (default true)' },
  stateDir: { kind: 'path', env: 'DTX_STATE_DIR', doc: 'Generated properties, pid/lock, logs, embedded PostgreSQL data' },
  datomicHome: { kind: 'path', env: 'DATOMIC_HOME', doc: 'Datomic Pro installation (the unzipped datomic-pro-<version> folder)' },
  javaHome: { kind: 'path', env: 'JAVA_HOME', doc: 'Java installation used to check the version (else java on PATH)' },
  locale: { kind: 'string', env: 'DTX_LOCALE', doc: 'LC_COLLATE/LC_CTYPE of a new storage database (default en_US.UTF-8, else C.UTF-8)' },
  host: { kind: 'string', env: 'DTX_TRANSACTOR_HOST', doc: 'Transactor host (peers connect here)' },
  altHost: { kind: 'string', env: 'DTX_TRANSACTOR_ALT_HOST', doc: 'Transactor alt-host' },
  port: { kind: 'port', env: 'DTX_TRANSACTOR_PORT', doc: 'Transactor port' },
  pingHost: { kind: 'string', env: 'DTX_PING_HOST', doc: 'Health endpoint host' },
  pingPort: { kind: 'port', env: 'DTX_PING_PORT', doc: 'Health endpoint port (default 9999, as in Datomic\'s sample properties)' },
  xmx: { kind: 'size', env: 'DTX_XMX', doc: 'Transactor max heap (-Xmx), also picks the memory profile' },
  xms: { kind: 'size', env: 'DTX_XMS', doc: 'Transactor initial heap (-Xms)' },
  javaOpts: { kind: 'string', env: 'DTX_JAVA_OPTS', doc: 'Extra JVM options for the transactor' },
  heartbeatIntervalMsec: { kind: 'int', env: 'DTX_HEARTBEAT_MSEC', doc: 'heartbeat-interval-msec (min 1000)' },
  properties: { kind: 'path', env: 'DTX_PROPERTIES', doc: 'Use your own transactor properties file instead of generating one' },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

export const DEFAULTS = {
  pgUrl: DEFAULT_PG_URL,
  embedded: true,
  stateDir: '.dtx',
  host: 'localhost',
  port: 4334,
  pingHost: 'localhost',
  pingPort: 9999,
  xmx: '1g',
  heartbeatIntervalMsec: 5000,
} satisfies Partial<Record<ConfigKey, unknown>>;

export type Source = 'flag' | 'env' | 'pg-env' | 'file' | 'installed' | 'default';

export interface ResolvedConfig {
  pgUrl: string;
  pg: PgTarget;
  adminUrl: string;
  /** True when adminUrl came from a flag, env or file (not the default). */
  adminUrlExplicit: boolean;
  embedded: boolean;
  stateDir: string;
  datomicHome: string | undefined;
  javaHome: string | undefined;
  locale: string | undefined;
  host: string;
  altHost: string | undefined;
  port: number;
  pingHost: string;
  pingPort: number;
  xmx: string;
  xms: string | undefined;
  javaOpts: string | undefined;
  heartbeatIntervalMsec: number;
  properties: string | undefined;
  configFile: string | undefined;
  /** The per-user settings file consulted for the installed default Datomic home, if any. */
  userSettingsFile: string | undefined;
  sources: Partial<Record<ConfigKey, Source>>;
}

export type RawValues = Partial<Record<ConfigKey, unknown>>;

export interface ResolveInput {
  flags: RawValues;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Explicit --config path (must exist); else dtx.config.json in cwd if present. */
  configPath?: string | undefined;
  /** dtx's per-user settings file (<dtx home>/config.json): the installed default datomicHome. */
  userSettingsFile?: string | undefined;
}

/** Keys that name JavaScript object machinery; never accepted from a config file. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function loadConfigFile(configPath: string | undefined, cwd: string): { file: string | undefined; values: RawValues } {
  const explicit = configPath !== undefined;
  const file = path.resolve(cwd, configPath ?? CONFIG_FILE_NAME);
  if (!existsSync(file)) {
    if (explicit) {
      throw new DtxError({ code: 'CONFIG_NOT_FOUND', message: `config file not found: ${file}`, hint: 'Check the --config path.', exitCode: ExitCode.usage });
    }
    return { file: undefined, values: Object.create(null) as RawValues };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DtxError({
      code: 'CONFIG_INVALID',
      message: `${file} is not valid JSON: ${(e as Error).message}`,
      hint: 'Fix the JSON syntax (no comments or trailing commas).',
      exitCode: ExitCode.usage,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DtxError({ code: 'CONFIG_INVALID', message: `${file} must hold a JSON object`, hint: `Example: {"pgUrl": "${DEFAULT_PG_URL}"}`, exitCode: ExitCode.usage });
  }
  // A null-prototype object, and own keys only: `{"__proto__": {...}}` (an own key after JSON.parse)
  // must never become the prototype of what dtx reads, nor `constructor` pass as a known key.
  const values: RawValues = Object.create(null) as RawValues;
  const problems: string[] = [];
  const dir = path.dirname(file);
  for (const k of Object.keys(parsed)) {
    const v: unknown = (parsed as Record<string, unknown>)[k];
    if (k === '$schema') continue;
    if (PROTOTYPE_KEYS.has(k)) {
      problems.push(`key "${k}" is not allowed (it would change the shape of JavaScript objects)`);
      continue;
    }
    if (!Object.hasOwn(CONFIG_KEYS, k)) {
      const near = Object.keys(CONFIG_KEYS).find((known) => known.toLowerCase() === k.toLowerCase().replace(/[-_]/g, ''));
      problems.push(`unknown key "${k}"${near ? ` (did you mean "${near}"?)` : ''}`);
      continue;
    }
    const spec = CONFIG_KEYS[k as ConfigKey];
    if (v === null) {
      problems.push(`${k}: null is not allowed (remove the key to use the default)`);
      continue;
    }
    // Relative paths in the file resolve against the file's folder.
    values[k as ConfigKey] = spec.kind === 'path' && typeof v === 'string' ? path.resolve(dir, v) : v;
  }
  if (problems.length) {
    throw new DtxError({
      code: 'CONFIG_INVALID',
      message: `${file}: ${problems.join('; ')}`,
      hint: `Known keys: ${Object.keys(CONFIG_KEYS).join(', ')}.`,
      exitCode: ExitCode.usage,
    });
  }
  return { file, values };
}

function pgEnvAdminUrl(env: ResolveInput['env']): string | undefined {
  const { PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE } = env;
  if (!PGHOST && !PGPORT && !PGUSER && !PGPASSWORD) return undefined;
  const u = new URL('postgresql://localhost');
  u.hostname = PGHOST && !PGHOST.startsWith('/') ? PGHOST : 'localhost';
  if (PGPORT) u.port = PGPORT;
  u.username = encodeURIComponent(PGUSER || 'postgres');
  if (PGPASSWORD) u.password = encodeURIComponent(PGPASSWORD);
  u.pathname = `/${encodeURIComponent(PGDATABASE || 'postgres')}`;
  return u.toString();
}

function coerce(key: ConfigKey, v: unknown, where: string, problems: string[]): unknown {
  const spec: KeySpec = CONFIG_KEYS[key];
  const fail = (what: string) => {
    problems.push(`${where} ${key}: ${what}`);
    return undefined;
  };
  switch (spec.kind) {
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(true|1|yes|on)$/i.test(v)) return true;
      if (typeof v === 'string' && /^(false|0|no|off)$/i.test(v)) return false;
      return fail(`expected true or false, got ${JSON.stringify(v)}`);
    case 'port':
    case 'int': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
      if (!Number.isInteger(n)) return fail(`expected a whole number, got ${JSON.stringify(v)}`);
      if (spec.kind === 'port' && (n < 1 || n > 65535)) return fail(`port must be 1-65535, got ${n}`);
      return n;
    }
    case 'size':
      if (typeof v === 'string' && /^\d+[kKmMgG]?$/.test(v)) return v.toLowerCase();
      return fail(`expected a JVM size like 1g or 512m, got ${JSON.stringify(v)}`);
    case 'url':
    case 'string':
    case 'path':
      if (typeof v !== 'string' || v === '') return fail(`expected a non-empty string, got ${JSON.stringify(v)}`);
      return v;
  }
}

export function resolveConfig(input: ResolveInput): ResolvedConfig {
  const { file, values: fileValues } = loadConfigFile(input.configPath, input.cwd);
  const problems: string[] = [];
  const hints: (string | undefined)[] = [];
  const sources: Partial<Record<ConfigKey, Source>> = Object.create(null) as Partial<Record<ConfigKey, Source>>;
  const out: Partial<Record<ConfigKey, unknown>> = Object.create(null) as Partial<Record<ConfigKey, unknown>>;
  const pgEnv: Partial<Record<ConfigKey, string>> = Object.create(null) as Partial<Record<ConfigKey, string>>;
  if (input.env.DATABASE_URL) pgEnv.pgUrl = input.env.DATABASE_URL;
  const fromPg = pgEnvAdminUrl(input.env);
  if (fromPg) pgEnv.adminUrl = fromPg;
  const installed: Partial<Record<ConfigKey, string>> = Object.create(null) as Partial<Record<ConfigKey, string>>;
  if (input.userSettingsFile) {
    const home = readUserSettings(input.userSettingsFile).datomicHome;
    if (home) installed.datomicHome = path.resolve(path.dirname(input.userSettingsFile), home);
  }

  for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
    const spec: KeySpec = CONFIG_KEYS[key];
    const envName = spec.env;
    const layers: [Source, unknown, string][] = [
      ['flag', input.flags[key], 'flag'],
      ['env', envName ? input.env[envName] || undefined : undefined, `env ${envName ?? ''}`],
      ['pg-env', pgEnv[key], key === 'pgUrl' ? 'env DATABASE_URL' : 'env PG*'],
      ['file', fileValues[key], file ?? 'config file'],
      ['installed', installed[key], input.userSettingsFile ?? 'settings file'],
    ];
    for (const [source, value, where] of layers) {
      if (value === undefined || value === null) continue;
      const c = coerce(key, value, where, problems);
      if (c !== undefined) {
        out[key] = spec.kind === 'path' && source !== 'file' && source !== 'installed' ? path.resolve(input.cwd, c as string) : c;
        sources[key] = source;
      }
      break;
    }
    if (out[key] === undefined && key in DEFAULTS) {
      out[key] = (DEFAULTS as Record<string, unknown>)[key];
      sources[key] = 'default';
    }
  }

  let pg: PgTarget | undefined;
  try {
    pg = parsePgUrl(out.pgUrl as string, sources.pgUrl === 'flag' ? '--pg-url' : sources.pgUrl === 'env' ? 'DTX_PG_URL' : sources.pgUrl === 'pg-env' ? 'DATABASE_URL' : 'pgUrl');
  } catch (e) {
    problems.push((e as Error).message);
    hints.push((e as DtxError).hint);
  }
  const adminUrlExplicit = out.adminUrl !== undefined;
  let adminUrl = (out.adminUrl as string | undefined) ?? DEFAULT_ADMIN_URL;
  if (!adminUrlExplicit && pg) {
    // Default admin connection points at the same server as the storage target.
    const u = new URL(DEFAULT_ADMIN_URL);
    u.hostname = pg.host.includes(':') ? `[${pg.host}]` : pg.host;
    u.port = String(pg.port);
    adminUrl = u.toString();
  }
  try {
    parsePgUrl(adminUrl, sources.adminUrl === 'flag' ? '--admin-url' : 'adminUrl');
  } catch (e) {
    problems.push((e as Error).message);
    hints.push((e as DtxError).hint);
  }
  if (out.heartbeatIntervalMsec !== undefined && (out.heartbeatIntervalMsec as number) < 1000) {
    problems.push(`heartbeatIntervalMsec must be at least 1000 (Datomic's minimum), got ${String(out.heartbeatIntervalMsec)}`);
  }
  if (problems.length) {
    throw new DtxError({
      code: 'CONFIG_INVALID',
      message: problems.length === 1 ? (problems[0] ?? '') : `invalid configuration:\n  - ${problems.join('\n  - ')}`,
      hint:
        problems.length === 1 && hints[0]
          ? hints[0]
          : 'Fix the values above (flags, DTX_* environment variables or dtx.config.json); see `dtx --help`.',
      exitCode: ExitCode.usage,
    });
  }
  const target = pg as PgTarget;
  registerSecret(target.password, [target.user, target.database]);
  try {
    const admin = parsePgUrl(adminUrl);
    registerSecret(admin.password, [admin.user, admin.database]);
  } catch {
    /* validated above */
  }
  return {
    pgUrl: out.pgUrl as string,
    pg: target,
    adminUrl,
    adminUrlExplicit,
    embedded: out.embedded as boolean,
    stateDir: path.resolve(input.cwd, out.stateDir as string),
    datomicHome: out.datomicHome as string | undefined,
    javaHome: out.javaHome as string | undefined,
    locale: out.locale as string | undefined,
    host: out.host as string,
    altHost: out.altHost as string | undefined,
    port: out.port as number,
    pingHost: out.pingHost as string,
    pingPort: out.pingPort as number,
    xmx: out.xmx as string,
    xms: out.xms as string | undefined,
    javaOpts: out.javaOpts as string | undefined,
    heartbeatIntervalMsec: out.heartbeatIntervalMsec as number,
    properties: out.properties as string | undefined,
    configFile: file,
    userSettingsFile: input.userSettingsFile,
    sources,
  };
}
