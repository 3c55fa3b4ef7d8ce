import type { Ctx } from '../../cli/context.js';
import { throwIfAborted } from '../../core/abort.js';
import { validateDbName } from '../../core/datomic/dbname.js';
import { runPeer } from '../../core/datomic/peer.js';
import { datomicUri } from '../../core/datomic/uri.js';
import { readCatalog } from '../../core/storage/catalog.js';
import { keyValues, printJson } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';
import { distributionWithJava } from '../shared/datomic.js';
import { requireLiveTransactor, withStorage } from '../shared/storage.js';

export async function run(ctx: Ctx, name: string): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  validateDbName(name);
  const uri = datomicUri(name, cfg.pg);
  const progress = startProgress(io, 'checking the Datomic distribution');
  let out: { dbId: string | null; created: boolean };
  try {
    const { dist, java } = await distributionWithJava(ctx);
    progress.update('checking for a live transactor');
    out = await withStorage(ctx, async (c) => {
      await requireLiveTransactor(ctx, c, progress, 'creating a database goes through the transactor');
      progress.update(`starting a peer JVM to run d/create-database "${name}"`);
      throwIfAborted(ctx.signal);
      const r = await runPeer({ dist, op: 'create', uri, env: io.env, javaBinDir: java.binDir, signal: ctx.signal });
      const cat = await readCatalog(c);
      return { dbId: cat.databases.find((d) => d.name === name)?.dbId ?? null, created: Boolean(r.created) };
    });
  } finally {
    progress.stop();
  }
  if (io.json) {
    printJson(io, { name, dbId: out.dbId, created: out.created, uri });
    return 0;
  }
  const c = io.chalk;
  io.out(out.created ? `${c.green('✔')} created database ${name}\n` : `${c.dim('•')} database ${name} already exists; nothing changed\n`);
  io.out(keyValues(io, [['db-id', out.dbId ?? '?'], ['uri', uri]]));
  if (!io.showSecrets) io.out(c.dim('Connect with (d/connect uri); `dtx db uri NAME --show-secrets` prints it with the password.\n'));
  return 0;
}
