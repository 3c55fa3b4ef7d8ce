/**
 * One dtx at a time rewrites a storage: purges, sweeps, restores and offline catalog rewrites hold a
 * PostgreSQL session advisory lock on the storage database (it goes away with the connection, so
 * a killed dtx never leaves it behind). `dtx transactor start` checks it too, so a transactor does
 * not start in the middle of a purge. Nothing is written to datomic_kvs to take it.
 */
import { DtxError } from '../errors.js';
import type { Queryable } from './kvs.js';

/** 'dtxMAINT' as a bigint. */
export const MAINTENANCE_LOCK_KEY = '7238814051394635860';

export interface LockOptions {
  /** what the caller is about to do, for the message of whoever finds it taken */
  what: string;
  /** how long to wait for it (default 0: try once) */
  waitMs?: number;
  signal?: AbortSignal;
}

function busy(what: string): DtxError {
  return new DtxError({
    code: 'STORAGE_BUSY',
    message: `another dtx is rewriting this storage (a purge, a sweep, a restore or a catalog rewrite), so ${what} cannot start now`,
    hint: 'Wait for it to finish (or stop it with Ctrl-C; it can be re-run), then try again.',
  });
}

export async function tryMaintenanceLock(c: Queryable, opts: LockOptions): Promise<void> {
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (;;) {
    const r = await c.query<{ ok: boolean }>('select pg_try_advisory_lock($1::bigint) as ok', [MAINTENANCE_LOCK_KEY]);
    if (r.rows[0]?.ok) return;
    if (Date.now() >= deadline || opts.signal?.aborted) throw busy(opts.what);
    await new Promise((res) => setTimeout(res, 200));
  }
}

export async function releaseMaintenanceLock(c: Queryable): Promise<void> {
  await c.query('select pg_advisory_unlock($1::bigint)', [MAINTENANCE_LOCK_KEY]).catch(() => {});
}

/** Runs fn holding the lock (released afterwards; also released if the connection dies). */
export async function withMaintenanceLock<T>(c: Queryable, opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  await tryMaintenanceLock(c, opts);
  try {
    return await fn();
  } finally {
    await releaseMaintenanceLock(c);
  }
}

/** Is some dtx holding the lock right now? (does not take it) */
export async function maintenanceLockHeld(c: Queryable): Promise<boolean> {
  const r = await c.query<{ held: boolean }>(
    `select exists (select 1 from pg_locks where locktype = 'advisory' and granted
        and ((classid::bigint << 32) | objid::bigint) = $1::bigint and database = (select oid from pg_database where datname = current_database())) as held`,
    [MAINTENANCE_LOCK_KEY],
  );
  return Boolean(r.rows[0]?.held);
}
