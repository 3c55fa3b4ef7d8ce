import type { Ctx } from '../../cli/context.js';
import { DtxError, ExitCode } from '../../core/errors.js';
import { validateDbName } from '../../core/datomic/dbname.js';
import { runPeer } from '../../core/datomic/peer.js';
import { datomicUri } from '../../core/datomic/uri.js';
import { databaseNotFound, deleteDatabaseOffline, readCatalog } from '../../core/storage/catalog.js';
import { purgeOffline, type PurgeReport } from '../../core/storage/dbrows.js';
import { printJson } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';
import { confirmDestructive } from '../../render/prompts.js';
import { distributionWithJava } from '../shared/datomic.js';
import { checkTransactorLiveness, withStorage } from '../shared/storage.js';

export async function run(ctx: Ctx, name: string): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  validateDbName(name);
  const purge = Boolean(ctx.flags.purge);
  const result = await withStorage(ctx, async (c) => {
    const cat = await readCatalog(c);
    const entry = cat.databases.find((d) => d.name === name);
    if (!entry) {
      throw databaseNotFound(name, cat);
    }
    await confirmDestructive(io, {
      yes: Boolean(ctx.flags.yes),
      action: `deleting database "${name}"${purge ? ' with --purge' : ''}`,
      question: purge
        ? `Delete database "${name}" (${entry.dbId}) and purge its rows? This cannot be undone.`
        : `Delete database "${name}" (${entry.dbId})? Its data stays until \`dtx db gc\`.`,
      declined: 'nothing deleted',
      signal: ctx.signal,
    });
    const progress = startProgress(io, 'checking for a live transactor');
    try {
      const live = await checkTransactorLiveness(ctx, c, progress);
      if (live.alive) {
        if (purge) {
          throw new DtxError({
            code: 'PURGE_NEEDS_STOPPED_TRANSACTOR',
            message: '--purge rewrites storage rows directly, which is only safe with no transactor running, and one is alive',
            hint: 'Delete without --purge (then `dtx db gc` reclaims the space), or `dtx transactor stop` first.',
            exitCode: ExitCode.usage,
          });
        }
        const { dist, java } = await distributionWithJava(ctx);
        progress.update(`starting a peer JVM to run d/delete-database "${name}"`);
        const r = await runPeer({ dist, op: 'delete', uri: datomicUri(name, cfg.pg), env: io.env, javaBinDir: java.binDir, signal: ctx.signal });
        return { dbId: entry.dbId, deleted: Boolean(r.deleted), via: 'transactor' as const, purge: null as PurgeReport | null };
      }
      progress.update('no live transactor: rewriting the catalog as Datomic does');
      const d = await deleteDatabaseOffline(c, name);
      let report: PurgeReport | null = null;
      if (purge) {
        progress.update('purging the rows that belong to it');
        report = await purgeOffline(c, d.dbId);
      }
      return { dbId: d.dbId, deleted: true, via: 'catalog' as const, purge: report };
    } finally {
      progress.stop();
    }
  });
  if (io.json) {
    printJson(io, { name, dbId: result.dbId, deleted: result.deleted, via: result.via, purge: result.purge });
    return 0;
  }
  const c = io.chalk;
  io.out(`${c.green('✔')} deleted database ${name} (${result.dbId}) ${c.dim(result.via === 'transactor' ? 'through the transactor' : 'in the catalog (no transactor was running)')}\n`);
  if (result.purge) {
    const p = result.purge;
    io.out(`purged ${p.deletedRows.length} rows (${p.bytesDeleted} bytes): ${p.deletedRows.map((r) => r.id).join(', ') || 'none'}\n`);
    if (p.keptShared.length) io.out(`kept ${p.keptShared.length} rows also referenced by other databases\n`);
    io.out(`${c.yellow('left behind:')} ${p.leftBehind.existingScannedRefs} deeper segment rows (${p.leftBehind.existingScannedBytes} bytes) found referenced from the purged ones. ${p.leftBehind.description}\n`);
  } else {
    io.out(c.dim(`Its id is now in :datomic/deleted: \`dtx db gc\` reclaims the space; until then \`dtx db undelete ${result.dbId} ${name}\` brings it back.\n`));
  }
  return 0;
}
