import type { Ctx } from '../../cli/context.js';
import { readCatalog, type Catalog } from '../../core/storage/catalog.js';
import { hasRootRows } from '../../core/storage/dbrows.js';
import { computeFootprints, type DbFootprint } from '../../core/storage/walk/footprint.js';
import type { WalkProblem } from '../../core/storage/walk/walk.js';
import { printJson, renderTable } from '../../render/output.js';
import { formatBytes, formatCount } from '../../render/units.js';
import { withStorage } from '../shared/storage.js';
import { failOnUnreadable, walkProgress } from '../shared/walk.js';

const UNREADABLE = {
  scope: 'the trees',
  consequence: "their databases' sizes leave them out",
  hint: 'Run `dtx storage report` for the whole picture; a missing or corrupt segment means the database cannot be read whole by Datomic either.',
};

interface ListView {
  cat: Catalog;
  databases: { name: string; dbId: string; rootRows: boolean }[];
  sizes: Map<string, DbFootprint> | null;
  unreadable: WalkProblem[];
}

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const size = Boolean(ctx.flags.size);
  const view = await withStorage(
    ctx,
    async (c): Promise<ListView> => {
      if (!size) {
        // point lookups only: as fast with a million rows as with a thousand
        const cat = await readCatalog(c);
        const databases = [];
        for (const d of cat.databases) databases.push({ ...d, rootRows: await hasRootRows(c, d.dbId) });
        return { cat, databases, sizes: null, unreadable: [] };
      }
      const progress = walkProgress(io, 'measuring');
      const fp = await computeFootprints(c, { signal: ctx.signal, onProgress: progress.onProgress }).finally(() => progress.stop());
      const sizes = new Map(fp.footprints.map((f) => [f.dbId, f]));
      const databases = fp.catalog.databases.map((d) => ({ ...d, rootRows: (sizes.get(d.dbId)?.byKind.root.rows ?? 0) > 0 }));
      return { cat: fp.catalog, databases, sizes, unreadable: fp.unreadable };
    },
    { verifyTable: size ? 'first' : 'on-failure' },
  );
  const sz = (dbId: string) => {
    const f = view.sizes?.get(dbId);
    return f ? { rows: f.rows, bytes: f.bytes } : {};
  };
  if (io.json) {
    printJson(io, {
      databases: view.databases.map((d) => ({ name: d.name, dbId: d.dbId, rootRows: d.rootRows, ...sz(d.dbId) })),
      deleted: view.cat.deleted.map((dbId) => ({ dbId, ...sz(dbId) })),
      catalogRev: view.cat.rev,
      ...(size ? { unreadable: view.unreadable } : {}),
    });
    return failOnUnreadable(io, view.unreadable, UNREADABLE);
  }
  const c = io.chalk;
  const sizeCols = (dbId: string): string[] => {
    const f = view.sizes?.get(dbId);
    return f ? [formatCount(f.rows), formatBytes(f.bytes)] : [];
  };
  const sizeHead = size ? ['rows', 'bytes'] : [];
  const head = ['name', 'db-id', 'root rows', ...sizeHead];
  const rows = view.databases.map((d) => [d.name, d.dbId, d.rootRows ? c.green('present') : c.yellow('missing'), ...sizeCols(d.dbId)]);
  if (!io.stdoutIsTTY) {
    // Piped: one tab-separated row per database (name, db-id, root rows[, rows, bytes]), then one
    // per deleted db-id with an empty name and "deleted"; no header (see README "Output").
    io.out(renderTable(io, head, [...rows, ...view.cat.deleted.map((d) => ['', d, 'deleted', ...sizeCols(d)])]));
  } else if (rows.length) {
    io.out(renderTable(io, head, rows));
  }
  if (view.databases.length === 0) {
    // Not data: on stderr, so a pipe gets nothing.
    io.err(`no databases${view.cat.rev === null ? ' (no catalog yet)' : ''}\n`);
    io.err(c.dim(`Create one with: ${io.cmd} db create <name>\n`));
  }
  if (view.cat.deleted.length && io.stdoutIsTTY) {
    io.out(`\n${c.bold('deleted, awaiting gc')} ${c.dim(`(${io.cmd} db gc or ${io.cmd} db purge reclaims them)`)}\n`);
    io.out(renderTable(io, ['db-id', ...sizeHead], view.cat.deleted.map((d) => [d, ...sizeCols(d)])));
  }
  return failOnUnreadable(io, view.unreadable, UNREADABLE);
}
