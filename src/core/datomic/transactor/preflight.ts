/**
 * The checks before a transactor launches, in order: Java, the distribution, the properties, the
 * start lock, no transactor already started from this state dir, the storage (credentials and
 * datomic_kvs), no live transactor registered in pod-coord (unless standby), and free ports.
 */
import path from 'node:path';
import { throwIfAborted } from '../../abort.js';
import { envGet } from '../../env.js';
import { DtxError, ExitCode } from '../../errors.js';
import { maskSecrets } from '../../mask.js';
import { connect, type PgClient } from '../../postgres/client.js';
import { isPortFree } from '../../net.js';
import { readHeartbeats, type Heartbeats } from '../../storage/heartbeat.js';
import { transactorLiveness } from '../../storage/liveness.js';
import { maintenanceLockHeld } from '../../storage/maintenance-lock.js';
import { findDistribution, type Distribution, type Platform } from '../distribution.js';
import { checkJava, type JavaInfo } from '../java.js';
import { acquireLock } from '../lock.js';
import { checkPidFile, transactorPaths } from '../pidfile.js';
import { loadTransactorProperties, type TransactorSettings } from '../properties.js';
import { progress, type StartTransactorOptions } from './start-options.js';

/** The progress stage while a heartbeat is watched for a second sample (more than one interval). */
export const SECOND_SAMPLE_STAGE = 'checking for a live transactor: watching its heartbeat';

export interface Prepared {
  dist: Distribution;
  java: JavaInfo | null;
  settings: TransactorSettings;
  paths: ReturnType<typeof transactorPaths>;
  client: PgClient;
  before: Heartbeats;
  platform: Platform;
  release: () => Promise<void>;
}

function alreadyRunning(message: string, details: Record<string, unknown>): DtxError {
  return new DtxError({
    code: 'TRANSACTOR_ALREADY_RUNNING',
    message,
    hint: 'Use `dtx transactor status` to see it and `dtx transactor stop` to stop it. For an HA standby next to it: '
      + '`dtx transactor start --standby --state-dir DIR` with a state dir of its own (Datomic runs the standby on another '
      + 'machine; on this one it also needs its own --port and --ping-port).',
    exitCode: ExitCode.failed,
    details,
  });
}

