/**
 * `dtx doctor` and `dtx db check` through the built binary, against the real test PostgreSQL and
 * the fake distribution (installed in a path with spaces) whose transactor writes real heartbeats
 * and whose peer answers the `check` op (test/fixtures/fake-datomic/README.md). One transactor for
 * the whole file; it is stopped at the end to see what both commands say without one.
 */
import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dtx, ok, tempStateDir } from '../helpers/cli.js';
import { adminUrl, uniqueName } from '../helpers/pg.js';
import { freePorts } from '../helpers/ports.js';
import { installFakeDatomic } from '../fixtures/fake-datomic/install.mjs';
import { PEER_SCRIPT } from '../../src/core/datomic/peer.js';

const password = 'Doctor-pw-4711';
let home = '';
let pgUrl = '';
let common: string[] = []; // transactor and doctor: storage, distribution, ports
let dbArgs: string[] = []; // db commands: storage and distribution
let port = 0;

interface Check {
  name: string;
  status: string;
  detail: string;
  fix: string | null;
  skipped?: boolean;
}

beforeAll(async () => {
  home = await installFakeDatomic(path.join(mkdtempSync(path.join(tmpdir(), 'dtx-doc-')), 'Datomic Pro 1.0.7469'));
  const state = path.join(tempStateDir('dtx doc state '), 'state');
  pgUrl = `postgresql://${uniqueName('docrole')}:${password}@127.0.0.1:${inject('pgPort')}/${uniqueName('docdb')}`;
  let pingPort: number;
  [port, pingPort] = (await freePorts(2)) as [number, number];
  dbArgs = ['--state-dir', state, '--pg-url', pgUrl, '--datomic-home', home];
  common = [...dbArgs, '--port', String(port), '--ping-port', String(pingPort), '--heartbeat-interval-msec', '1000'];
  await ok(dtx(['init-postgres', '--pg-url', pgUrl, '--admin-url', adminUrl(), '--state-dir', state]));
  await ok(dtx(['transactor', 'start', ...common]));
  await ok(dtx(['db', 'create', 'app', ...dbArgs]));
});

afterAll(async () => {
  await dtx(['transactor', 'stop', '--timeout', '5', ...common]);
});

const catalogNames = async () => {
  const j = (await ok(dtx(['--json', 'db', 'list', ...dbArgs]))).json() as { databases: { name: string }[]; deleted: { dbId: string }[] };
  return { names: j.databases.map((d) => d.name), deleted: j.deleted.map((d) => d.dbId) };
};

describe('dtx doctor with a running transactor', () => {
  it('every check passes: human lines with a mark each, a summary, exit 0; the password appears nowhere', async () => {
    const r = await ok(dtx(['doctor', ...common, '--admin-url', adminUrl()]));
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => /^✔ /.test(l))).toHaveLength(16);
    expect(r.stdout).toMatch(/\n16 passed \(\d+\.\d s\)\n$/);
    expect(r.stdout).toMatch(/✔ heartbeat +a live transactor is active at localhost:\d+, version 1\.0\.7469/);
    expect(r.stdout).toMatch(/✔ transactor-port +the transactor's port localhost:\d+ is held by the transactor this state dir started \(pid \d+\)/);
    expect(r.stdout).toMatch(/✔ clock-skew +the transactor's clock \(localhost\) is \d+ ms (ahead of|behind) this machine's/);
    expect(r.stdout + r.stderr).not.toContain(password);
  });

  it('--json: {ok, checks: [{name, status, detail, fix}]}; --no-storage skips the walk', async () => {
    const r = await ok(dtx(['--json', 'doctor', '--no-storage', ...common, '--admin-url', adminUrl()]));
    const j = r.json() as { ok: boolean; checks: Check[] };
    expect(j.ok).toBe(true);
    expect(j.checks).toHaveLength(16);
    for (const c of j.checks) expect(Object.keys(c).slice(0, 4)).toEqual(['name', 'status', 'detail', 'fix']);
    expect(j.checks.find((c) => c.name === 'storage')).toEqual({ name: 'storage', status: 'warn', detail: 'skipped: turned off with --no-storage', fix: '`dtx storage report` explains every row of datomic_kvs.', skipped: true });
    expect(r.stdout + r.stderr).not.toContain(password);
  });

  it('a wrong password: exit 1, postgres-role fails with its fix, dependents skipped, no password printed', async () => {
    const wrong = pgUrl.replace(password, 'Nope-pw-0815');
    const human = await dtx(['doctor', ...common, '--pg-url', wrong]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/✖ postgres-role +PostgreSQL rejected the login of role/);
    expect(human.stdout).toMatch(/fix: The password in --pg-url/);
    expect(human.stdout).toMatch(/- kvs-table +skipped: no connection to the storage database/);
    const r = await dtx(['--json', 'doctor', ...common, '--pg-url', wrong]);
    expect(r.code).toBe(1);
    const j = r.json() as { ok: boolean; checks: Check[] };
    expect(j.ok).toBe(false);
    expect(j.checks.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual(['postgres-role']);
    for (const out of [human, r]) expect(out.stdout + out.stderr).not.toMatch(/Nope-pw-0815|Doctor-pw-4711/);
  });
});

