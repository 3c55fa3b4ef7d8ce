/**
 * The whole user journey through the built binary, against the real test PostgreSQL and the fake
 * Datomic distribution installed in a path with spaces:
 *   dtx init-postgres; dtx transactor start; dtx db create datomic-testing; dtx db list; ...
 */
import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dtx, ok, tempStateDir } from '../helpers/cli.js';
import { adminUrl, uniqueName, withAdmin } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';
import { installFakeDatomic } from '../fixtures/fake-datomic/install.mjs';
import { isAlive } from '../../src/core/datomic/process.js';
import { realPeerAvailable, realPeerDatabaseNames } from '../helpers/real-peer.js';

let home = '';
let state = '';
let pgUrl = '';
let args: string[] = []; // transactor start
let db: string[] = []; // db commands: storage + distribution
let st: string[] = []; // status/stop/logs
const password = 'Workflow-pw-123';

/** Running (a killed transactor may linger a moment as a zombie until init reaps it: that is not running). */
const alive = (pid: number): boolean => isAlive(pid);

beforeAll(async () => {
  home = await installFakeDatomic(path.join(mkdtempSync(path.join(tmpdir(), 'dtx-wf-')), 'Datomic Pro 1.0.7469'));
  state = path.join(tempStateDir('dtx wf state '), 'state dir');
  const dbName = uniqueName('wf');
  const role = uniqueName('wfrole');
  pgUrl = `postgresql://${role}:${password}@127.0.0.1:${inject('pgPort')}/${dbName}`;
  const port = await freePort();
  const pingPort = await freePort();
  args = ['--state-dir', state, '--pg-url', pgUrl, '--datomic-home', home, '--port', String(port), '--ping-port', String(pingPort), '--heartbeat-interval-msec', '1000'];
  db = ['--state-dir', state, '--pg-url', pgUrl, '--datomic-home', home];
  st = ['--state-dir', state, '--pg-url', pgUrl];
});

afterAll(async () => {
  await dtx(['transactor', 'stop', '--state-dir', state, '--timeout', '5']);
});

