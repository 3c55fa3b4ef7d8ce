/**
 * Transactor status: the process dtx started (alive and really a transactor), its port, /health,
 * and the heartbeats in storage (pod-coord, pod-standby), judged alive or not (docs/datomic-storage.md §5).
 */
import { isDtxError } from '../../errors.js';
import { maskSecrets } from '../../mask.js';
import { isPortOpen, probeHealth } from '../../net.js';
import { connect, type PgClient } from '../../postgres/client.js';
import {
  heartbeatAgeMs, judgeAdvance, judgeAlive, readHeartbeat, STANDBY_HEARTBEAT_ID, type Heartbeat,
} from '../../storage/heartbeat.js';
import { transactorLiveness } from '../../storage/liveness.js';
import type { Platform } from '../distribution.js';
import { checkPidFile, readLaunchRecord, transactorPaths } from '../pidfile.js';
import type { ExecText } from '../process.js';
import { loadTransactorProperties, type TransactorSettings } from '../properties.js';

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
  /** Heartbeat interval when neither the properties nor the last launch give one (default 5000). */
  intervalMs?: number;
  /** Called when liveness needs a second heartbeat sample (about one interval): e.g. show a spinner. */
  onSecondSample?: () => void;
  /** Aborts the wait for a second sample (the error is thrown, never taken for a verdict). */
  signal?: AbortSignal;
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
  /** error: the heartbeats could not be read (masked); then `running` only reflects the process. */
  storage: { checked: boolean; error: { code: string; message: string; hint: string | null } | null };
  propertiesFile: string | null;
}

function info(hb: Heartbeat | null, alive: boolean): HeartbeatInfo | null {
  if (!hb) return null;
  return { host: hb.host, altHost: hb.altHost, port: hb.port, version: hb.version, heartbeatAgeMs: heartbeatAgeMs(hb), alive, rev: hb.rev };
}

/**
 * Reports the process (dtx's pid file: alive and really a transactor), the port, /health, and the
 * heartbeats in storage (never credentials). Works without a dtx-started process (storage view only).
 * Never throws for storage problems (reported in `storage.error`, with the hint); throws only for
 * an unreadable explicit --properties file (PROPERTY_*, exit 2) and when `signal` aborts the wait.
 */
export async function transactorStatus(opts: TransactorStatusOptions): Promise<TransactorStatus> {
  const platform = opts.platform ?? process.platform;
  const paths = transactorPaths(opts.stateDir);
  const rec = await readLaunchRecord(paths.launchFile);
  let settings: TransactorSettings | null = null;
  if (opts.propertiesFile) settings = await loadTransactorProperties(opts.propertiesFile);
  else if (rec?.propertiesFile) settings = await loadTransactorProperties(rec.propertiesFile).catch(() => null);

  // Process
  const pidFile = await checkPidFile(paths.pidFile, { platform, exec: opts.exec });
  const ours = pidFile.ours;
  const alive = ours !== false;
  const pid = alive ? pidFile.pid : null;
  const stale = pidFile.removed ? paths.pidFile : null;
  const host = settings?.host ?? rec?.host ?? null;
  const port = settings?.port ?? rec?.port ?? null;
  const pingHost = settings?.pingHost ?? rec?.pingHost ?? null;
  const pingPort = settings?.pingPort ?? rec?.pingPort ?? null;
  const interval = settings?.heartbeatIntervalMsec ?? rec?.heartbeatIntervalMsec ?? opts.intervalMs ?? 5000;

  const [portOpen, health] = await Promise.all([
    host !== null && port !== null ? isPortOpen(host, port, 500) : Promise.resolve(null),
    pingHost && pingPort ? probeHealth(pingHost, pingPort, opts.healthTimeoutMs ?? 1000) : Promise.resolve('unconfigured' as const),
  ]);

  // Storage: the same liveness rule as the db commands (a fresh heartbeat whose local port refuses
  // is dead at once; an older one is sampled again), and the standby judged alongside.
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
      const standbyBefore = await readHeartbeat(client, STANDBY_HEARTBEAT_ID);
      let sampledTwice = false;
      const live = await transactorLiveness(client, {
        intervalMs: interval,
        signal: opts.signal,
        onSecondSample: () => {
          sampledTwice = true;
          opts.onSecondSample?.();
        },
      });
      coord = info(live.heartbeat, live.alive);
      if (sampledTwice) {
        // One interval has passed: the standby's rev tells too, whatever the clocks say.
        const standbyAfter = await readHeartbeat(client, STANDBY_HEARTBEAT_ID);
        standby = info(standbyAfter, judgeAdvance(standbyBefore, standbyAfter).alive && standbyAfter !== null);
      } else {
        standby = info(standbyBefore, judgeAlive(standbyBefore, Date.now(), interval).alive);
      }
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      storageError = isDtxError(e)
        ? { code: e.code, message: maskSecrets(e.message), hint: e.hint ? maskSecrets(e.hint) : null }
        : { code: (e as { code?: string }).code === '42P01' ? 'STORAGE_TABLE_MISSING' : 'STORAGE_QUERY_FAILED', message: maskSecrets(String((e as Error).message)), hint: (e as { code?: string }).code === '42P01' ? 'Run `dtx init-postgres` to create the datomic_kvs table.' : null };
    } finally {
      if (!opts.client) await client?.end().catch(() => {});
    }
  }
  const active = coord?.alive ? coord : null;
  const standbyLive = standby?.alive ? standby : null;
  return {
    running: alive || active !== null,
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
