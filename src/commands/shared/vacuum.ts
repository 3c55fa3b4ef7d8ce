/** VACUUM datomic_kvs, so PostgreSQL returns the space of deleted rows. */
import type { Ctx } from '../../cli/context.js';
import { connect } from '../../core/postgres/client.js';
import { ensureStorageServer } from '../../core/postgres/target.js';
import { formatPgUrl } from '../../core/postgres/url.js';

export interface VacuumResult {
  ran: boolean;
  as: string | null;
  warning: string | null;
}

/** VACUUM needs the table owner: the admin connection when dtx knows one, else the storage role. */
export async function runVacuum(ctx: Ctx): Promise<VacuumResult> {
  const cfg = ctx.config();
  const server = await ensureStorageServer(cfg, {});
  const useAdmin = cfg.adminUrlExplicit || server.embedded?.used;
  const client = await connect(useAdmin ? { url: server.adminUrl, database: cfg.pg.database, purpose: 'admin' } : { url: formatPgUrl(cfg.pg), purpose: 'storage' });
  const warnings: string[] = [];
  client.on('notice', (n: { message?: string }) => warnings.push(n.message ?? ''));
  try {
    const who = await client.query<{ u: string }>('select current_user as u');
    await client.query('VACUUM (ANALYZE) datomic_kvs');
    const skipped = warnings.find((w) => /skipping|permission/i.test(w));
    return {
      ran: !skipped,
      as: who.rows[0]?.u ?? null,
      warning: skipped ? `VACUUM skipped: ${skipped}. Run it as the table owner (e.g. with --admin-url).` : null,
    };
  } finally {
    await client.end().catch(() => {});
  }
}

export const VACUUM_HINT = 'PostgreSQL returns the space of deleted rows after VACUUM: re-run with --vacuum, or run `VACUUM datomic_kvs;` as its owner.';