describe('init-postgres, transactor start, db create, db list', () => {
  let pid = 0;

  it('init-postgres then transactor start: ready within 2 s of "System started"', async () => {
    await ok(dtx(['init-postgres', '--pg-url', pgUrl, '--admin-url', adminUrl(), '--state-dir', state]));
    const r = await ok(dtx(['--json', 'transactor', 'start', ...args]));
    const j = r.json() as { pid: number; role: string; timings: { systemStartedToReadyMs: number }; propertiesFile: string };
    expect(j.role).toBe('active');
    expect(j.timings.systemStartedToReadyMs).toBeLessThan(2000);
    pid = j.pid;
    expect(alive(pid)).toBe(true);
    // generated properties hold the password: 0600
    expect(statSync(j.propertiesFile).mode & 0o777).toBe(0o600);
    expect(r.stdout + r.stderr).not.toContain(password);
  });

  it('status --json shows the heartbeat; a second start is refused', async () => {
    const s = await dtx(['--json', 'transactor', 'status', ...st]);
    expect(s.code).toBe(0);
    const j = s.json() as { running: boolean; pid: number; active: { host: string; port: number; version: string; heartbeatAgeMs: number }; health: string };
    expect(j).toMatchObject({ running: true, pid, health: 'ok' });
    expect(j.active).toMatchObject({ host: 'localhost', version: '1.0.7469' });
    expect(j.active.heartbeatAgeMs).toBeLessThan(5000);
    const again = await dtx(['transactor', 'start', ...args]);
    expect(again.code).toBe(1);
    // A wrong storage password is a failure with the auth hint, not "active none" and exit 0.
    const wrongUrl = pgUrl.replace(password, 'Wrong-pw-456');
    const wrong = await dtx(['transactor', 'status', '--state-dir', state, '--pg-url', wrongUrl]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/error: .*rejected the login/);
    expect(wrong.stderr).toMatch(/hint: .*--pg-url/);
    expect(wrong.stdout + wrong.stderr).not.toContain('Wrong-pw-456');
    const wrongJson = await dtx(['--json', 'transactor', 'status', '--state-dir', state, '--pg-url', wrongUrl]);
    expect(wrongJson.code).toBe(1);
    expect(wrongJson.json()).toMatchObject({ ok: false, error: { code: 'PG_AUTH_FAILED', details: { status: { pid, process: { alive: true } } } } });
    expect(again.stderr).toMatch(/error: .*already running/i);
  });

  it('db create datomic-testing, again (exists), list, inspect, uri', async () => {
    const c1 = await ok(dtx(['--json', 'db', 'create', 'datomic-testing', ...db]));
    const created = c1.json() as { name: string; dbId: string; created: boolean; uri: string };
    expect(created).toMatchObject({ name: 'datomic-testing', created: true });
    expect(created.dbId).toMatch(/^datomic-testing-[0-9a-f-]{36}$/);
    expect(created.uri).toBe(`datomic:sql://datomic-testing?jdbc:postgresql://127.0.0.1:${inject('pgPort')}/${new URL(pgUrl).pathname.slice(1)}?user=${new URL(pgUrl).username}&password=***`);
    const c2 = await ok(dtx(['--json', 'db', 'create', 'datomic-testing', ...db]));
    expect(c2.json()).toMatchObject({ created: false, dbId: created.dbId });
    // without --datomic-home: the installation of the last `transactor start` in this state dir
    await ok(dtx(['db', 'create', 'other', ...st], { env: { DATOMIC_HOME: undefined } }));
    const list = await ok(dtx(['--json', 'db', 'list', ...db]));
    expect(list.json()).toMatchObject({
      databases: [
        // the fake transactor writes only the catalog (no rows dtx would parse)
        { name: 'datomic-testing', dbId: created.dbId, rootRows: false },
        { name: 'other', rootRows: false },
      ],
      deleted: [],
    });
    const human = await ok(dtx(['db', 'list', ...db]));
    expect(human.stdout).toContain('datomic-testing');
    if (realPeerAvailable()) expect(await realPeerDatabaseNames(pgUrl)).toEqual(['datomic-testing', 'other']);
    const ins = await ok(dtx(['--json', 'db', 'inspect', 'datomic-testing', ...db]));
    const ij = ins.json() as { status: string; rows: { id: string }[] };
    expect(ij.status).toBe('active');
    expect(ij.rows).toEqual([]);
    expect((ins.json() as { storage: { rows: number } }).storage.rows).toBe(0);
    const unknown = await dtx(['db', 'inspect', 'datomic-testin', ...db]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('Did you mean "datomic-testing"?');
    const uri = await ok(dtx(['db', 'uri', 'datomic-testing', ...db]));
    expect(uri.stdout).toContain('password=***');
    const shown = await ok(dtx(['db', 'uri', 'datomic-testing', '--show-secrets', ...db]));
    expect(shown.stdout).toContain(`password=${password}`);
    const bad = await dtx(['db', 'create', 'a/b', ...db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/hint: /);
  });

  it('db delete needs --yes without a terminal; goes through the transactor; gc collects it', async () => {
    const noYes = await dtx(['db', 'delete', 'other', ...db]);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('--yes');
    const del = await ok(dtx(['--json', 'db', 'delete', 'other', '--yes', ...db]));
    expect(del.json()).toMatchObject({ name: 'other', deleted: true, via: 'transactor' });
    const list = (await ok(dtx(['--json', 'db', 'list', ...db]))).json() as { databases: unknown[]; deleted: { dbId: string }[] };
    expect(list.databases).toHaveLength(1);
    expect(list.deleted).toHaveLength(1);
    const gc = await ok(dtx(['--json', 'db', 'gc', '--vacuum', ...db]));
    expect(gc.json()).toMatchObject({ collected: [list.deleted[0]!.dbId], remaining: [] });
  });

  it('logs show the captured output and the log-dir file, masked', async () => {
    const r = await ok(dtx(['transactor', 'logs', '-n', '20', ...st]));
    expect(r.stdout).toContain('System started');
    expect(r.stdout).toContain('.log <==');
    expect(r.stdout).not.toContain(password);
  });

  it('stop leaves no process behind; status then exits 3; stop again is a no-op', async () => {
    await ok(dtx(['transactor', 'stop', ...st]));
    expect(alive(pid)).toBe(false);
    const s = await dtx(['transactor', 'status', ...st]);
    expect(s.code).toBe(3);
    const again = await dtx(['transactor', 'stop', ...st]);
    expect(again.code).toBe(0);
  });

  it('transactor start without --datomic-home runs the distribution of the last start, like the db commands', async () => {
    const noHome = args.filter((a, i) => a !== '--datomic-home' && args[i - 1] !== '--datomic-home');
    const r = await ok(dtx(['--json', 'transactor', 'start', ...noHome], { env: { DATOMIC_HOME: undefined } }));
    expect(r.json()).toMatchObject({ running: true, datomicHome: home });
    await ok(dtx(['transactor', 'stop', ...st]));
    expect(alive((r.json() as { pid: number }).pid)).toBe(false);
  });

  it('with no transactor, delete rewrites the catalog offline (and the real peer agrees)', async () => {
    const del = await ok(dtx(['--json', 'db', 'delete', 'datomic-testing', '--yes', ...db]));
    expect(del.json()).toMatchObject({ deleted: true, via: 'catalog' });
    if (realPeerAvailable()) expect(await realPeerDatabaseNames(pgUrl)).toEqual([]);
    // undelete needs the database's rows (test/integration/undelete.test.ts brings back a real one);
    // the fake wrote none, so it is refused as collected
    const { dbId } = del.json() as { dbId: string };
    const back = await dtx(['db', 'undelete', dbId, 'restored', ...db]);
    expect(back.code).toBe(3);
    expect(back.stderr).toMatch(/collected or purged/);
    const create = await dtx(['db', 'create', 'x', ...db]);
    expect(create.code).toBe(1);
    expect(create.stderr).toMatch(/hint: Start one with `dtx transactor start`/);
  });
});

describe('transactor start failures', () => {
  it('missing datomic_kvs: exit 1, hint dtx init-postgres', async () => {
    const db = uniqueName('notable');
    await withAdmin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(db)}`));
    const url = new URL(adminUrl(db)).toString();
    const r = await dtx(['transactor', 'start', '--state-dir', tempStateDir(), '--pg-url', url, '--datomic-home', home, '--port', String(await freePort()), '--ping-port', String(await freePort())]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/datomic_kvs/);
    expect(r.stderr).toContain('dtx init-postgres');
  });

  it("a user's properties file missing a key: Datomic's own message, exit 2, nothing launched", async () => {
    const dir = tempStateDir();
    const file = path.join(dir, 'my transactor.properties');
    writeFileSync(file, `protocol=sql\nhost=localhost\nport=4334\nsql-url=jdbc:postgresql://localhost:5432/datomic\nsql-driver-class=org.postgresql.Driver\nmemory-index-threshold=32m\nmemory-index-max=256m\n`);
    const r = await dtx(['transactor', 'start', '--state-dir', dir, '--properties', file, '--datomic-home', home]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`:db.error/missing-transactor-property 'object-cache-max' property not set, required for protocol: sql in ${file}`);
    // a user's properties file names its own storage: no embedded server was started for --pg-url
    expect((await dtx(['postgres', 'status', '--state-dir', dir])).code).toBe(3);
  });

  it('Java absent from PATH and a wrong DATOMIC_HOME: exit 2 with the fix', async () => {
    const noJava = await dtx(['transactor', 'start', '--state-dir', tempStateDir(), '--pg-url', pgUrl, '--datomic-home', home], { env: { PATH: '/nonexistent', JAVA_HOME: undefined } });
    expect(noJava.code).toBe(2);
    expect(noJava.stderr).toMatch(/error: .*[Jj]ava/);
    expect(noJava.stderr).toMatch(/hint: .*(JAVA_HOME|PATH)/);
    // --java-home, the flag the hints name, exists and wins over JAVA_HOME
    const emptyJdk = tempStateDir('dtx no jdk ');
    const flagged = await dtx(['transactor', 'start', '--state-dir', tempStateDir(), '--pg-url', pgUrl, '--datomic-home', home, '--java-home', emptyJdk], { env: { JAVA_HOME: '/usr' } });
    expect(flagged.code).toBe(2);
    expect(flagged.stderr).toContain(path.join(emptyJdk, 'bin', 'java'));
    expect(flagged.stderr).toMatch(/hint: .*--java-home/);
    const cfgShown = await ok(dtx(['--json', 'config', '--java-home', emptyJdk], { env: { JAVA_HOME: '/usr' } }));
    expect(cfgShown.json()).toMatchObject({ values: { javaHome: { value: emptyJdk, source: 'flag' } } });
    const wrong = await dtx(['transactor', 'start', '--state-dir', tempStateDir(), '--pg-url', pgUrl, '--datomic-home', path.join(home, 'bin')]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/hint: .*Datomic Pro 1.0.7469/);
    const none = await dtx(['transactor', 'start', '--state-dir', tempStateDir(), '--pg-url', pgUrl], { env: { DATOMIC_HOME: undefined } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--datomic-home');
  });

  it('transactor properties writes a 0600 file; --out - prints it masked', async () => {
    const dir = tempStateDir();
    const out = path.join(dir, 'tx.properties');
    await ok(dtx(['transactor', 'properties', '--out', out, '--pg-url', pgUrl, '--xmx', '4g', '--state-dir', dir]));
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^memory-index-max=512m$/m);
    expect(text).toMatch(/^object-cache-max=1g$/m);
    expect(text).toContain(`sql-password=${password}`);
    const shown = await ok(dtx(['transactor', 'properties', '--out', '-', '--pg-url', pgUrl]));
    expect(shown.stdout).toContain('sql-password=***');
    expect(shown.stdout).not.toContain(password);
  });
});
