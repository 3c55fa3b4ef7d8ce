import type { Ctx } from '../../cli/context.js';
import { datomicUri } from '../../core/datomic/uri.js';
import { databaseNotFound, readCatalog, type Catalog } from '../../core/storage/catalog.js';
import { readDbRootRows } from '../../core/storage/dbrows.js';
import { computeFootprints } from '../../core/storage/walk/footprint.js';
import { ROW_KINDS } from '../../core/storage/walk/ids.js';
import { printJson, keyValues, renderTable } from '../../render/output.js';
import { formatBytes, formatCount } from '../../render/units.js';
import { withStorage } from '../shared/storage.js';
import { failOnUnreadable, walkProgress } from '../shared/walk.js';

export async function run(ctx: Ctx, name: string): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const progress = walkProgress(io, 'measuring');
  const view = await withStorage(ctx, async (c) => {
    const find = (cat: Catalog) => {
      const entry = cat.databases.find((d) => d.name === name);
      // A db-id from the deleted set can be inspected too.
      const deletedId = entry ? undefined : cat.deleted.find((d) => d === name);
      if (!entry && !deletedId) throw databaseNotFound(name, cat);
      return { entry, dbId: entry?.dbId ?? (deletedId as string) };
    };
    find(await readCatalog(c)); // unknown names fail before the walk
    const fp = await computeFootprints(c, { signal: ctx.signal, onProgress: progress.onProgress }).finally(() => progress.stop());
    const cat = fp.catalog;
    const { entry, dbId } = find(cat);
    const rows = await readDbRootRows(c, dbId);
    const footprint = fp.footprints.find((f) => f.dbId === dbId)!;
    const unreadable = fp.unreadable.filter((u) => u.dbId === dbId);
    return { cat, entry, dbId, rows, footprint, unreadable, stats: fp.stats };
  });
  const status = view.entry ? 'active' : 'deleted';
  const uri = view.entry ? datomicUri(view.entry.name, cfg.pg) : null;
  const f = view.footprint;
  const storage = { rows: f.rows, bytes: f.bytes, byKind: f.byKind, shared: f.shared };
  if (io.json) {
    printJson(io, {
      name: view.entry?.name ?? null,
      dbId: view.dbId,
      status,
      uri,
      catalogRev: view.cat.rev,
      rows: view.rows.map((r) => ({ id: r.id, rev: r.rev, bytes: r.bytes, map: r.mapText })),
      storage,
      unreadable: view.unreadable,
      walk: view.stats,
    });
  } else {
    const c = io.chalk;
    io.out(
      keyValues(io, [
        ['name', view.entry?.name ?? c.dim('(none: deleted)')],
        ['db-id', view.dbId],
        ['status', status === 'active' ? c.green('active') : c.yellow('deleted, awaiting gc')],
        ['uri', uri ?? '-'],
        ['catalog rev', view.cat.rev],
        ['footprint', `${formatCount(f.rows)} rows, ${formatBytes(f.bytes)}${f.shared ? c.yellow(`, ${formatCount(f.shared)} shared with other databases`) : ''}`],
      ]),
    );
    io.out('\n');
    if (view.rows.length === 0) io.out(c.yellow('no root rows found for this db-id\n'));
    else io.out(renderTable(io, ['root row', 'rev', 'map'], view.rows.map((r) => [r.id, r.rev ?? '-', r.mapText])));
    io.out('\n');
    io.out(
      renderTable(
        io,
        ['kind', 'rows', 'bytes'],
        [...ROW_KINDS.map((k) => [k, formatCount(f.byKind[k].rows), formatBytes(f.byKind[k].bytes)]), ['total', formatCount(f.rows), formatBytes(f.bytes)]],
      ),
    );
  }
  return failOnUnreadable(io, view.unreadable, {
    scope: "this database's trees",
    consequence: 'the footprint above leaves them out',
    hint: 'Run `dtx storage report` for the whole picture; a missing or corrupt segment means the database cannot be read whole by Datomic either.',
  });
}
