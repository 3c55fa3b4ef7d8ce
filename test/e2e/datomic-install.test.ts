/**
 * `dtx datomic install` and `dtx datomic list` through the built CLI, against a loopback HTTP server
 * serving a zip of the fake distribution (and a cut, a short, a zip-slip, a wrong-layout archive,
 * a 404, a stall), then `transactor start` without --datomic-home runs the installed copy.
 */
import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dtx, dtxSpawn, tempStateDir } from '../helpers/cli.js';
import { fakeDistributionEnv as env, fakeDistributionZip, startZipServer, type ZipServer } from '../helpers/datomic-zip.js';
import { adminUrl, uniqueName } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';

const V = '1.0.7469';
const zip = fakeDistributionZip();
const sha = createHash('sha256').update(zip).digest('hex');
let server: ZipServer;
const url = (p: string) => `${server.url}${p}`;
const good = `/${V}/datomic-pro-${V}.zip`;

const home = () => mkdtempSync(path.join(tmpdir(), 'dtx-home-install-'));
/** Everything under <dtxHome>/datomic: installed versions and any temp leftovers. */
const contents = (dtxHome: string) => (existsSync(path.join(dtxHome, 'datomic')) ? readdirSync(path.join(dtxHome, 'datomic')).sort() : []);

beforeAll(async () => {
  const slip = fakeDistributionZip({ extra: [{ name: `datomic-pro-${V}/../../evil.txt`, data: 'evil' }] });
  const noCmd = fakeDistributionZip({ omit: ['bin/transactor.cmd'] });
  server = await startZipServer({
    [good]: { body: zip },
    '/mirror/1.0.7469/datomic-pro-1.0.7469.zip': { body: zip },
    '/cut/datomic-pro-1.0.7469.zip': { body: zip, cutAfter: zip.length >> 1 },
    '/short/datomic-pro-1.0.7469.zip': { body: zip.subarray(0, zip.length - 200) },
    '/slip/datomic-pro-1.0.7469.zip': { body: slip },
    '/nocmd/datomic-pro-1.0.7469.zip': { body: noCmd },
    '/stall/datomic-pro-1.0.7469.zip': { body: zip, stall: true },
  });
});

afterAll(async () => {
  await server?.close();
});

