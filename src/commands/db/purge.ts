import type { Ctx } from '../../cli/context.js';
import { withMaintenanceLock } from '../../core/storage/maintenance-lock.js';
import { printJson } from '../../render/output.js';
import { startProgress } from '../../render/progress.js';
import { purgeJson, renderPurge, runPurge } from '../shared/purge.js';
import { requireNoTransactor, withStorage } from '../shared/storage.js';

export async function run(ctx: Ctx, dbId: string): Promise<number> {
  const { io } = ctx;
  const dryRun = Boolean(ctx.flags.dryRun);
  const progress = startProgress(io, 'checking for a live transactor');
  const r = await withStorage(ctx, async (c) => {
    const { guard } = await requireNoTransactor(ctx, c, progress, 'a purge');
    return withMaintenanceLock(c, { what: 'the purge', signal: ctx.signal }, () =>
      runPurge(ctx, c, { dbId, label: `deleted database ${dbId}`, dryRun, guard, progress }),
    );
  }).finally(() => progress.stop());
  if (io.json) printJson(io, purgeJson(r));
  else await renderPurge(ctx, r);
  return 0;
}
