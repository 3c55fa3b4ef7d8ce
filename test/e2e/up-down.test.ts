/**
 * `dtx up` and `dtx down` through the built CLI: on the test PostgreSQL (a configured server dtx
 * must never stop), on an embedded server of the state dir (which down stops), without any
 * Datomic Pro distribution (exit 3, storage ready, next step named), and with --install from a
 * loopback mirror. The installed fake distribution stands in for Datomic Pro.
 */
import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dtx, dtxSpawn, ok, tempStateDir } from '../helpers/cli.js';
import { fakeDistributionEnv as env, fakeDistributionZip, startZipServer, type ZipServer } from '../helpers/datomic-zip.js';
import { adminUrl, uniqueName, withAdmin } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';
import { isAlive } from '../../src/core/datomic/process.js';
import { dtxPty, HAS_PTY, screen } from '../helpers/pty.js';

const V = '1.0.7469';
const zip = fakeDistributionZip();
let zipFile = '';
let server: ZipServer;
const stops: string[] = []; // state dirs to `down` at the end, whatever happened

const newHome = () => mkdtempSync(path.join(tmpdir(), 'dtx-home-up-'));

/** A storage target on the test server that does not exist yet (database and role). */
function target(): { pgUrl: string; database: string; role: string } {
  const database = uniqueName('up');
  const role = uniqueName('uprole');
  return { pgUrl: `postgresql://${role}:Up-pw-12345@127.0.0.1:${inject('pgPort')}/${database}`, database, role };
}

async function txArgs(state: string): Promise<string[]> {
  stops.push(state);
  return ['--state-dir', state, '--port', String(await freePort()), '--ping-port', String(await freePort()), '--heartbeat-interval-msec', '1000'];
}

beforeAll(async () => {
  zipFile = path.join(mkdtempSync(path.join(tmpdir(), 'dtx-up-zip-')), `datomic-pro-${V}.zip`);
  writeFileSync(zipFile, zip);
  server = await startZipServer({ [`/mirror/${V}/datomic-pro-${V}.zip`]: { body: zip } });
});

afterAll(async () => {
  for (const s of stops) await dtx(['down', '--state-dir', s, '--timeout', '5']);
  await server?.close();
});