describe('dtx datomic install', () => {
  it('downloads, checks and unpacks into <DTX_HOME>/datomic/<version>, makes it the default; a re-run is a no-op without downloading', async () => {
    const h = home();
    const r = await dtx(['--json', 'datomic', 'install', '--url', url(good), '--sha256', sha.toUpperCase()], { env: env(h) });
    expect(r.code, r.stderr).toBe(0);
    const j = r.json() as Record<string, unknown>;
    const installed = path.join(h, 'datomic', V);
    expect(j).toMatchObject({ version: V, home: installed, installed: true, alreadyInstalled: false, sha256: sha, default: true, source: { kind: 'download' } });
    expect(contents(h)).toEqual([V]); // no temp file or folder left
    if (process.platform !== 'win32') expect(statSync(path.join(installed, 'bin', 'transactor')).mode & 0o111).not.toBe(0);
    expect(JSON.parse(readFileSync(path.join(h, 'config.json'), 'utf8'))).toEqual({ datomicHome: installed });
    const hits = server.hits.get(good);
    const again = await dtx(['datomic', 'install', '--url', url(good)], { env: env(h) });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already installed; nothing to download/);
    expect(server.hits.get(good)).toBe(hits);
    // list: the installed one, default
    const list = await dtx(['--json', 'datomic', 'list'], { env: env(h) });
    expect(list.json()).toMatchObject({ default: installed, installed: [{ version: V, home: installed, default: true, valid: true }] });
    const human = await dtx(['datomic', 'list'], { env: env(h) });
    expect(human.stdout).toContain(installed);
  });

  it('DTX_DATOMIC_MIRROR stands in for the official bucket; --from-file installs offline', async () => {
    const h = home();
    const r = await dtx(['--json', 'datomic', 'install'], { env: { ...env(h), DTX_DATOMIC_MIRROR: url('/mirror/') } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ version: V, source: { kind: 'download', url: url('/mirror/1.0.7469/datomic-pro-1.0.7469.zip') } });
    const h2 = home();
    const file = path.join(h2, 'datomic-pro-1.0.7469.zip');
    writeFileSync(file, zip);
    const f = await dtx(['--json', 'datomic', 'install', '--from-file', file], { env: env(h2) });
    expect(f.code, f.stderr).toBe(0);
    expect(f.json()).toMatchObject({ version: V, installed: true, source: { kind: 'file', file } });
    const missing = await dtx(['datomic', 'install', '--from-file', path.join(h2, 'nope.zip')], { env: env(h2) });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/error: no such file: .*nope\.zip\nhint: /);
  });

  it('a wrong --sha256, a cut or short download, a zip-slip entry, a wrong layout and a 404 install nothing and leave nothing behind', async () => {
    const cases: [string[], number, string, RegExp][] = [
      [['--url', url(good), '--sha256', '0'.repeat(64)], 1, 'DATOMIC_SHA256_MISMATCH', /check the --sha256/],
      [['--url', url('/cut/datomic-pro-1.0.7469.zip')], 1, 'DOWNLOAD_TRUNCATED', /Run the command again.*--from-file/],
      [['--url', url('/short/datomic-pro-1.0.7469.zip')], 1, 'ZIP_TRUNCATED', /Download it again/],
      [['--url', url('/slip/datomic-pro-1.0.7469.zip')], 1, 'ZIP_UNSAFE_PATH', /Nothing was installed/],
      [['--url', url('/nocmd/datomic-pro-1.0.7469.zip')], 1, 'DATOMIC_ARCHIVE_LAYOUT', /Nothing was installed/],
      [['--url', url('/missing/datomic-pro-1.0.7469.zip')], 3, 'DOWNLOAD_NOT_FOUND', /check the version number/],
      [['1.0.7469', '--url', 'ftp://example.com/x.zip'], 2, 'USAGE', /http/],
      [['not-a-version'], 2, 'USAGE', /Versions look like/],
    ];
    for (const [args, exit, code, hint] of cases) {
      const h = home();
      const r = await dtx(['--json', 'datomic', 'install', ...args], { env: env(h) });
      expect(r.code, `${args.join(' ')}: ${r.stdout}`).toBe(exit);
      const j = r.json() as { ok: boolean; error: { code: string; hint: string } };
      expect(j.error.code, args.join(' ')).toBe(code);
      expect(j.error.hint).toMatch(hint);
      expect(contents(h), args.join(' ')).toEqual([]);
      expect(existsSync(path.join(h, 'config.json'))).toBe(false);
      expect(existsSync(path.join(h, 'evil.txt')) || existsSync(path.join(path.dirname(h), 'evil.txt'))).toBe(false);
    }
    // a dtx home that cannot be written (here: a file)
    const file = path.join(home(), 'a-file');
    writeFileSync(file, 'x');
    const nw = await dtx(['--json', 'datomic', 'install', '--url', url(good)], { env: env(file) });
    expect(nw.code).toBe(1);
    expect(nw.json()).toMatchObject({ error: { code: 'DATOMIC_INSTALL_NOT_WRITABLE', hint: expect.stringMatching(/DTX_HOME/) } });
    // the human form: error and hint on stderr
    const h = home();
    const r = await dtx(['datomic', 'install', '--url', url('/missing/datomic-pro-1.0.7469.zip')], { env: env(h) });
    expect(r.stderr).toMatch(/error: .*answered HTTP 404/);
    expect(r.stderr).toMatch(/hint: Nothing is published there/);
  });

  it('Ctrl-C during the download exits 130 and removes the partial file', async () => {
    const h = home();
    const p = dtxSpawn(['datomic', 'install', '--url', url('/stall/datomic-pro-1.0.7469.zip')], { env: { ...env(h), NO_COLOR: '1' } });
    await p.waitFor(/downloading/);
    await new Promise((r) => setTimeout(r, 200));
    expect(contents(h).some((n) => n.startsWith('.dtx-tmp-'))).toBe(true); // the partial download exists
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/error: cancelled/);
    expect(contents(h)).toEqual([]);
  });

  it('transactor start without --datomic-home runs the installed copy (and says so in dtx config)', async () => {
    const h = home();
    expect((await dtx(['datomic', 'install', '--url', url(good)], { env: env(h) })).code).toBe(0);
    const state = tempStateDir('dtx-install-start-');
    const pgUrl = `postgresql://${uniqueName('ir')}:Install-pw-1@127.0.0.1:${inject('pgPort')}/${uniqueName('inst')}`;
    const cfg = await dtx(['--json', 'config', '--state-dir', state, '--pg-url', pgUrl], { env: env(h) });
    expect(cfg.json()).toMatchObject({ dtxHome: h, values: { datomicHome: { value: path.join(h, 'datomic', V), source: 'installed' } } });
    expect((await dtx(['init-postgres', '--pg-url', pgUrl, '--admin-url', adminUrl(), '--state-dir', state], { env: env(h) })).code).toBe(0);
    const args = ['--state-dir', state, '--pg-url', pgUrl, '--port', String(await freePort()), '--ping-port', String(await freePort()), '--heartbeat-interval-msec', '1000'];
    try {
      const r = await dtx(['--json', 'transactor', 'start', ...args], { env: env(h) });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.json()).toMatchObject({ running: true, datomicHome: path.join(h, 'datomic', V), version: V });
    } finally {
      await dtx(['transactor', 'stop', '--state-dir', state, '--timeout', '5'], { env: env(h) });
    }
  });
});
