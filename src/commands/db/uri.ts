import type { Ctx } from '../../cli/context.js';
import { datomicUri } from '../../core/datomic/uri.js';
import { printJson } from '../../render/output.js';

export async function run(ctx: Ctx, name: string): Promise<number> {
  const { io } = ctx;
  const uri = datomicUri(name, ctx.config().pg);
  if (io.json) printJson(io, { name, uri });
  else {
    io.out(`${uri}\n`);
    if (!io.showSecrets && ctx.config().pg.password !== undefined) io.note('password masked; add --show-secrets to print it');
  }
  return 0;
}
