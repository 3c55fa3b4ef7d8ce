/**
 * `dtx doctor`: every check a support thread asks for, in order, each a small function in
 * ./checks. A check that needs an earlier one's outcome (the distribution, the storage connection,
 * the datomic_kvs table) is reported as skipped (status warn, see types.ts) when that one failed.
 * Read-only throughout: nothing is started (not even the embedded PostgreSQL), written or fixed.
 */
import path from 'node:path';
import { throwIfAborted } from '../abort.js';
import type { Platform } from '../datomic/distribution.js';
import type { JavaInfo } from '../datomic/java.js';
import { envGet } from '../env.js';
import { readLaunchRecord, readPidFile, transactorPaths } from '../datomic/pidfile.js';
import { isOurTransactor } from '../datomic/process.js';
import type { TransactorPropertiesOptions, TransactorSettings } from '../datomic/properties.js';
import type { PgClient } from '../postgres/client.js';
import type { HolderOptions } from '../port-holder.js';
import type { MarkProgress } from '../storage/walk/mark-all.js';
import { checkDiskSpace } from './checks/disk.js';
import { checkActiveHeartbeat, checkClockSkew, checkStandby, watchHeartbeats, type HeartbeatWatch, type ProcessInfo } from './checks/heartbeat.js';
import { checkPort } from './checks/ports.js';
import { checkAdminConnection, checkKvs, checkLocale, checkRoleConnection, type EmbeddedHint } from './checks/postgres.js';
import { checkProperties } from './checks/properties.js';
import { checkDistribution, checkJavaRuntime, checkJdbcDriver, checkNode } from './checks/runtime.js';
import { checkStorage } from './checks/storage.js';
import { fromError, skipped, type CheckResult } from './types.js';
import { DtxError } from '../errors.js';

export type { CheckResult, CheckStatus } from './types.js';

/** The checks in the order they run and are shown. */
export const CHECK_NAMES = [
  'node', 'distribution', 'java', 'jdbc-driver', 'properties', 'postgres-admin', 'postgres-role', 'kvs-table', 'locale',
  'heartbeat', 'clock-skew', 'standby', 'transactor-port', 'ping-port', 'disk-space', 'storage',
] as const;

export interface DoctorOptions {
  nodeVersion: string;
  platform: Platform;
  /** the caller's environment: PATH/PATHEXT to find java, and the variables a JVM needs on Windows */
  env: Record<string, string | undefined>;
  javaHome: string | undefined;
  datomicHome: { dir: string; source: string } | null;
  /** the user's own properties file, else what `transactor start` would generate */
  propertiesFile: string | undefined;
  generatedProperties: TransactorPropertiesOptions;
  /** dtx's storage target (postgresql:// URL with the role's password) and its parts */
  storageUrl: string;
  storage: { host: string; port: number; database: string };
  admin: { url: string; known: boolean };
  embedded: EmbeddedHint;
  stateDir: string;
  /** heartbeat interval when no properties give one */
  intervalMs: number;
  /** `--no-storage`: skip the storage walk */
  storageSummary: boolean;
  storageMaxRows?: number;
  signal?: AbortSignal;
  /** what is being checked now (for a spinner) */
  onProgress?: (stage: string) => void;
  onWalkProgress?: (p: MarkProgress) => void;
  /** tests: replace `java -version`, the /proc root, the disk thresholds */
  javaCheck?: () => Promise<JavaInfo>;
  holders?: HolderOptions;
  diskThresholds?: { failBytes: number; warnBytes: number };
  unreferencedWarnBytes?: number;
}

export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
  counts: { pass: number; warn: number; fail: number };
  ms: number;
}

async function processInfo(stateDir: string, platform: Platform): Promise<ProcessInfo & { intervalMs: number | null }> {
  const paths = transactorPaths(stateDir);
  const rec = await readLaunchRecord(paths.launchFile);
  const pid = await readPidFile(paths.pidFile);
  const ours = pid === null ? false : await isOurTransactor(pid, { platform });
  return { pid: ours === false ? null : pid, standby: Boolean(rec?.standby), intervalMs: rec?.heartbeatIntervalMsec ?? null };
}

/** Ctrl-C cancels the whole run; any other error a check throws becomes that check's failure. */
function rethrowCancel(e: unknown, signal?: AbortSignal): void {
  if (signal?.aborted || (e instanceof DtxError && e.code === 'CANCELLED')) throw e;
}

async function safe(name: string, fn: () => Promise<CheckResult>, signal?: AbortSignal): Promise<CheckResult> {
  try {
    return await fn();
  } catch (e) {
    rethrowCancel(e, signal);
    return fromError(name, e);
  }
}

