/** The distribution and Java a command needs to run bin/run or bin/datomic. */
import type { Ctx } from '../../cli/context.js';
import { findDistribution, type Distribution } from '../../core/datomic/distribution.js';
import { checkJava, type JavaInfo } from '../../core/datomic/java.js';

export async function distributionWithJava(ctx: Ctx): Promise<{ dist: Distribution; java: JavaInfo }> {
  const cfg = ctx.config();
  const dist = await findDistribution({ datomicHome: cfg.datomicHome });
  const java = await checkJava({ javaHome: cfg.javaHome, pathEnv: ctx.io.env.PATH ?? ctx.io.env.Path, pathExt: ctx.io.env.PATHEXT });
  return { dist, java };
}
