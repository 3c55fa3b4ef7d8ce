import type { Ctx } from '../../cli/context.js';
import { listInstalled } from '../../core/datomic/install.js';
import { printJson, renderTable } from '../../render/output.js';
import { datomicHomeChoice, describeHomeSource, type DatomicHomeSource } from '../shared/datomic.js';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const list = await listInstalled(ctx.dtxHome());
  // What a command run here would use, and why (flag, env, config file, last start, installed default).
  let inUse: { home: string; source: DatomicHomeSource } | null = null;
  try {
    inUse = (await datomicHomeChoice(ctx)) ?? null;
  } catch (e) {
    io.debug(`cannot tell which installation is in use: ${(e as Error).message}`);
  }
  if (io.json) {
    printJson(io, {
      root: list.root,
      settingsFile: list.settingsFile,
      default: list.defaultHome,
      inUse,
      installed: list.installed.map((d) => ({ version: d.version, home: d.home, default: d.isDefault, valid: d.valid, problem: d.problem })),
    });
    return 0;
  }
  const c = io.chalk;
  if (list.installed.length === 0) {
    io.out(`no Datomic Pro installed in ${list.root}\n`);
  } else {
    io.out(
      renderTable(
        io,
        ['version', 'default', 'home', 'state'],
        list.installed.map((d) => [d.version, d.isDefault ? c.green('*') : '', d.home, d.valid ? c.green('ok') : c.red(d.problem ?? 'broken')]),
      ),
    );
  }
  if (list.defaultHome && !list.installed.some((d) => d.isDefault)) io.out(`default: ${list.defaultHome}\n`);
  if (inUse && inUse.source !== 'installed') io.out(c.dim(`in use here: ${inUse.home} (from ${describeHomeSource(inUse.source)})\n`));
  if (list.installed.length === 0) io.out(c.dim(`Install one with: ${io.cmd} datomic install\n`));
  return 0;
}
