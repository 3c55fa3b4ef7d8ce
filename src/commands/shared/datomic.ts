/** The distribution and Java a command needs to run bin/run or bin/datomic. */
import type { Ctx } from '../../cli/context.js';
import { findDistribution, type Distribution } from '../../core/datomic/distribution.js';
import { checkJava, type JavaInfo } from '../../core/datomic/java.js';
import { readLaunchRecord, transactorPaths } from '../../core/datomic/pidfile.js';
import { envGet } from '../../core/env.js';
import { DtxError } from '../../core/errors.js';

export type DatomicHomeSource = 'flag' | 'env' | 'file' | 'last-start' | 'installed';

/**
 * Which Datomic installation a command uses, in this order: --datomic-home / DATOMIC_HOME / the
 * config file; else the installation the last `dtx transactor start` of this state dir ran (so
 * `db create` works right after `transactor start --datomic-home X`, and the next start runs the
 * same one); else the default that `dtx datomic install` recorded. Undefined when none applies.
 */
export async function datomicHomeChoice(ctx: Ctx): Promise<{ home: string; source: DatomicHomeSource } | undefined> {
  const cfg = ctx.config();
  const source = cfg.sources.datomicHome;
  if (cfg.datomicHome && (source === 'flag' || source === 'env' || source === 'file')) return { home: cfg.datomicHome, source };
  const rec = await readLaunchRecord(transactorPaths(cfg.stateDir).launchFile);
  if (rec?.datomicHome) {
    ctx.io.debug(`using the Datomic installation of the last transactor start: ${rec.datomicHome}`);
    return { home: rec.datomicHome, source: 'last-start' };
  }
  if (cfg.datomicHome && source === 'installed') {
    ctx.io.debug(`using the Datomic installation recorded by \`dtx datomic install\`: ${cfg.datomicHome}`);
    return { home: cfg.datomicHome, source: 'installed' };
  }
  return undefined;
}

const HOME_SOURCES: Record<DatomicHomeSource, string> = {
  flag: '--datomic-home',
  env: 'DATOMIC_HOME',
  file: 'the config file',
  'last-start': 'the last `dtx transactor start` of this state dir',
  installed: 'the default of `dtx datomic install`',
};

/** Where the installation came from, to follow "from": "the config file", "DATOMIC_HOME", ... */
export function describeHomeSource(source: DatomicHomeSource): string {
  return HOME_SOURCES[source];
}

/**
 * When the installation in use is the installed default and it has gone missing or broken, the
 * error's hint says to reinstall rather than to fix a flag the user never gave.
 */
export function explainInstalledDefault(ctx: Ctx, choice: { source: DatomicHomeSource } | undefined, e: unknown): unknown {
  if (choice?.source !== 'installed' || !(e instanceof DtxError) || !e.code.startsWith('DATOMIC_HOME_')) return e;
  return new DtxError({
    code: e.code,
    message: `${e.message} (the default recorded by \`dtx datomic install\` in ${ctx.config().userSettingsFile ?? 'the settings file'})`,
    hint: 'Reinstall it with `dtx datomic install --force`, or pass --datomic-home DIR.',
    exitCode: e.exitCode,
    details: e.details,
  });
}

/** findDistribution for the installation datomicHomeChoice picks (or `made`, its answer already in hand). */
export async function findChosenDistribution(ctx: Ctx, made?: { home: string; source: DatomicHomeSource }): Promise<Distribution> {
  const choice = made ?? (await datomicHomeChoice(ctx));
  try {
    return await findDistribution({ datomicHome: choice?.home });
  } catch (e) {
    throw explainInstalledDefault(ctx, choice, e);
  }
}

/** The chosen distribution (or `known`, one found already) and the Java to run it. */
export async function distributionWithJava(ctx: Ctx, known?: Distribution): Promise<{ dist: Distribution; java: JavaInfo }> {
  const cfg = ctx.config();
  const dist = known ?? (await findChosenDistribution(ctx));
  const java = await checkJava({ javaHome: cfg.javaHome, env: ctx.io.env, pathEnv: envGet(ctx.io.env, 'PATH', ctx.io.platform), pathExt: envGet(ctx.io.env, 'PATHEXT', ctx.io.platform) });
  return { dist, java };
}
