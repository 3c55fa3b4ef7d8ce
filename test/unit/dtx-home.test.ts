/**
 * The per-user dtx home, its settings file, the installed default Datomic home as the last layer
 * of datomicHome, and the pure parts of `dtx datomic install` (names, mirrors, stale temp files).
 */
import { describe, it, expect } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveDtxHome, readUserSettings, updateUserSettings, userSettingsFile, datomicInstallRoot } from '../../src/core/dtx-home.js';
import { resolveConfig } from '../../src/core/config.js';
import { cleanStaleTemps, mirrorUrl, validateVersion, versionFromArchiveName } from '../../src/core/datomic/install.js';
import { DtxError } from '../../src/core/errors.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'dtx-home-unit-'));

describe('resolveDtxHome', () => {
  it('~/.dtx on unix, %LOCALAPPDATA%\\dtx on Windows, DTX_HOME overrides (relative to cwd)', () => {
    expect(resolveDtxHome({ env: {}, platform: 'linux', homedir: '/home/ann', cwd: '/x' })).toBe('/home/ann/.dtx');
    expect(resolveDtxHome({ env: {}, platform: 'darwin', homedir: '/Users/ann', cwd: '/x' })).toBe('/Users/ann/.dtx');
    expect(resolveDtxHome({ env: { LOCALAPPDATA: 'C:\\Users\\Ann Lee\\AppData\\Local' }, platform: 'win32', homedir: 'C:\\Users\\Ann Lee', cwd: 'C:\\x' })).toBe(
      'C:\\Users\\Ann Lee\\AppData\\Local\\dtx',
    );
    expect(resolveDtxHome({ env: {}, platform: 'win32', homedir: 'C:\\Users\\ann', cwd: 'C:\\x' })).toBe('C:\\Users\\ann\\AppData\\Local\\dtx');
    expect(resolveDtxHome({ env: { DTX_HOME: '/opt/dtx' }, platform: 'linux', homedir: '/home/ann', cwd: '/x' })).toBe('/opt/dtx');
    expect(resolveDtxHome({ env: { DTX_HOME: 'rel' }, platform: 'linux', homedir: '/home/ann', cwd: '/work' })).toBe('/work/rel');
    expect(resolveDtxHome({ env: { DTX_HOME: 'D:\\dtx', LOCALAPPDATA: 'C:\\L' }, platform: 'win32', homedir: 'C:\\Users\\ann', cwd: 'C:\\x' })).toBe('D:\\dtx');
  });
});

describe('the settings file', () => {
  it('reads {} when absent, merges updates atomically, keeps unknown keys', async () => {
    const h = tmp();
    const f = userSettingsFile(h);
    expect(readUserSettings(f)).toEqual({});
    await updateUserSettings(f, { datomicHome: '/a' });
    writeFileSync(f, JSON.stringify({ datomicHome: '/a', future: 1 }));
    await updateUserSettings(f, { datomicHome: '/b' });
    expect(readUserSettings(f)).toEqual({ datomicHome: '/b', future: 1 });
    expect(readdirSync(h)).toEqual(['config.json']); // no temp file left
  });

  it('a malformed file is CONFIG_INVALID (exit 2) naming the file and how to fix it', () => {
    const h = tmp();
    for (const text of ['{nope', '[]', '{"datomicHome": 3}']) {
      writeFileSync(userSettingsFile(h), text);
      try {
        readUserSettings(userSettingsFile(h));
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(DtxError);
        expect(e).toMatchObject({ code: 'CONFIG_INVALID', exitCode: 2, hint: expect.stringMatching(/dtx datomic install/) });
        expect((e as Error).message).toContain(userSettingsFile(h));
      }
    }
  });
});

describe('datomicHome precedence: flag > DATOMIC_HOME > config file > installed default', () => {
  it('the installed default applies last, and is reported as source "installed"', () => {
    const h = tmp();
    const cwd = tmp();
    const settings = userSettingsFile(h);
    writeFileSync(settings, JSON.stringify({ datomicHome: '/dtx/datomic/1.0.7469' }));
    const installed = resolveConfig({ flags: {}, env: {}, cwd, userSettingsFile: settings });
    expect(installed.datomicHome).toBe(path.resolve('/dtx/datomic/1.0.7469'));
    expect(installed.sources.datomicHome).toBe('installed');
    writeFileSync(path.join(cwd, 'dtx.config.json'), JSON.stringify({ datomicHome: '/from/file' }));
    expect(resolveConfig({ flags: {}, env: {}, cwd, userSettingsFile: settings })).toMatchObject({ datomicHome: path.resolve('/from/file'), sources: { datomicHome: 'file' } });
    expect(resolveConfig({ flags: {}, env: { DATOMIC_HOME: '/from/env' }, cwd, userSettingsFile: settings }).sources.datomicHome).toBe('env');
    expect(resolveConfig({ flags: { datomicHome: '/from/flag' }, env: { DATOMIC_HOME: '/from/env' }, cwd, userSettingsFile: settings }).datomicHome).toBe(path.resolve('/from/flag'));
    // no settings file, or none given: nothing
    expect(resolveConfig({ flags: {}, env: {}, cwd: tmp(), userSettingsFile: userSettingsFile(tmp()) }).datomicHome).toBeUndefined();
  });
});

describe('install helpers', () => {
  it('versions, archive names and mirror URLs', () => {
    expect(validateVersion(' 1.0.7469 ')).toBe('1.0.7469');
    expect(() => validateVersion('1.0.7469; rm -rf /')).toThrow(/not a Datomic Pro version/);
    expect(() => validateVersion('../1')).toThrow(DtxError);
    expect(versionFromArchiveName('/tmp/datomic-pro-1.0.7469.zip')).toBe('1.0.7469');
    expect(versionFromArchiveName('https://m.example/datomic/1.0.7482/datomic-pro-1.0.7482.zip?sig=1')).toBe('1.0.7482');
    expect(versionFromArchiveName('C:\\Downloads\\datomic-pro-0.9.5703.zip')).toBe('0.9.5703');
    expect(versionFromArchiveName('/tmp/latest.zip')).toBeNull();
    expect(mirrorUrl('https://mirror.internal/datomic/', '1.0.7469')).toBe('https://mirror.internal/datomic/1.0.7469/datomic-pro-1.0.7469.zip');
  });

  it('cleanStaleTemps removes temp files of dead runs on this host and leaves live ones and installs alone', async () => {
    const root = datomicInstallRoot(tmp());
    mkdirSync(root, { recursive: true });
    const { hostname } = await import('node:os');
    const host = hostname().replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32) || 'host';
    const dead = `.dtx-tmp-${host}-999999-0000abcd.zip`;
    const live = `.dtx-tmp-${host}-${process.pid}-0000abcd`;
    const other = '.dtx-tmp-otherhost-1-0000abcd.zip';
    writeFileSync(path.join(root, dead), 'x');
    mkdirSync(path.join(root, live));
    writeFileSync(path.join(root, other), 'x');
    mkdirSync(path.join(root, '1.0.7469'));
    const removed = await cleanStaleTemps(root);
    expect(removed.map((f) => path.basename(f))).toEqual([dead]);
    expect(readdirSync(root).sort()).toEqual([live, other, '1.0.7469'].sort());
  });
});