describe('dtx db check', () => {
  it('read-only: connect, sync, query, timed; basis-t 66 (a new database); the catalog is unchanged', async () => {
    const before = await catalogNames();
    const r = await ok(dtx(['--json', 'db', 'check', 'app', ...dbArgs]));
    const j = r.json() as { ok: boolean; basisT: number; idents: number; timings: Record<string, number>; write: unknown; uri: string };
    expect(j).toMatchObject({ ok: true, basisT: 66, idents: 63, write: null });
    expect(Object.keys(j.timings)).toEqual(['connectMs', 'syncMs', 'queryMs', 'jvmMs', 'totalMs']);
    expect(j.uri).toContain('password=***');
    expect(await catalogNames()).toEqual(before);
    const human = await ok(dtx(['db', 'check', 'app', ...dbArgs]));
    expect(human.stdout).toMatch(/✔ app: connected, basis-t 66, 63 idents \(read-only\)/);
    expect(human.stdout).toMatch(/d\/sync \(basis-t from the transactor\)/);
    expect(human.stdout + human.stderr).not.toContain(password);
  });

  it('--write: the probe runs in a scratch database that is deleted afterwards (its id goes to the deleted list)', async () => {
    const r = await ok(dtx(['--json', 'db', 'check', 'app', '--write', ...dbArgs]));
    const j = r.json() as { write: { t: number; scratch: { name: string; created: boolean; deleted: boolean } }; timings: Record<string, number> };
    expect(j.write.t).toBe(1003);
    expect(j.write.scratch).toMatchObject({ created: true, deleted: true });
    expect(j.write.scratch.name).toMatch(/^dtx-check-[0-9a-f-]{36}$/);
    for (const k of ['createMs', 'schemaMs', 'transactMs', 'retractMs', 'deleteMs']) expect(typeof j.timings[k], k).toBe('number');
    const cat = await catalogNames();
    expect(cat.names).toEqual(['app']);
    expect(cat.deleted.some((id) => id.startsWith(`${j.write.scratch.name}-`))).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(password);
  });

  it('--write failing midway (a transact step): exit 1 naming the step; the scratch database is still deleted', async () => {
    const r = await dtx(['--json', 'db', 'check', 'app', '--write', ...dbArgs], { env: { FAKE_DATOMIC_CHECK_FAIL: 'transact' } });
    expect(r.code).toBe(1);
    const j = r.json() as { ok: boolean; error: { code: string; message: string; details: { step: string; scratch: { deleted: boolean; name: string } } } };
    expect(j.ok).toBe(false);
    expect(j.error.message).toMatch(/the connectivity check failed at step transact: injected failure/);
    expect(j.error.details).toMatchObject({ step: 'transact', scratch: { created: true, deleted: true } });
    expect((await catalogNames()).names).toEqual(['app']);
  });

  it('--write when the peer dies after creating the scratch database (SIGKILL): dtx finds it and deletes it', async () => {
    const r = await dtx(['--json', 'db', 'check', 'app', '--write', ...dbArgs], { env: { FAKE_DATOMIC_CHECK_FAIL: 'crash' } });
    expect(r.code).toBe(1);
    const j = r.json() as { error: { code: string; details: { scratch: { deleted: boolean; cleanedUp: boolean; name: string } } } };
    expect(j.error.code).toBe('PEER_FAILED');
    expect(j.error.details.scratch).toMatchObject({ created: true, deleted: true, cleanedUp: true });
    expect((await catalogNames()).names).toEqual(['app']);
  });

  it('the peer refuses a scratch name that exists and touches nothing (what the real script does, see real-peer.test.ts)', async () => {
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(path.join(home, 'bin', 'run'), [PEER_SCRIPT, 'check', 'env:U', 'app'], { cwd: home, env: { ...process.env, U: `datomic:sql://app?jdbc:postgresql://127.0.0.1:${inject('pgPort')}/${new URL(pgUrl).pathname.slice(1)}?user=${new URL(pgUrl).username}&password=${password}` } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out.trim().split('\n').pop()!)).toMatchObject({ ok: false, op: 'check', error: { step: 'create-scratch', scratch: { name: 'app', created: false, deleted: false } } });
    expect((await catalogNames()).names).toEqual(['app']);
  });

  it('an unknown name exits 3 with the list hint; an invalid one exits 2; a bad --timeout exits 2', async () => {
    const unknown = await dtx(['db', 'check', 'ap', ...dbArgs]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/Did you mean "app"\?/);
    const bad = await dtx(['db', 'check', 'a/b', ...dbArgs]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/hint: /);
    const t = await dtx(['db', 'check', 'app', '--timeout', 'soon', ...dbArgs]);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/--timeout must be a positive number of seconds/);
  });
});

describe('without a transactor', () => {
  it('db check fails at once with the start hint; doctor warns (not running) and exits 0', async () => {
    await ok(dtx(['transactor', 'stop', '--timeout', '5', ...common]));
    const r = await dtx(['db', 'check', 'app', ...dbArgs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: no live transactor on this storage/);
    expect(r.stderr).toMatch(/hint: Start one with `dtx transactor start`/);
    const d = await dtx(['--json', 'doctor', '--no-storage', ...common, '--admin-url', adminUrl()]);
    expect(d.code).toBe(0);
    const j = d.json() as { checks: Check[] };
    const hb = j.checks.find((c) => c.name === 'heartbeat')!;
    expect(hb.status).toBe('warn');
    expect(hb.detail).toMatch(new RegExp(`nothing listens on localhost:${port} on this machine`));
    expect(j.checks.find((c) => c.name === 'transactor-port')).toMatchObject({ status: 'pass' });
  });
});

describe('help', () => {
  it('doctor, db check and completion show examples; __complete stays hidden', async () => {
    for (const args of [['doctor'], ['db', 'check'], ['completion']]) {
      const r = await ok(dtx([...args, '--help']));
      expect(r.stdout, args.join(' ')).toMatch(/\nExamples:\n {2}(source <\()?dtx /);
    }
    const root = await ok(dtx(['--help']));
    expect(root.stdout).toMatch(/doctor/);
    expect(root.stdout).toMatch(/completion/);
    expect(root.stdout).not.toMatch(/__complete/);
  });
});