export async function preflight(opts: StartTransactorOptions): Promise<Prepared> {
  const platform = opts.platform ?? process.platform;
  // 1. Java
  let java: JavaInfo | null = null;
  if (opts.javaCheck !== false) {
    progress(opts, 'checking Java');
    java = typeof opts.javaCheck === 'function'
      ? await opts.javaCheck()
      : await checkJava({ javaHome: opts.javaHome, env: opts.env, pathEnv: envGet(opts.env, 'PATH', platform), pathExt: envGet(opts.env, 'PATHEXT', platform), platform });
  }
  // 2. Distribution
  progress(opts, 'checking the Datomic distribution');
  const dist = opts.dist ?? (await findDistribution({ datomicHome: opts.datomicHome, platform }));
  // 3. Properties
  progress(opts, 'checking the properties');
  const settings = await loadTransactorProperties(opts.propertiesFile);
  const paths = transactorPaths(opts.stateDir);
  // 4. Lock: one start per state dir (creating it is the first write)
  throwIfAborted(opts.signal);
  const lock = await acquireLock(paths.lockFile, { what: 'another `dtx transactor start`' });
  let client: PgClient | undefined;
  try {
    // 5. A transactor dtx started here already?
    for (const f of [paths.pidFile, settings.pidFile ? path.resolve(dist.home, settings.pidFile) : null]) {
      if (!f) continue;
      const r = await checkPidFile(f, { platform, exec: opts.exec, signal: opts.signal });
      if (r.removed) progress(opts, `removed stale pid file ${f} (pid ${r.pid} is not a transactor)`);
      if (r.ours !== false) {
        // Also for --standby: a standby needs its own state dir (pid file, logs, ports).
        throw alreadyRunning(`a transactor is already running from this state dir (pid ${r.pid}, pid file ${f}); a standby needs its own --state-dir`, { pid: r.pid });
      }
    }
    // 6. Storage: reachable with the transactor's credentials, datomic_kvs present and usable
    progress(opts, 'checking PostgreSQL storage');
    client = await connect({ url: settings.storageUrl, purpose: 'storage', connectTimeoutMs: 10_000 });
    try {
      await client.query('select id from datomic_kvs where id = $1', ['pod-coord']);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === '42P01') {
        throw new DtxError({
          code: 'STORAGE_TABLE_MISSING',
          message: `the datomic_kvs table does not exist in the storage database (${maskSecrets(settings.sqlUrl)})`,
          hint: 'Run `dtx init-postgres` to create the database, role and datomic_kvs table.',
          exitCode: ExitCode.failed,
        });
      }
      if (code === '42501') {
        throw new DtxError({
          code: 'STORAGE_PERMISSION_DENIED',
          message: `the storage role may not read datomic_kvs: ${maskSecrets(String((e as Error).message))}`,
          hint: 'Grant it with `dtx init-postgres` (or GRANT SELECT, INSERT, UPDATE, DELETE ON datomic_kvs TO <role>).',
          exitCode: ExitCode.failed,
        });
      }
      throw new DtxError({ code: 'STORAGE_QUERY_FAILED', message: `cannot read datomic_kvs: ${maskSecrets(String((e as Error).message))}`, exitCode: ExitCode.failed, cause: e });
    }
    // 7. No live transactor registered, unless standby: the one liveness judgement, with a second
    // sample even for a fresh heartbeat (it may be a transactor that was just killed), and a
    // heartbeat that advances is alive however old its clock makes it look.
    progress(opts, 'checking for a live transactor');
    if (!opts.standby) {
      const live = await transactorLiveness(client, {
        intervalMs: Math.max(settings.heartbeatIntervalMsec, 1000),
        confirm: true,
        signal: opts.signal,
        onSecondSample: () => progress(opts, SECOND_SAMPLE_STAGE),
      });
      if (live.alive) {
        const c = live.heartbeat;
        throw alreadyRunning(
          `a live transactor is already registered in this storage (${c?.host ?? '?'}:${c?.port ?? '?'}, version ${c?.version ?? '?'})`,
          { host: c?.host, port: c?.port, version: c?.version },
        );
      }
    }
    // What readiness compares against: the rows as they are now, before the launch.
    const before = await readHeartbeats(client);
    // 8. No dtx purge, sweep or restore is rewriting this storage (they hold the maintenance lock)
    if (await maintenanceLockHeld(client)) {
      throw new DtxError({
        code: 'STORAGE_BUSY',
        message: 'a dtx purge, sweep, restore or catalog rewrite is running on this storage; a transactor must not start under it',
        hint: 'Wait for it to finish (it can also be stopped with Ctrl-C and re-run later), then start the transactor.',
        exitCode: ExitCode.failed,
      });
    }
    // 9. Ports
    progress(opts, 'checking ports');
    if (!(await isPortFree(settings.host, settings.port))) {
      throw new DtxError({
        code: 'PORT_IN_USE',
        message: `port ${settings.port} on ${settings.host} is already in use`,
        hint: 'Another transactor or program listens there: stop it (`dtx transactor stop`) or choose another port (port= in the properties, or --port).',
        exitCode: ExitCode.failed,
        details: { port: settings.port, host: settings.host },
      });
    }
    if (settings.pingHost && settings.pingPort && !(await isPortFree(settings.pingHost, settings.pingPort))) {
      throw new DtxError({
        code: 'PORT_IN_USE',
        message: `ping port ${settings.pingPort} on ${settings.pingHost} is already in use`,
        hint: 'Choose another ping-port, or stop the program using it.',
        exitCode: ExitCode.failed,
        details: { port: settings.pingPort, host: settings.pingHost },
      });
    }
    const c = client;
    return {
      dist, java, settings, paths, client, before, platform,
      release: async () => {
        await c.end().catch(() => {});
        await lock.release();
      },
    };
  } catch (e) {
    await client?.end().catch(() => {});
    await lock.release();
    throw e;
  }
}
