import type { Ctx } from '../cli/context.js';
import { CONFIG_KEYS, type ConfigKey } from '../core/config.js';
import { printJson, renderTable } from '../render/output.js';
import { datomicHomeChoice } from './shared/datomic.js';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const rows: { key: string; value: unknown; source: string }[] = [];
  for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
    const value = (cfg as unknown as Record<string, unknown>)[key];
    rows.push({ key, value: value ?? null, source: cfg.sources[key] ?? (key === 'adminUrl' ? 'default' : '-') });
  }
  // datomicHome as commands pick it: the last transactor start of this state dir beats the
  // installed default (`dtx datomic install`), which shows as source "installed".
  const choice = await datomicHomeChoice(ctx);
  const dh = rows.find((r) => r.key === 'datomicHome');
  if (dh && choice) {
    dh.value = choice.home;
    dh.source = choice.source;
  }
  if (io.json) {
    printJson(io, {
      configFile: cfg.configFile ?? null,
      dtxHome: ctx.dtxHome(),
      userSettingsFile: cfg.userSettingsFile ?? null,
      values: Object.fromEntries(rows.map((r) => [r.key, { value: r.value, source: r.source }])),
    });
    return 0;
  }
  io.out(renderTable(io, ['key', 'value', 'source'], rows.map((r) => [r.key, r.value === null ? '-' : String(r.value), r.source])));
  if (cfg.configFile) io.err(`${io.chalk.dim(`config file: ${cfg.configFile}`)}\n`);
  return 0;
}
