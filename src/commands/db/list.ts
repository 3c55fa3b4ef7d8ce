import type { Ctx } from '../../cli/context.js';
import { readCatalog } from '../../core/storage/catalog.js';
import { hasRootRows } from '../../core/storage/dbrows.js';
import { printJson, renderTable } from '../../render/output.js';
import { withStorage } from '../shared/storage.js';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const view = await withStorage(ctx, async (c) => {
    const cat = await readCatalog(c);
    const databases = [];
    for (const d of cat.databases) databases.push({ ...d, rootRows: await hasRootRows(c, d.dbId) });
    return { cat, databases };
  });
  if (io.json) {
    printJson(io, {
      databases: view.databases.map((d) => ({ name: d.name, dbId: d.dbId, rootRows: d.rootRows })),
      deleted: view.cat.deleted.map((dbId) => ({ dbId })),
      catalogRev: view.cat.rev,
    });
    return 0;
  }
  const c = io.chalk;
  if (view.databases.length === 0) {
    io.out(`no databases${view.cat.rev === null ? ' (no catalog yet)' : ''}\n`);
    io.out(c.dim('Create one with: dtx db create <name>\n'));
  } else {
    io.out(await renderTable(io, ['name', 'db-id', 'root rows'], view.databases.map((d) => [d.name, d.dbId, d.rootRows ? c.green('present') : c.yellow('missing')])));
  }
  if (view.cat.deleted.length) {
    io.out(`\n${c.bold('deleted, awaiting gc')} ${c.dim('(dtx db gc reclaims them)')}\n`);
    io.out(await renderTable(io, ['db-id'], view.cat.deleted.map((d) => [d])));
  }
  return 0;
}
