/**
 * Opening the storage database for commands that read or write datomic_kvs: starts the embedded
 * server on demand (notice on stderr), connects with the storage role and checks the table.
 */
import { throwIfAborted } from '../../core/abort.js';
import type { Ctx } from '../../cli/context.js';
import { connect, loadPg, type PgClient } from '../../core/postgres/client.js';
import { ensureStorageServer } from '../../core/postgres/target.js';
import { checkKvsTable } from '../../core/storage/kvs.js';
import { transactorLiveness, type Liveness } from '../../core/storage/liveness.js';
import type { Progress } from '../../render/progress.js';
import { formatPgUrl } from '../../core/postgres/url.js';
import { DtxError, ExitCode } from '../../core/errors.js';
import { readHeartbeat } from '../../core/storage/heartbeat.js';
import { readLaunchRecord, transactorPaths } from '../../core/datomic/pidfile.js';

export interface StorageOptions {
  onProgress?: (s: string) => void;
  /**
   * When to check that datomic_kvs has Datomic's columns: 'first' (default: before fn, for
   * anything that writes), or 'on-failure' for read-only commands: fn runs at once, and only when
   * it fails is the table checked, so the error names what is wrong with it. (The check is the
   * first query on a fresh connection, ~5 ms of `db list`'s startup.)
   */
  verifyTable?: 'first' | 'on-failure';
}

export async function withStorage<T>(ctx: Ctx, fn: (c: PgClient) => Promise<T>, opts: StorageOptions = {}): Promise<T> {
  const cfg = ctx.config();
  // Load pg while the embedded server's state is read from disk (startup time).
  const pgLoaded = loadPg().catch(() => {});
  await ensureStorageServer(cfg, { onNotice: (t) => ctx.io.note(t), onProgress: opts.onProgress });
  await pgLoaded;
  const client = await connect({ url: formatPgUrl(cfg.pg), purpose: 'storage' });
  try {
    if (opts.verifyTable !== 'on-failure') {
      await checkKvsTable(client);
      return await fn(client);
    }
    try {
      return await fn(client);
    } catch (e) {
      // What is wrong with the table, if anything, explains the failure best.
      const tableProblem = await checkKvsTable(client).then(
        () => null,
        (ce: unknown) => (ce instanceof DtxError && ce.code.startsWith('KVS_') ? ce : null),
      );
      throw tableProblem ?? e;
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Is a transactor alive on this storage? Updates the spinner while a second heartbeat sample is
 * taken. The interval is the longer of the configured one and the one of the last transactor this
 * state dir started (a second sample shorter than the transactor's interval could miss its beat).
 */
export async function checkTransactorLiveness(ctx: Ctx, c: PgClient, progress: Progress): Promise<Liveness> {
  const cfg = ctx.config();
  const rec = await readLaunchRecord(transactorPaths(cfg.stateDir).launchFile).catch(() => null);
  return transactorLiveness(c, {
    intervalMs: Math.max(cfg.heartbeatIntervalMsec, rec?.heartbeatIntervalMsec ?? 0),
    signal: ctx.signal,
    onSecondSample: () => progress.update('the heartbeat looks old: checking whether it advances'),
  });
}

/**
 * For commands whose peer goes through the transactor: one must be alive. `why` ends the error,
 * e.g. "creating a database goes through the transactor".
 */
export async function requireLiveTransactor(ctx: Ctx, c: PgClient, progress: Progress, why: string): Promise<void> {
  const live = await checkTransactorLiveness(ctx, c, progress);
  if (!live.alive) {
    throw new DtxError({
      code: 'TRANSACTOR_NOT_RUNNING',
      message: `no live transactor on this storage (${live.reason}); ${why}`,
      hint: 'Start one with `dtx transactor start`, then re-run this command.',
    });
  }
}

/**
 * For commands that rewrite storage directly (purge, sweep): no transactor may be alive. Returns a
 * guard to run before every write: it stops the command when a transactor has registered since
 * (pod-coord's rev moved), because its index jobs write rows nothing references yet.
 */
export async function requireNoTransactor(
  ctx: Ctx,
  c: PgClient,
  progress: Progress,
  action: string,
  /** a judgement the caller already made (no second wait for a heartbeat sample) */
  known?: Liveness,
): Promise<{ guard: () => Promise<void>; lastHeartbeatMs: number | null }> {
  const live = known ?? (await checkTransactorLiveness(ctx, c, progress));
  if (live.alive) {
    throw new DtxError({
      code: 'TRANSACTOR_ALIVE',
      message: `${action} rewrites storage rows directly, which is only safe with no transactor running, and one is alive (${live.reason})`,
      hint: 'Stop it first (`dtx transactor stop`), or for garbage use `dtx storage gc`, which runs Datomic\'s own gc-storage through a live transactor.',
      exitCode: ExitCode.usage,
    });
  }
  const rev0 = live.heartbeat?.rev ?? null;
  const guard = async () => {
    const hb = await readHeartbeat(c);
    if ((hb?.rev ?? null) !== rev0) {
      throw new DtxError({
        code: 'TRANSACTOR_STARTED',
        message: `a transactor registered in this storage while ${action} was running; it stopped before its next write`,
        hint: 'What was done so far is consistent. Stop the transactor, then run the same command again to finish.',
      });
    }
    throwIfAborted(ctx.signal);
  };
  return { guard, lastHeartbeatMs: live.heartbeat?.timestampMs ?? null };
}

/** "host:port/database": identifies the storage in the purge journal. */
export function storageKey(ctx: Ctx): string {
  const pg = ctx.config().pg;
  return `${pg.host}:${pg.port}/${pg.database}`;
}
