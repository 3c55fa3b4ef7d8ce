import type { Ctx } from '../../cli/context.js';
import { DtxError } from '../../core/errors.js';
import { throwIfAborted } from '../../core/abort.js';
import { planScript, runScript, withPathFirst } from '../../core/datomic/script.js';
import { systemUri } from '../../core/datomic/uri.js';
import { connect } from '../../core/postgres/client.js';
import { ensureStorageServer } from '../../core/postgres/target.js';
import { formatPgUrl } from '../../core/postgres/url.js';
import { readCatalog } from '../../core/storage/catalog.js';
import { printJson } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';
import { distributionWithJava } from '../shared/datomic.js';
import { withStorage } from '../shared/storage.js';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const { dist, java } = await distributionWithJava(ctx);
  const before = await withStorage(ctx, async (c) => (await readCatalog(c)).deleted);
  const progress = startProgress(io, `bin/datomic gc-deleted-dbs (${before.length} deleted database${before.length === 1 ? '' : 's'})`);
  let r;
  try {
    const env = java.binDir ? withPathFirst(io.env, java.binDir, dist.platform) : { ...io.env };
    // bin/datomic takes the system URI as an argument (INFERRED: no env alternative), so the storage
    // password is on that process's command line while it runs.
    throwIfAborted(ctx.signal);
    const plan = planScript({ script: dist.scripts.datomic, args: ['gc-deleted-dbs', systemUri(cfg.pg)], home: dist.home, env, platform: dist.platform });
    r = await runScript(plan, {
      signal: ctx.signal,
      timeoutMs: 6 * 60 * 60_000,
      onLine: (line) => {
        if (line.trim()) progress.update(line.trim().slice(0, 100));
        if (io.verbose) io.err(`${line}\n`);
      },
    });
  } finally {
    progress.stop();
  }
  if (r.code !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-8).join('\n  ');
    throw new DtxError({ code: 'GC_FAILED', message: `bin/datomic gc-deleted-dbs exited with ${r.code ?? r.signal}:\n  ${tail}`, hint: 'See the output above; run with --verbose.' });
  }
  const after = await withStorage(ctx, async (c) => (await readCatalog(c)).deleted);
  const collected = before.filter((d) => !after.includes(d));
  let vacuum: { ran: boolean; as: string | null; warning: string | null } = { ran: false, as: null, warning: null };
  throwIfAborted(ctx.signal);
  if (ctx.flags.vacuum) vacuum = await runVacuum(ctx);
  if (io.json) {
    printJson(io, { collected, remaining: after, vacuum });
    return 0;
  }
  const c = io.chalk;
  io.out(`${c.green('✔')} gc-deleted-dbs collected ${collected.length} database${collected.length === 1 ? '' : 's'}${collected.length ? `: ${collected.join(', ')}` : ''}\n`);
  if (after.length) io.out(`${c.yellow('still in :datomic/deleted:')} ${after.join(', ')}\n`);
  if (vacuum.ran) io.out(`${c.green('✔')} VACUUM datomic_kvs (as ${vacuum.as})\n`);
  if (vacuum.warning) io.warn(vacuum.warning);
  if (!ctx.flags.vacuum) io.out(c.dim('PostgreSQL returns the space of deleted rows after VACUUM: re-run with --vacuum, or run `VACUUM datomic_kvs;` as its owner.\n'));
  return 0;
}

/** VACUUM needs the table owner: the admin connection when dtx knows one, else the storage role. */
async function runVacuum(ctx: Ctx): Promise<{ ran: boolean; as: string | null; warning: string | null }> {
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
