/**
 * Opening the storage database for commands that read or write datomic_kvs: starts the embedded
 * server on demand (notice on stderr), connects with the storage role and checks the table.
 */
import type { Ctx } from '../../cli/context.js';
import { connect, type PgClient } from '../../core/postgres/client.js';
import { ensureStorageServer } from '../../core/postgres/target.js';
import { checkKvsTable } from '../../core/storage/kvs.js';
import { transactorLiveness, type Liveness } from '../../core/storage/liveness.js';
import type { Progress } from '../../render/progress.js';
import { formatPgUrl } from '../../core/postgres/url.js';
import { readLaunchRecord, transactorPaths } from '../../core/datomic/pidfile.js';

export async function withStorage<T>(ctx: Ctx, fn: (c: PgClient) => Promise<T>, opts: { onProgress?: (s: string) => void } = {}): Promise<T> {
  const cfg = ctx.config();
  await ensureStorageServer(cfg, { onNotice: (t) => ctx.io.note(t), onProgress: opts.onProgress });
  const client = await connect({ url: formatPgUrl(cfg.pg), purpose: 'storage' });
  try {
    await checkKvsTable(client);
    return await fn(client);
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
