/**
 * `dtx storage report`, `db inspect` and `db list --size` through the CLI on storage written by real
 * Datomic code, whole and damaged: a segment that does not gunzip, an unknown Fressian code, a
 * missing child row and a :prev cycle are each named with their row under "unreadable", the walk
 * goes on with the rest, and the command exits 1 without a stack trace.
 */
import { describe, it, expect } from 'vitest';
import { gzipSync } from 'node:zlib';
import { dtx, tempStateDir } from '../helpers/cli.js';
import { withStorage } from '../helpers/real-peer.js';
import { loadedRealStorage, noRealStorage, rowsAtLevel } from '../helpers/real-storage-copy.js';

const skip = noRealStorage('storage-report.test');

interface Report {
  rows: number;
  bytes: number;
  groups: { kind: string; name: string | null; dbId: string | null; rows: number; bytes: number; oldest: string | null }[];
  unreadable: { dbId: string; id: string; problem: string }[];
  table: { totalBytes: number };
}

describe.skipIf(skip)('storage report on real storage', () => {
  it('whole storage: every row in exactly one group, JSON shape, human table; inspect and list --size agree', async () => {
    const { url, m } = await loadedRealStorage('rep');
    const a = ['--pg-url', url, '--state-dir', tempStateDir()];
    const r = await dtx(['--json', 'storage', 'report', ...a]);
    expect(r.code, r.stderr).toBe(0);
    const rep = r.json() as Report;
    expect(rep.rows).toBe(m.rows);
    expect(rep.groups.reduce((s, g) => s + g.rows, 0)).toBe(rep.rows);
    expect(rep.unreadable).toEqual([]);
    expect(rep.groups.map((g) => g.kind)).toEqual(expect.arrayContaining(['database', 'deleted', 'catalog', 'unreferenced']));
    for (const g of rep.groups) expect(Object.keys(g)).toEqual(expect.arrayContaining(['kind', 'name', 'dbId', 'rows', 'bytes', 'oldest']));
    const human = await dtx(['storage', 'report', ...a]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/database alpha/);
    expect(human.stdout).toMatch(/pending garbage of alpha/);
    expect(human.stdout).toMatch(/pg_total_relation_size/);
    const ins = await dtx(['--json', 'db', 'inspect', 'alpha', ...a]);
    expect(ins.code).toBe(0);
    const storage = (ins.json() as { storage: { rows: number; bytes: number; byKind: Record<string, { rows: number }>; shared: number } }).storage;
    const alphaGroup = rep.groups.find((g) => g.name === 'alpha')!;
    expect(storage.rows).toBe(alphaGroup.rows);
    expect(storage.bytes).toBe(alphaGroup.bytes);
    expect(Object.keys(storage.byKind)).toEqual(['root', 'logTail', 'index', 'log', 'gc', 'fulltext']);
    expect(storage.shared).toBe(0);
    const list = await dtx(['--json', 'db', 'list', '--size', ...a]);
    expect(list.code).toBe(0);
    const lj = list.json() as { databases: { name: string; rows: number; bytes: number }[]; deleted: { dbId: string; rows: number }[] };
    expect(lj.databases.find((d) => d.name === 'alpha')).toMatchObject({ rows: storage.rows, bytes: storage.bytes });
    expect(lj.deleted[0]!.rows).toBe(rep.groups.find((g) => g.kind === 'deleted')!.rows);
    const plain = await dtx(['--json', 'db', 'list', ...a]);
    expect((plain.json() as { databases: Record<string, unknown>[] }).databases[0]).not.toHaveProperty('rows');
  }, 120_000);

  it('damaged storage: each bad row is named under unreadable, the rest is still reported, exit 1 without a stack trace', async () => {
    const { url, m } = await loadedRealStorage('bad');
    const a = ['--pg-url', url, '--state-dir', tempStateDir()];
    const notGzip = (await rowsAtLevel(url, m.databases.alpha.dbId, 'index', 1))[0]!;
    const unknownCode = (await rowsAtLevel(url, m.databases.beta.dbId, 'index', 2))[0]!;
    const missing = (await rowsAtLevel(url, m.databases.restored.dbId, 'log', 0))[0]!;
    const tail = (await rowsAtLevel(url, m.databases.empty.dbId, 'logTail', 4))[0]!;
    await withStorage(url, async (c) => {
      await c.query('update datomic_kvs set val = $2 where id = $1', [notGzip, Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5])]);
      await c.query('update datomic_kvs set val = $2 where id = $1', [unknownCode, gzipSync(Buffer.from([0xf4, 0x00]))]);
      await c.query('delete from datomic_kvs where id = $1', [missing]);
      await c.query('update datomic_kvs set map = $2 where id = $1', [tail, `{:prev "${tail}"}`]);
    });

    const r = await dtx(['--json', 'storage', 'report', ...a]);
    expect(r.code).toBe(1);
    const rep = r.json() as Report;
    const by = (id: string | undefined) => rep.unreadable.find((u) => u.id === id);
    expect(by(notGzip)?.problem).toMatch(/does not decode.*gunzip/);
    expect(by(notGzip)?.dbId).toBe(m.databases.alpha.dbId);
    expect(by(unknownCode)?.problem).toMatch(/does not decode/);
    expect(by(unknownCode)?.dbId).toBe(m.databases.beta.dbId);
    expect(rep.unreadable.find((u) => u.dbId === m.databases.restored.dbId)?.problem).toMatch(/missing/);
    expect(by(tail)?.problem).toMatch(/loops/);
    // the rest is still counted: every row in exactly one group
    expect(rep.groups.reduce((s, g) => s + g.rows, 0)).toBe(rep.rows);
    const human = await dtx(['storage', 'report', ...a]);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain(`unreadable: ${m.databases.alpha.dbId}: ${notGzip}`);
    expect(human.stderr).toMatch(/error: 4 parts of the trees could not be read/);
    expect(human.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const ins = await dtx(['db', 'inspect', 'alpha', ...a]);
    expect(ins.code).toBe(1);
    expect(ins.stderr).toContain(notGzip);
    const list = await dtx(['db', 'list', '--size', ...a]);
    expect(list.code).toBe(1);
    // a sweep refuses to delete anything while a tree is unreadable
    const sweep = await dtx(['--json', 'storage', 'gc', '--older-than', '0', '--yes', ...a]);
    expect(sweep.code).toBe(1);
    expect(sweep.json()).toMatchObject({ ok: false, error: { code: 'SWEEP_UNSAFE' } });
  }, 120_000);
});
