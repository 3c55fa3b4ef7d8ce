/** Doctor check of the transactor properties: the user's file, or the one dtx generates from the config. */
import { stat } from 'node:fs/promises';
import { registerSecret } from '../../mask.js';
import {
  loadTransactorProperties, renderTransactorProperties, validateTransactorProperties, type TransactorPropertiesOptions, type TransactorSettings,
} from '../../datomic/properties.js';
import { parsePgUrl } from '../../postgres/url.js';
import type { Platform } from '../../datomic/distribution.js';
import { quotePosixArg } from '../../datomic/script.js';
import { fromError, pass, warn, type CheckResult } from '../types.js';

export interface PropertiesCheckInput {
  /** the user's own properties file (--properties, DTX_PROPERTIES, `properties` in the config) */
  file?: string | undefined;
  /** otherwise what `dtx transactor start` would generate */
  generated: TransactorPropertiesOptions;
  /** dtx's configured storage target, to spot a file that points elsewhere */
  configured: { host: string; port: number; database: string };
  platform: Platform;
}

function describe(s: TransactorSettings): string {
  const ping = s.pingHost && s.pingPort ? `, /health on ${s.pingHost}:${s.pingPort}` : '';
  return `protocol sql, ${s.host}:${s.port}${ping}, heartbeat every ${s.heartbeatIntervalMsec} ms`;
}

export async function checkProperties(o: PropertiesCheckInput): Promise<{ result: CheckResult; settings: TransactorSettings | null }> {
  if (!o.file) {
    try {
      const r = renderTransactorProperties(o.generated);
      const settings = validateTransactorProperties(r.properties, '<generated>');
      return { settings, result: pass('properties', `generated from the config by \`dtx transactor start\` (0600): ${describe(settings)}`) };
    } catch (e) {
      return { settings: null, result: fromError('properties', e) };
    }
  }
  let settings: TransactorSettings;
  try {
    settings = await loadTransactorProperties(o.file);
  } catch (e) {
    return { settings: null, result: fromError('properties', e) };
  }
  registerSecret(settings.sqlPassword);
  const problems: string[] = [];
  const fixes: string[] = [];
  let storage: { host: string; port: number; database: string } | null = null;
  try {
    storage = parsePgUrl(settings.storageUrl, 'sql-url');
  } catch (e) {
    return { settings: null, result: fromError('properties', e) };
  }
  if (storage.host !== o.configured.host || storage.port !== o.configured.port || storage.database !== o.configured.database) {
    problems.push(
      `its sql-url names ${storage.host}:${storage.port}/${storage.database}, not dtx's storage target ${o.configured.host}:${o.configured.port}/${o.configured.database} (the checks below use the file's)`,
    );
    fixes.push('Make --pg-url (or DTX_PG_URL, pgUrl) and sql-url name the same database, or drop --properties and let dtx generate the file.');
  }
  if (o.platform !== 'win32') {
    const st = await stat(settings.file).catch(() => null);
    if (st && (st.mode & 0o077) !== 0 && (settings.sqlPassword || /password=/i.test(settings.sqlUrl))) {
      problems.push(`it holds the storage password and is readable by others (mode ${(st.mode & 0o777).toString(8)})`);
      fixes.push(`chmod 600 ${quotePosixArg(settings.file)}`);
    }
  }
  if (problems.length) return { settings, result: warn('properties', `${settings.file}: ${problems.join('; ')}`, fixes.join(' ')) };
  return { settings, result: pass('properties', `${settings.file}: ${describe(settings)}`) };
}

