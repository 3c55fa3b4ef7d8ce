/**
 * `dtx db rename OLD NEW` through the built CLI with the fake distribution: d/rename-database goes
 * through the live transactor (the fake peer and transactor speak the admin protocol), the db-id
 * stays, and each way it can fail is refused before any peer starts: an unknown OLD (did you mean),
 * a NEW that is taken or invalid, the same name, and no live transactor.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import { dtx, errOf, ROOT, tempStateDir, type CliResult } from '../helpers/cli.js';
import { freshStorage } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';

const home = path.join(ROOT, 'test', 'fixtures', 'fake-datomic');
let st: string[] = [];
let db: string[] = [];
let tx: string[] = [];
let password = '';
const outputs: string[] = [];

async function run(args: string[]): Promise<CliResult> {
  const r = await dtx(args);
  outputs.push(r.stdout, r.stderr);
  return r;
}

beforeAll(async () => {
  const s = await freshStorage('ren');
  password = s.password;
  const state = tempStateDir('dtx-rename-');
  st = ['--state-dir', state, '--pg-url', s.url];
  db = [...st, '--datomic-home', home];
  tx = [...db, '--port', String(await freePort()), '--ping-port', String(await freePort()), '--heartbeat-interval-msec', '1000'];
  const start = await run(['transactor', 'start', ...tx]);
  if (start.code !== 0) throw new Error(start.stderr);
  for (const n of ['orders', 'customers']) {
    const c = await run(['db', 'create', n, ...db]);
    if (c.code !== 0) throw new Error(c.stderr);
  }
}, 120_000);

afterAll(async () => {
  await dtx(['transactor', 'stop', ...st, '--timeout', '5']);
});

describe('db rename', () => {
  it('renames through the transactor; the db-id stays; --json', async () => {
    const before = (await run(['--json', 'db', 'list', ...db])).json() as { databases: { name: string; dbId: string }[] };
    const id = before.databases.find((d) => d.name === 'orders')?.dbId;
    const r = await run(['--json', 'db', 'rename', 'orders', 'orders-2024', ...db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ oldName: 'orders', name: 'orders-2024', dbId: id, renamed: true });
    expect((r.json() as { uri: string }).uri).toMatch(/^datomic:sql:\/\/orders-2024\?jdbc:postgresql:.*password=\*\*\*$/);
    const after = (await run(['--json', 'db', 'list', ...db])).json() as { databases: { name: string; dbId: string }[] };
    expect(after.databases.map((d) => [d.name, d.dbId])).toEqual([
      ['customers', before.databases.find((d) => d.name === 'customers')?.dbId],
      ['orders-2024', id],
    ]);
    const human = await run(['db', 'rename', 'orders-2024', 'orders', ...db]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('renamed database orders-2024 to orders');
    expect(human.stdout).toContain(`${id} (unchanged)`);
  });

  it('refuses an unknown OLD (did you mean), a taken or invalid NEW, the same name', async () => {
    const unknown = await run(['--json', 'db', 'rename', 'ordres', 'x', ...db]);
    expect([unknown.code, errOf(unknown).code]).toEqual([3, 'DB_NOT_FOUND']);
    expect(errOf(unknown).hint).toContain('Did you mean "orders"');
    const taken = await run(['--json', 'db', 'rename', 'orders', 'customers', ...db]);
    expect([taken.code, errOf(taken).code]).toEqual([2, 'DB_EXISTS']);
    const invalid = await run(['--json', 'db', 'rename', 'orders', 'a/b', ...db]);
    expect([invalid.code, errOf(invalid).code]).toEqual([2, 'DB_NAME_INVALID']);
    const same = await run(['--json', 'db', 'rename', 'orders', 'orders', ...db]);
    expect([same.code, errOf(same).code]).toEqual([2, 'DB_RENAME_SAME']);
    const human = await run(['db', 'rename', 'ordres', 'x', ...db]);
    expect(human.stderr).toMatch(/^error: database "ordres" does not exist\nhint: Did you mean "orders"\?/m);
  });

  it('needs a live transactor', async () => {
    const stop = await run(['transactor', 'stop', ...st, '--timeout', '5']);
    expect(stop.code, stop.stderr).toBe(0);
    const r = await run(['--json', 'db', 'rename', 'orders', 'orders-x', ...db]);
    expect([r.code, errOf(r).code]).toEqual([1, 'TRANSACTOR_NOT_RUNNING']);
    expect(errOf(r).hint).toContain('dtx transactor start');
    for (const o of outputs) expect(o).not.toContain(password);
  });
});
