/**
 * A state dir dtx cannot use (a file, or a folder it may not write) is a usage error (exit 2) that
 * names the state dir, says what is wrong and how to fix it: never "This is a bug in dtx".
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, ROOT, dtx, tempStateDir, type CliResult } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';

const HOME = path.join(ROOT, 'test/fixtures/fake-datomic');

/** Root writes anywhere, so the read-only case runs dtx as nobody, which needs to read the clone. */
const NOBODY = { uid: 65534, gid: 65534 };
const asRoot = process.getuid?.() === 0;
const nobodyCanRun = !asRoot || spawnSync(process.execPath, [BIN, '--version'], { ...NOBODY, cwd: '/' }).status === 0;
if (!nobodyCanRun) console.warn('[state-dir.test] read-only case skipped: running as root, and nobody cannot read this clone (e.g. it lies in a 0700 folder)');

function expectStateDirError(r: CliResult, stateDir: string, what: RegExp) {
  expect(r.stderr).not.toContain('bug in dtx');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code, r.stderr).toBe(2);
  const [error = '', hint = ''] = r.stderr.split('\n').filter((l) => /^(error|hint):/.test(l));
  expect(error).toContain(stateDir);
  expect(error).toMatch(what);
  expect(hint).toMatch(/^hint: .*--state-dir/);
}

async function commands(stateDir: string): Promise<string[][]> {
  const pgUrl = `postgresql://datomic:datomic@localhost:${await freePort()}/datomic`;
  const common = ['--state-dir', stateDir, '--pg-url', pgUrl];
  return [
    ['transactor', 'properties', ...common],
    ['transactor', 'start', ...common, '--datomic-home', HOME],
    ['postgres', 'start', ...common],
  ];
}

describe('a state dir dtx cannot use', () => {
  it('is a file: exit 2, "is a file, not a folder"', async () => {
    const file = path.join(tempStateDir(), 'state-file');
    writeFileSync(file, 'not a folder\n');
    for (const args of await commands(file)) expectStateDirError(await dtx(args), file, /is a file, not a folder/);
  });

  it('lies inside a file: exit 2', async () => {
    const file = path.join(tempStateDir(), 'a-file');
    writeFileSync(file, 'x');
    const inside = path.join(file, '.dtx');
    for (const args of await commands(inside)) expectStateDirError(await dtx(args), inside, /not a folder/);
  });

  it('holds a file where dtx keeps a folder: exit 2', async () => {
    const dir = tempStateDir();
    writeFileSync(path.join(dir, 'transactor'), 'x');
    const [props = []] = await commands(dir);
    expectStateDirError(await dtx(props), dir, /transactor.* is a file, not a folder/);
  });

  it.skipIf(process.platform === 'win32' || !nobodyCanRun)('is read-only: exit 2, "cannot write"', async () => {
    const parent = tempStateDir();
    const ro = path.join(parent, 'read-only');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    const asUser = asRoot ? NOBODY : {};
    for (const dir of [ro, path.join(ro, '.dtx')]) {
      for (const args of await commands(dir)) expectStateDirError(await dtx(args, asUser), dir, /cannot write|permission denied/);
    }
  });
});