describe('dtx up / down on a configured PostgreSQL', () => {
  it('up --db creates what is missing; a second up changes nothing; down stops the transactor and never the server', async () => {
    const h = newHome();
    await ok(dtx(['datomic', 'install', '--from-file', zipFile], { env: env(h) }));
    const t = target();
    const state = tempStateDir('dtx-up-');
    const args = ['--pg-url', t.pgUrl, '--admin-url', adminUrl(), ...(await txArgs(state))];

    const first = await ok(dtx(['--json', 'up', '--db', 'my-app', ...args], { env: env(h) }));
    const j = first.json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(j).toMatchObject({
      complete: true,
      changed: true,
      postgres: { embedded: false, startedNow: false, port: inject('pgPort') },
      storage: { database: t.database, role: t.role, initializedNow: true, created: ['database', 'role', 'table'] },
      datomic: { version: V, home: path.join(h, 'datomic', V), source: 'installed', installedNow: false },
      transactor: { startedNow: true, elsewhere: false },
      database: { name: 'my-app', created: true },
    });
    expect(j.database.dbId).toMatch(/^my-app-[0-9a-f-]{36}$/);
    expect(j.uri).toBe(`datomic:sql://my-app?jdbc:postgresql://127.0.0.1:${inject('pgPort')}/${t.database}?user=${t.role}&password=***`);
    expect(first.stdout + first.stderr).not.toContain('Up-pw-12345');
    expect(isAlive(j.transactor.pid)).toBe(true);

    // again: nothing to do, nothing changed, the same transactor and database
    const second = await ok(dtx(['--json', 'up', '--db', 'my-app', ...args], { env: env(h) }));
    const k = second.json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(k).toMatchObject({
      complete: true,
      changed: false,
      storage: { initializedNow: false },
      transactor: { startedNow: false, pid: j.transactor.pid },
      database: { created: false, dbId: j.database.dbId },
    });
    const human = await ok(dtx(['up', '--db', 'my-app', ...args], { env: env(h) }));
    expect(human.stdout).toMatch(/everything was already up; nothing changed \(\d+\.\d s\)/);
    expect(human.stdout).toMatch(/^transactor\trunning already\t/m); // piped: tab-separated rows
    expect(human.stdout).toContain('password=***');

    // down: the transactor stops; the configured server is left alone and keeps answering
    const down = await ok(dtx(['--json', 'down', '--state-dir', state, '--pg-url', t.pgUrl], { env: env(h) }));
    expect(down.json()).toMatchObject({ transactor: { stopped: true, pid: j.transactor.pid }, postgres: { embeddedWasRunning: false, stopped: false }, changed: true });
    expect((down.json() as { postgres: { note: string } }).postgres.note).toMatch(/not one dtx started: left alone/);
    expect(isAlive(j.transactor.pid)).toBe(false);
    expect(await withAdmin(async (c) => (await c.query('select 1 as one')).rows[0])).toEqual({ one: 1 });
    const again = await ok(dtx(['down', '--state-dir', state, '--pg-url', t.pgUrl], { env: env(h) }));
    expect(again.stdout).toMatch(/nothing was running here; nothing to stop/);
  });

  it('without a Datomic Pro distribution: the storage is made ready, exit 3, and the next step is named (npx dtx under npx)', async () => {
    const h = newHome();
    const t = target();
    const state = tempStateDir('dtx-up-nodist-');
    const args = ['--pg-url', t.pgUrl, '--admin-url', adminUrl(), '--state-dir', state];
    const r = await dtx(['--json', 'up', '--db', 'my-app', ...args], { env: env(h) });
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({ complete: false, storage: { initializedNow: true }, datomic: null, transactor: null, next: ['dtx datomic install', 'dtx up --db my-app'] });
    const human = await dtx(['up', ...args], { env: env(h, { npm_lifecycle_event: 'npx', npm_lifecycle_script: "'dtx'" }) });
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(/^Datomic Pro\tnot installed\t/m);
    expect(human.stdout).toMatch(/^storage\tready already\t/m);
    expect(human.stdout).toContain('`npx dtx datomic install`');
    expect(human.stdout).toContain('Next: npx dtx datomic install');
    expect(human.stderr).not.toMatch(/error:/);
  });

  it('a broken --datomic-home fails (exit 2) before anything is created', async () => {
    const t = target();
    const r = await dtx(['up', '--pg-url', t.pgUrl, '--admin-url', adminUrl(), '--state-dir', tempStateDir('dtx-up-bad-'), '--datomic-home', tmpdir()], { env: env(newHome()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: not a Datomic Pro installation/);
    const exists = await withAdmin(async (c) => (await c.query('select 1 from pg_database where datname = $1', [t.database])).rowCount);
    expect(exists).toBe(0);
  });

  it('--install downloads Datomic Pro (here from a loopback mirror) and goes on', async () => {
    const h = newHome();
    const t = target();
    const state = tempStateDir('dtx-up-install-');
    const r = await ok(
      dtx(['--json', 'up', '--install', '--pg-url', t.pgUrl, '--admin-url', adminUrl(), ...(await txArgs(state))], { env: env(h, { DTX_DATOMIC_MIRROR: `${server.url}/mirror` }) }),
    );
    expect(r.json()).toMatchObject({
      complete: true,
      datomic: { version: V, installedNow: true, source: 'installed-now' },
      transactor: { startedNow: true },
      database: null,
      next: ['dtx db create <name>'],
    });
    await ok(dtx(['down', '--state-dir', state], { env: env(h) }));
  });
});

describe('dtx up / down with the embedded PostgreSQL of the state dir', () => {
  it('up starts it (and down stops it) when it serves the target', async () => {
    const h = newHome();
    await ok(dtx(['datomic', 'install', '--from-file', zipFile], { env: env(h) }));
    const state = tempStateDir('dtx-up-embedded-');
    const pgUrl = `postgresql://datomic:Emb-pw-123@localhost:${await freePort()}/datomic`;
    // an embedded cluster on a non-default port exists once `postgres start` made it
    await ok(dtx(['postgres', 'start', '--state-dir', state, '--pg-url', pgUrl], { env: env(h) }));
    await ok(dtx(['postgres', 'stop', '--state-dir', state, '--pg-url', pgUrl], { env: env(h) }));
    const up = await ok(dtx(['--json', 'up', '--db', 'app', '--pg-url', pgUrl, ...(await txArgs(state))], { env: env(h) }));
    expect(up.json()).toMatchObject({ complete: true, postgres: { embedded: true, startedNow: true }, storage: { initializedNow: true }, database: { created: true } });
    const down = await ok(dtx(['--json', 'down', '--state-dir', state, '--pg-url', pgUrl], { env: env(h) }));
    expect(down.json()).toMatchObject({ transactor: { stopped: true }, postgres: { embeddedWasRunning: true, stopped: true } });
    expect((await dtx(['postgres', 'status', '--state-dir', state, '--pg-url', pgUrl], { env: env(h) })).code).toBe(3);
  });
});

describe.skipIf(!HAS_PTY)('dtx up on a terminal without a distribution', () => {
  it('asks to download Datomic Pro: no stops after the storage (exit 3), yes installs it with a progress bar and goes on', async () => {
    const h = newHome();
    const t = target();
    const state = tempStateDir('dtx-up-tty-');
    const ask = /Download Datomic Pro 1\.0\.7469/;
    const no = await dtxPty(['up', '--pg-url', t.pgUrl, '--admin-url', adminUrl(), '--state-dir', state], {
      env: env(h, { DTX_DATOMIC_MIRROR: `${server.url}/mirror` }),
      steps: [{ waitFor: ask.source, send: 'n\r' }],
    });
    expect(no.code, no.raw).toBe(3);
    expect(screen(no.raw).join('\n')).toMatch(/Datomic Pro\s+│ not installed\s+│ download declined/);
    const yes = await dtxPty(['up', '--db', 'tty-app', '--pg-url', t.pgUrl, '--admin-url', adminUrl(), ...(await txArgs(state))], {
      env: env(h, { DTX_DATOMIC_MIRROR: `${server.url}/mirror` }),
      steps: [{ waitFor: ask.source, send: 'y\r' }],
      cols: 100,
    });
    expect(yes.code, yes.raw).toBe(0);
    expect(yes.raw).toMatch(/downloading \[[█░]+\]/); // the bar, drawn on the terminal
    const shown = screen(yes.raw).join('\n');
    expect(shown).toMatch(/Datomic Pro\s+│ 1\.0\.7469 installed now/);
    expect(shown).toMatch(/database\s+│ tty-app created now/);
    expect(shown).not.toMatch(/downloading \[/); // the bar was cleared
  });
});

describe('dtx up --install next to a transactor that runs elsewhere', () => {
  it('creates the database with the distribution it just installed (no DATOMIC_HOME_NOT_SET)', async () => {
    const t = target();
    const other = tempStateDir('dtx-up-other-');
    const pg = ['--pg-url', t.pgUrl];
    await ok(dtx(['init-postgres', ...pg, '--admin-url', adminUrl()], { env: env(newHome()) }));
    // a transactor on this storage, started from another state dir with another installation
    const h0 = newHome();
    await ok(dtx(['datomic', 'install', '--from-file', zipFile], { env: env(h0) }));
    await ok(dtx(['transactor', 'start', ...pg, ...(await txArgs(other))], { env: env(h0) }));
    const h = newHome();
    const state = tempStateDir('dtx-up-install-elsewhere-');
    const r = await dtx(['--json', 'up', '--install', '--db', 'elsewhere-app', ...pg, ...(await txArgs(state))], { env: env(h, { DTX_DATOMIC_MIRROR: `${server.url}/mirror` }) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json()).toMatchObject({
      complete: true,
      datomic: { version: V, home: path.join(h, 'datomic', V), installedNow: true, source: 'installed-now' },
      transactor: { startedNow: false, elsewhere: true },
      database: { name: 'elsewhere-app', created: true },
    });
  });
});

describe.skipIf(!HAS_PTY)('dtx up: the download question closed with Ctrl-D or Ctrl-C', () => {
  it('cancels (exit 130) before anything is created, instead of hanging', async () => {
    for (const key of ['\x04', '\x03']) {
      const t = target();
      const r = await dtxPty(['up', '--pg-url', t.pgUrl, '--admin-url', adminUrl(), '--state-dir', tempStateDir('dtx-up-eof-')], {
        env: env(newHome(), { DTX_DATOMIC_MIRROR: `${server.url}/mirror` }),
        steps: [{ waitFor: 'Download Datomic Pro', send: key }],
        timeoutMs: 20_000,
      });
      expect(r.timedOut, JSON.stringify(key)).toBe(false);
      expect(r.code, r.raw).toBe(130);
      const exists = await withAdmin(async (c) => (await c.query('select 1 from pg_database where datname = $1', [t.database])).rowCount);
      expect(exists).toBe(0);
    }
  });
});

describe('dtx down interrupted', () => {
  it('Ctrl-C while the transactor stops: the embedded PostgreSQL is left running, exit 130', async () => {
    const h = newHome();
    await ok(dtx(['datomic', 'install', '--from-file', zipFile], { env: env(h) }));
    const state = tempStateDir('dtx-down-int-');
    const pgUrl = `postgresql://datomic:Int-pw-123@localhost:${await freePort()}/datomic`;
    await ok(dtx(['postgres', 'start', '--state-dir', state, '--pg-url', pgUrl], { env: env(h) }));
    const slow = env(h, { FAKE_DATOMIC_TERMINATE_DELAY_MS: '1500' });
    await ok(dtx(['up', '--pg-url', pgUrl, ...(await txArgs(state))], { env: slow }));
    const down = dtxSpawn(['down', '--state-dir', state, '--pg-url', pgUrl], { env: { ...slow, NO_COLOR: '1' } });
    await down.waitFor('stopping the transactor');
    down.child.kill('SIGINT');
    const r = await down.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/error: cancelled/);
    expect(r.stderr).not.toContain('stopping the embedded PostgreSQL');
    expect((await dtx(['postgres', 'status', '--state-dir', state, '--pg-url', pgUrl], { env: env(h) })).code).toBe(0);
  });
});
