/**
 * Transactor status: the process dtx started (alive and really a transactor), its port, /health,
 * and the heartbeats in storage (pod-coord, pod-standby), judged alive or not (datomic-facts §6).
 */
import { isDtxError } from '../../errors.js';
import { maskSecrets } from '../../mask.js';
import { isPortOpen, probeHealth } from '../../net.js';
import { connect, type PgClient } from '../../postgres/client.js';
import { heartbeatAgeMs, judgeAdvance, judgeAlive, readHeartbeats, type Heartbeat } from '../../storage/heartbeat.js';
import type { Platform } from '../distribution.js';
import { readLaunchRecord, readPidFile, removeFile, transactorPaths } from '../pidfile.js';
import { isOurTransactor, type ExecText } from '../process.js';
import { loadTransactorProperties, type TransactorSettings } from '../properties.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface TransactorStatusOptions {
  stateDir: string;
  /** Properties to use for ports/ping/storage (default: the last launch's properties file). */
  propertiesFile?: string | undefined;
  /** Storage to read heartbeats from (postgresql:// URL); default: from the properties. */
  storageUrl?: string | undefined;
  /** Or an open client (not closed here). */
  client?: PgClient;
  platform?: Platform;
  healthTimeoutMs?: number;
  /** Always confirm liveness by sampling the heartbeat twice, one interval apart (slower, clock-independent). */
  confirm?: boolean;
  exec?: ExecText;
}

export interface HeartbeatInfo {
  host: string | null;
  altHost: string | null;
  port: number | null;
  version: string | null;
  heartbeatAgeMs: number | null;
  alive: boolean;
  rev: number | null;
}

export interface TransactorStatus {
  /** A transactor dtx started here is alive, or a live heartbeat is in storage. */
  running: boolean;
  /** pid of the transactor dtx started here when alive, else null. */
  pid: number | null;
  /** The live active transactor (pod-coord), null when none is alive. */
  active: HeartbeatInfo | null;
  /** The live standby (pod-standby), null when none. */
  standby: HeartbeatInfo | null;
  health: 'ok' | 'down' | 'unconfigured';
  process: { pid: number | null; alive: boolean; ours: boolean | 'unknown'; stalePidFileRemoved: string | null };
  host: string | null;
  port: number | null;
  portOpen: boolean | null;
  /** Raw heartbeat rows, judged (present even when dead). */
  heartbeats: { coord: HeartbeatInfo | null; standby: HeartbeatInfo | null };
  storage: { checked: boolean; error: { code: string; message: string } | null };
  propertiesFile: string | null;
}

function info(hb: Heartbeat | null, alive: boolean): HeartbeatInfo | null {
  if (!hb) return null;
  return { host: hb.host, altHost: hb.altHost, port: hb.port, version: hb.version, heartbeatAgeMs: heartbeatAgeMs(hb), alive, rev: hb.rev };
}

/**
 * Reports the process (dtx's pid file: alive and really a transactor), the port, /health, and the
 * heartbeats in storage (never credentials). Works without a dtx-started process (storage view only).
 * Never throws for storage problems (reported in `storage.error`); throws only for an unreadable
 * explicit --properties file (PROPERTY_*, exit 2).
 */
export async function transactorStatus(opts: TransactorStatusOptions): Promise<TransactorStatus> {
  const platform = opts.platform ?? process.platform;
  const paths = transactorPaths(opts.stateDir);
  const rec = await readLaunchRecord(paths.launchFile);
  let settings: TransactorSettings | null = null;
  if (opts.propertiesFile) settings = await loadTransactorProperties(opts.propertiesFile);
  else if (rec?.propertiesFile) settings = await loadTransactorProperties(rec.propertiesFile).catch(() => null);

  // Process
  let pid = await readPidFile(paths.pidFile);
  let alive = false;
  let ours: boolean | 'unknown' = false;
  let stale: string | null = null;
  if (pid !== null) {
    ours = await isOurTransactor(pid, { platform, exec: opts.exec });
    alive = ours !== false;
    if (!alive) {
      await removeFile(paths.pidFile);
      stale = paths.pidFile;
      pid = null;
    }
  }
  const host = settings?.host ?? rec?.host ?? null;
  const port = settings?.port ?? rec?.port ?? null;
  const pingHost = settings?.pingHost ?? rec?.pingHost ?? null;
  const pingPort = settings?.pingPort ?? rec?.pingPort ?? null;
  const interval = settings?.heartbeatIntervalMsec ?? rec?.heartbeatIntervalMsec ?? 5000;

  const [portOpen, health] = await Promise.all([
    host !== null && port !== null ? isPortOpen(host, port, 500) : Promise.resolve(null),
    pingHost && pingPort ? probeHealth(pingHost, pingPort, opts.healthTimeoutMs ?? 1000) : Promise.resolve('unconfigured' as const),
  ]);

  // Storage
  let coord: HeartbeatInfo | null = null;
  let standby: HeartbeatInfo | null = null;
  let storageError: TransactorStatus['storage']['error'] = null;
  const url = opts.storageUrl ?? settings?.storageUrl;
  let checked = false;
  if (opts.client || url) {
    checked = true;
    let client: PgClient | undefined = opts.client;
    try {
      client ??= await connect({ url: url as string, purpose: 'storage', connectTimeoutMs: 5000 });
      const first = await readHeartbeats(client);
      let coordAlive = judgeAlive(first.active, Date.now(), interval).alive;
      let standbyAlive = judgeAlive(first.standby, Date.now(), interval).alive;
      // Ambiguous: our process is gone but its recent heartbeat still looks alive (kill -9),
      // or the caller wants certainty: sample again one interval later (§6, clock-independent).
      const ambiguous = coordAlive && !alive && rec !== null && first.active?.port === rec.port && first.active?.host === rec.host;
      let second = first;
      if (opts.confirm || ambiguous) {
        await sleep(interval + 250);
        second = await readHeartbeats(client);
        coordAlive = judgeAdvance(first.active, second.active).alive && second.active !== null;
        standbyAlive = judgeAdvance(first.standby, second.standby).alive && second.standby !== null;
      }
      coord = info(second.active, coordAlive);
      standby = info(second.standby, standbyAlive);
    } catch (e) {
      storageError = isDtxError(e)
        ? { code: e.code, message: maskSecrets(e.message) }
        : { code: (e as { code?: string }).code === '42P01' ? 'STORAGE_TABLE_MISSING' : 'STORAGE_QUERY_FAILED', message: maskSecrets(String((e as Error).message)) };
    } finally {
      if (!opts.client) await client?.end().catch(() => {});
    }
  }
  const active = coord?.alive ? coord : null;
  const standbyLive = standby?.alive ? standby : null;
  return {
    running: (alive && ours !== false) || active !== null,
    pid: alive ? pid : null,
    active,
    standby: standbyLive,
    health,
    process: { pid, alive, ours, stalePidFileRemoved: stale },
    host,
    port,
    portOpen,
    heartbeats: { coord, standby },
    storage: { checked, error: storageError },
    propertiesFile: settings?.file ?? rec?.propertiesFile ?? null,
  };
}
