/** The distribution and Java a command needs to run bin/run or bin/datomic. */
import type { Ctx } from '../../cli/context.js';
import { findDistribution, type Distribution } from '../../core/datomic/distribution.js';
import { checkJava, type JavaInfo } from '../../core/datomic/java.js';
import { readLaunchRecord, transactorPaths } from '../../core/datomic/pidfile.js';

/**
 * --datomic-home / DATOMIC_HOME / config; else the installation the last `dtx transactor start`
 * of this state dir ran (so `db create` works right after `transactor start --datomic-home X`, and
 * the next `transactor start` runs the same installation).
 */
export async function datomicHome(ctx: Ctx): Promise<string | undefined> {
  const cfg = ctx.config();
  if (cfg.datomicHome) return cfg.datomicHome;
  const rec = await readLaunchRecord(transactorPaths(cfg.stateDir).launchFile);
  if (rec?.datomicHome) ctx.io.debug(`using the Datomic installation of the last transactor start: ${rec.datomicHome}`);
  return rec?.datomicHome;
}

export async function distributionWithJava(ctx: Ctx): Promise<{ dist: Distribution; java: JavaInfo }> {
  const cfg = ctx.config();
  const dist = await findDistribution({ datomicHome: await datomicHome(ctx) });
  const java = await checkJava({ javaHome: cfg.javaHome, env: ctx.io.env, pathEnv: ctx.io.env.PATH ?? ctx.io.env.Path, pathExt: ctx.io.env.PATHEXT });
  return { dist, java };
}
