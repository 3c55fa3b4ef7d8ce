/**
 * Opening the storage database for commands that read or write datomic_kvs: starts the embedded
 * server on demand (notice on stderr), connects with the storage role and checks the table.
 */
import type { Ctx } from '../../cli/context.js';
import { connect, loadPg, type PgClient } from '../../core/postgres/client.js';
import { ensureStorageServer } from '../../core/postgres/target.js';
import { checkKvsTable } from '../../core/storage/kvs.js';
import { transactorLiveness, type Liveness } from '../../core/storage/liveness.js';
import type { Progress } from '../../render/progress.js';
import { formatPgUrl } from '../../core/postgres/url.js';
import { DtxError } from '../../core/errors.js';

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

/** Is a transactor alive on this storage? Updates the spinner while a second heartbeat sample is taken. */
export function checkTransactorLiveness(ctx: Ctx, c: PgClient, progress: Progress): Promise<Liveness> {
  return transactorLiveness(c, {
    intervalMs: ctx.config().heartbeatIntervalMsec,
    signal: ctx.signal,
    onSecondSample: () => progress.update('the heartbeat looks old: checking whether it advances'),
  });
}
