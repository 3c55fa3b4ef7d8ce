import type { Ctx } from '../../cli/context.js';
import { datomicUri } from '../../core/datomic/uri.js';
import { databaseNotFound, readCatalog } from '../../core/storage/catalog.js';
import { readDbRootRows } from '../../core/storage/dbrows.js';
import { printJson, keyValues, renderTable } from '../../render/output.js';
import { withStorage } from '../shared/storage.js';

export async function run(ctx: Ctx, name: string): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const view = await withStorage(ctx, async (c) => {
    const cat = await readCatalog(c);
    const entry = cat.databases.find((d) => d.name === name);
    // A db-id from the deleted set can be inspected too.
    const deletedId = entry ? undefined : cat.deleted.find((d) => d === name);
    if (!entry && !deletedId) {
      throw databaseNotFound(name, cat);
    }
    const dbId = entry?.dbId ?? (deletedId as string);
    const rows = await readDbRootRows(c, dbId);
    return { cat, entry, dbId, rows };
  });
  const status = view.entry ? 'active' : 'deleted';
  const uri = view.entry ? datomicUri(view.entry.name, cfg.pg) : null;
  if (io.json) {
    printJson(io, {
      name: view.entry?.name ?? null,
      dbId: view.dbId,
      status,
      uri,
      catalogRev: view.cat.rev,
      rows: view.rows.map((r) => ({ id: r.id, rev: r.rev, bytes: r.bytes, map: r.mapText })),
    });
    return 0;
  }
  const c = io.chalk;
  io.out(
    keyValues(io, [
      ['name', view.entry?.name ?? c.dim('(none: deleted)')],
      ['db-id', view.dbId],
      ['status', status === 'active' ? c.green('active') : c.yellow('deleted, awaiting gc')],
      ['uri', uri ?? '-'],
      ['catalog rev', view.cat.rev],
    ]),
  );
  io.out('\n');
  if (view.rows.length === 0) io.out(c.yellow('no root rows found for this db-id\n'));
  else io.out(renderTable(io, ['row', 'rev', 'bytes', 'map'], view.rows.map((r) => [r.id, r.rev ?? '-', r.bytes, r.mapText])));
  return 0;
}
