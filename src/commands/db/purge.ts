import type { Ctx } from '../../cli/context.js';
import { printJson } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';
import { purgeDeleted, purgeJson, renderPurge } from '../shared/purge.js';
import { withStorage } from '../shared/storage.js';

export async function run(ctx: Ctx, dbId: string): Promise<number> {
  const { io } = ctx;
  const dryRun = Boolean(ctx.flags.dryRun);
  const progress = startProgress(io, 'checking for a live transactor');
  const r = await withStorage(ctx, (c) => purgeDeleted(ctx, c, { dbId, label: `deleted database ${dbId}`, dryRun, progress })).finally(() => progress.stop());
  if (io.json) printJson(io, purgeJson(r));
  else await renderPurge(ctx, r);
  return 0;
}