export async function runDoctor(o: DoctorOptions): Promise<DoctorReport> {
  const started = performance.now();
  const checks: CheckResult[] = [];
  const step = (stage: string) => {
    throwIfAborted(o.signal);
    o.onProgress?.(stage);
  };
  const add = (r: CheckResult) => {
    checks.push(r);
    return r;
  };

  add(checkNode(o.nodeVersion));

  step('checking the Datomic distribution');
  const dist = await checkDistribution(o.datomicHome?.dir, o.datomicHome?.source ?? '', o.platform);
  add(dist.result);

  step('checking Java');
  add(
    (
      await checkJavaRuntime({
        javaHome: o.javaHome, env: o.env, pathEnv: envGet(o.env, 'PATH', o.platform), pathExt: envGet(o.env, 'PATHEXT', o.platform),
        platform: o.platform, dist: dist.dist, check: o.javaCheck,
      })
    ).result,
  );
  add(await safe('jdbc-driver', () => checkJdbcDriver(dist.dist), o.signal));

  step('checking the transactor properties');
  const props = await checkProperties({ file: o.propertiesFile, generated: o.generatedProperties, configured: o.storage, platform: o.platform });
  add(props.result);
  const settings: TransactorSettings | null = props.settings;

  step('connecting to PostgreSQL');
  add(await safe('postgres-admin', () => checkAdminConnection(o.admin), o.signal));
  // The transactor's storage: the user's properties file names it; else dtx's target.
  const storageUrl = o.propertiesFile && settings ? settings.storageUrl : o.storageUrl;
  const role = await checkRoleConnection(storageUrl, o.embedded);
  add(role.result);
  const client: PgClient | null = role.client;
  const proc = await processInfo(o.stateDir, o.platform);
  let watch: HeartbeatWatch | null = null;
  try {
    let kvs = null;
    if (client) {
      step('checking datomic_kvs');
      try {
        kvs = await checkKvs(client);
      } catch (e) {
        rethrowCancel(e, o.signal);
        kvs = { usable: false, estimatedRows: null, result: fromError('kvs-table', e) };
      }
      add(kvs.result);
      add(await safe('locale', () => checkLocale(client), o.signal));
    } else {
      add(skipped('kvs-table', 'no connection to the storage database (see postgres-role)'));
      add(skipped('locale', 'no connection to the storage database (see postgres-role)'));
    }

    const intervalMs = Math.max(settings?.heartbeatIntervalMsec ?? o.intervalMs, proc.intervalMs ?? 0, 1000);
    if (client && kvs?.usable) {
      step('reading the heartbeats');
      try {
        watch = await watchHeartbeats(client, {
          intervalMs,
          // A transactor process of this state dir runs: a stale heartbeat would make it "hung", a
          // failure, so give it two intervals (a live one still ends the watch at its next beat).
          limitMs: Math.round(intervalMs * (proc.pid !== null ? 2.2 : 1.2)) + 250,
          signal: o.signal,
          onWait: (ms) => o.onProgress?.(`watching the heartbeats for up to ${(ms / 1000).toFixed(1)} s (one interval)`),
        });
      } catch (e) {
        // e.g. a heartbeat row that does not parse (HEARTBEAT_CORRUPT, never showing the row)
        rethrowCancel(e, o.signal);
        add(fromError('heartbeat', e));
        add(skipped('clock-skew', 'the heartbeats could not be read (see heartbeat)'));
        add(skipped('standby', 'the heartbeats could not be read (see heartbeat)'));
      }
      if (watch) {
        add(checkActiveHeartbeat(watch, proc));
        add(checkClockSkew(watch));
        add(checkStandby(watch, proc));
      }
    } else {
      const why = client ? 'datomic_kvs is not usable (see kvs-table)' : 'no connection to the storage database (see postgres-role)';
      for (const n of ['heartbeat', 'clock-skew', 'standby']) add(skipped(n, why));
    }

    step('checking ports');
    const host = settings?.host ?? o.generatedProperties.host ?? 'localhost';
    const port = settings?.port ?? o.generatedProperties.port ?? 4334;
    const live = watch?.active.advanced ? watch.active.last : null;
    const registeredHere = live !== null && live.port === port;
    add(await safe('transactor-port', () => checkPort({ name: 'transactor-port', what: "the transactor's port", host, port, transactorPid: proc.pid, registeredHere, holders: o.holders }), o.signal));
    const pingHost = settings ? settings.pingHost : o.generatedProperties.pingHost;
    const pingPort = settings ? settings.pingPort : o.generatedProperties.pingPort;
    if (pingHost && pingPort) {
      add(await safe('ping-port', () => checkPort({ name: 'ping-port', what: 'the /health ping port', host: pingHost, port: pingPort, transactorPid: proc.pid, registeredHere: false, holders: o.holders }), o.signal));
    } else {
      add(skipped('ping-port', 'no ping-host/ping-port configured (the /health endpoint is off)', 'Set --ping-port (or ping-host and ping-port in your properties file) to serve /health.'));
    }

    step('checking disk space');
    const paths = transactorPaths(o.stateDir);
    const within = (d: string | undefined, fallback: string) => (d ? path.resolve(o.datomicHome?.dir ?? '.', d) : fallback);
    add(
      await safe(
        'disk-space',
        () =>
          checkDiskSpace(
            [
              { label: 'log-dir', dir: within(settings?.logDir, paths.logDir) },
              { label: 'data-dir', dir: within(settings?.dataDir, paths.dataDir) },
            ],
            o.diskThresholds,
          ),
        o.signal,
      ),
    );

    if (!o.storageSummary) add(skipped('storage', 'turned off with --no-storage', '`dtx storage report` explains every row of datomic_kvs.'));
    else if (!client || !kvs?.usable) add(skipped('storage', client ? 'datomic_kvs is not usable (see kvs-table)' : 'no connection to the storage database (see postgres-role)'));
    else {
      step('walking the storage');
      const estimatedRows = kvs.estimatedRows;
      add(
        await safe(
          'storage',
          () =>
            checkStorage(client, {
              estimatedRows,
              maxRows: o.storageMaxRows,
              transactorAlive: Boolean(watch?.active.advanced),
              unreferencedWarnBytes: o.unreferencedWarnBytes,
              signal: o.signal,
              onProgress: o.onWalkProgress,
            }),
          o.signal,
        ),
      );
    }
  } finally {
    await client?.end().catch(() => {});
  }
  const counts = { pass: 0, warn: 0, fail: 0 };
  for (const c of checks) counts[c.status]++;
  return { ok: counts.fail === 0, checks, counts, ms: Math.round(performance.now() - started) };
}
