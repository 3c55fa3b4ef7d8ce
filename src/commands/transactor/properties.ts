import type { Ctx } from '../../cli/context.js';
import { renderTransactorProperties, writeTransactorProperties } from '../../core/datomic/properties.js';
import { transactorPaths } from '../../core/datomic/pidfile.js';
import { printJson } from '../../render/output.js';
import { generatedPropertiesOptions } from '../shared/transactor.js';
import path from 'node:path';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const opts = generatedPropertiesOptions(ctx);
  const out = ctx.flags.out as string | undefined;
  if (out === '-') {
    const r = renderTransactorProperties(opts);
    if (io.json) printJson(io, { file: null, properties: r.properties });
    else io.out(r.text);
    return 0;
  }
  const file = out ? path.resolve(io.cwd, out) : transactorPaths(cfg.stateDir).propertiesFile;
  const r = await writeTransactorProperties(file, opts);
  if (io.json) printJson(io, { file: r.file, properties: r.properties });
  else {
    io.out(`${io.chalk.green('✔')} wrote ${r.file} (mode 0600: it holds the storage password)\n`);
    io.out(io.chalk.dim(`Run it with: ${io.cmd} transactor start --properties ${JSON.stringify(r.file)}  (or bin/transactor ${JSON.stringify(r.file)})\n`));
  }
  return 0;
}
