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
  }, { verifyTable: 'on-failure' });
  if (io.json) {
    printJson(io, {
      databases: view.databases.map((d) => ({ name: d.name, dbId: d.dbId, rootRows: d.rootRows })),
      deleted: view.cat.deleted.map((dbId) => ({ dbId })),
      catalogRev: view.cat.rev,
    });
    return 0;
  }
  const c = io.chalk;
  const rows = view.databases.map((d) => [d.name, d.dbId, d.rootRows ? c.green('present') : c.yellow('missing')]);
  if (!io.stdoutIsTTY) {
    // Piped: one tab-separated row per database (name, db-id, root rows), then one per deleted
    // db-id with an empty name and "deleted"; no header (see README "Output").
    io.out(renderTable(io, ['name', 'db-id', 'root rows'], [...rows, ...view.cat.deleted.map((d) => ['', d, 'deleted'])]));
  } else if (rows.length) {
    io.out(renderTable(io, ['name', 'db-id', 'root rows'], rows));
  }
  if (view.databases.length === 0) {
    // Not data: on stderr, so a pipe gets nothing.
    io.err(`no databases${view.cat.rev === null ? ' (no catalog yet)' : ''}\n`);
    io.err(c.dim('Create one with: dtx db create <name>\n'));
  }
  if (view.cat.deleted.length && io.stdoutIsTTY) {
    io.out(`\n${c.bold('deleted, awaiting gc')} ${c.dim('(dtx db gc reclaims them)')}\n`);
    io.out(renderTable(io, ['db-id'], view.cat.deleted.map((d) => [d])));
  }
  return 0;
}
