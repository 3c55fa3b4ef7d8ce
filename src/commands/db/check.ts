import { peerTimeoutMs } from '../shared/timeout.js';
import type { Ctx } from '../../cli/context.js';
import { DtxError, ExitCode } from '../../core/errors.js';
import { throwIfAborted } from '../../core/abort.js';
import { validateDbName } from '../../core/datomic/dbname.js';
import { checkDatabase, type DbCheckResult } from '../../core/datomic/db-check.js';
import { datomicUri } from '../../core/datomic/uri.js';
import { databaseNotFound, readCatalog } from '../../core/storage/catalog.js';
import { connect } from '../../core/postgres/client.js';
import { formatPgUrl } from '../../core/postgres/url.js';
import { keyValues, printJson, renderTable } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';
import { distributionWithJava } from '../shared/datomic.js';
import { requireLiveTransactor, withStorage } from '../shared/storage.js';

/** Step names as the peer reports them, in order, with what they mean. */
const STEPS: [string, string][] = [
  ['connectMs', 'd/connect'],
  ['syncMs', 'd/sync (basis-t from the transactor)'],
  ['queryMs', 'query: count of :db/ident'],
  ['createMs', 'create scratch database'],
  ['schemaMs', 'transact probe attribute'],
  ['transactMs', 'transact probe entity'],
  ['retractMs', 'retract probe entity'],
  ['deleteMs', 'delete scratch database'],
  ['jvmMs', 'JVM start, peer library load, shutdown'],
  ['totalMs', 'total'],
];

export async function run(ctx: Ctx, name: string): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  validateDbName(name);
  const write = Boolean(ctx.flags.write);
  const timeoutMs = peerTimeoutMs(ctx);
  const uri = datomicUri(name, cfg.pg);
  const progress = startProgress(io, 'checking the Datomic distribution');
  let result: DbCheckResult;
  try {
    const { dist, java } = await distributionWithJava(ctx);
    progress.update('reading the catalog');
    await withStorage(ctx, async (c) => {
      const cat = await readCatalog(c);
      if (!cat.databases.some((d) => d.name === name)) throw databaseNotFound(name, cat);
      progress.update('checking for a live transactor');
      await requireLiveTransactor(ctx, c, progress, 'a peer connects through the transactor');
    });
    throwIfAborted(ctx.signal);
    result = await checkDatabase({
      dist,
      name,
      uri,
      uriFor: (n) => datomicUri(n, cfg.pg),
      write,
      env: io.env,
      javaBinDir: java.binDir,
      timeoutMs,
      signal: ctx.signal,
      onStage: (s) => progress.update(s),
      // a fresh, short connection: the check itself may have taken minutes
      catalogNames: async () => {
        const c = await connect({ url: formatPgUrl(cfg.pg), purpose: 'storage', connectTimeoutMs: 5000 });
        try {
          return (await readCatalog(c)).databases.map((d) => d.name);
        } finally {
          await c.end().catch(() => {});
        }
      },
    });
  } finally {
    progress.stop();
  }
  const left = result.write && !result.write.scratch.deleted ? result.write.scratch.name : null;
  if (left) {
    throw new DtxError({
      code: 'SCRATCH_LEFT',
      message: `the check passed, but d/delete-database did not delete the scratch database ${left}`,
      hint: `Delete it with \`dtx db delete ${left} --yes\`.`,
      details: { basisT: result.basisT, timings: result.timings, write: result.write },
    });
  }
  if (io.json) {
    printJson(io, { ok: true, name, basisT: result.basisT, idents: result.idents, timings: result.timings, write: result.write, uri });
    return ExitCode.ok;
  }
  const c = io.chalk;
  io.out(`${c.green('✔')} ${name}: connected, basis-t ${result.basisT}, ${result.idents ?? '?'} idents${result.write ? `; write probe ok (t ${result.write.t ?? '?'})` : ' (read-only)'}\n`);
  const rows = STEPS.filter(([k]) => result.timings[k] !== undefined).map(([k, label]) => [label, `${result.timings[k]} ms`]);
  io.out(renderTable(io, ['step', 'time'], rows));
  if (result.write) {
    const s = result.write.scratch;
    io.out(keyValues(io, [['scratch database', `${s.name} (deleted)`]]));
    io.out(c.dim('Its rows stay in storage until `dtx db gc` collects deleted databases.\n'));
  } else {
    io.out(c.dim('Read-only. `--write` also transacts and retracts a probe datom in a scratch database that is then deleted.\n'));
  }
  return ExitCode.ok;
}
