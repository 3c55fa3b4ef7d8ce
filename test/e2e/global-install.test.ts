/**
 * `dtx` on PATH: the package as npm publishes it (`npm pack`: only what package.json's `files`
 * lists), installed globally into a temporary prefix (`npm install -g --prefix`), runs from there:
 * --version, then `datomic install` and `up --db` / `down` against the test PostgreSQL, which need
 * dist/, sql/ and src/peer/ from the tarball. Dependencies come from npm's cache (or the registry).
 */
import { describe, it, expect, beforeAll, inject } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, tempStateDir } from '../helpers/cli.js';
import { fakeDistributionEnv, fakeDistributionZip } from '../helpers/datomic-zip.js';
import { adminUrl, uniqueName } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';

const win = process.platform === 'win32';
let prefix = '';
let bin = '';
let tarball = '';

/** The environment of the npm we run: none of the outer npm's per-run settings (prefix, global, ...). */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(config_(global|prefix|global_prefix|local_prefix|location|dry_run|omit|include|allow_scripts)|command|lifecycle_|package_)/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

function npm(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const execPath = process.env.npm_execpath;
  const r = execPath && /\.[cm]?js$/.test(execPath)
    ? spawnSync(process.execPath, [execPath, ...args], { cwd, env: npmEnv(), encoding: 'utf8', timeout: 120_000 })
    : spawnSync(win ? 'npm.cmd' : 'npm', args, { cwd, env: npmEnv(), encoding: 'utf8', timeout: 120_000, shell: win });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function run(args: string[], env: Record<string, string | undefined> = {}): { code: number | null; stdout: string; stderr: string } {
  const e: NodeJS.ProcessEnv = { ...npmEnv(), NO_COLOR: '1', ...env };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  // A user types `dtx ...`: the npm-made shim (a symlink on unix, dtx.cmd on Windows).
  const r = win ? spawnSync(bin, args, { env: e, encoding: 'utf8', shell: true, timeout: 120_000 }) : spawnSync(bin, args, { env: e, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

beforeAll(() => {
  const work = mkdtempSync(path.join(tmpdir(), 'dtx-global-'));
  prefix = path.join(work, 'prefix with space');
  // dist/ is built by `npm test` (and `npm run build`); pack what is there, without rebuilding.
  const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
  expect(pack.status, pack.stderr).toBe(0);
  const info = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(work, info[0]!.filename);
  const files = info[0]!.files.map((f) => f.path);
  expect(files).toContain('bin/dtx.js');
  expect(files).toContain('src/peer/dtx_peer.clj');
  expect(files.some((f) => f.startsWith('sql/'))).toBe(true);
  expect(files.some((f) => f.startsWith('dist/'))).toBe(true);
  expect(files.some((f) => f.startsWith('test/') || f.startsWith('src/core/'))).toBe(false);
  const inst = npm(['install', '-g', '--prefix', prefix, tarball, '--no-audit', '--no-fund', '--prefer-offline'], work);
  expect(inst.status, inst.stderr).toBe(0);
  bin = win ? path.join(prefix, 'dtx.cmd') : path.join(prefix, 'bin', 'dtx');
  expect(existsSync(bin), `${bin} after npm install -g`).toBe(true);
}, 180_000);

describe('npm install -g of the packed tarball', () => {
  it('puts a working dtx in <prefix>/bin (the shebang starts node)', () => {
    expect(readFileSync(path.join(ROOT, 'bin', 'dtx.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const v = run(['--version']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('runs real commands from the global install: datomic install, up --db, down', async () => {
    const dtxHome = mkdtempSync(path.join(tmpdir(), 'dtx-global-home-'));
    const zip = path.join(dtxHome, 'datomic-pro-1.0.7469.zip');
    writeFileSync(zip, fakeDistributionZip());
    const env = fakeDistributionEnv(dtxHome);
    const inst = run(['--json', 'datomic', 'install', '--from-file', zip], env);
    expect(inst.code, inst.stderr).toBe(0);
    const state = tempStateDir('dtx-global-state-');
    const pgUrl = `postgresql://${uniqueName('gr')}:Global-pw-1@127.0.0.1:${inject('pgPort')}/${uniqueName('global')}`;
    const args = ['--state-dir', state, '--pg-url', pgUrl, '--admin-url', adminUrl(), '--port', String(await freePort()), '--ping-port', String(await freePort()), '--heartbeat-interval-msec', '1000'];
    let down: ReturnType<typeof run>;
    try {
      const up = run(['--json', 'up', '--db', 'global-app', ...args], env);
      expect(up.code, up.stdout + up.stderr).toBe(0);
      expect(JSON.parse(up.stdout)).toMatchObject({ complete: true, database: { name: 'global-app', created: true }, next: [] });
      // hints name `dtx` (on PATH), not `npx dtx`
      const none = run(['db', 'create', 'x', '--state-dir', tempStateDir('dtx-global-none-'), '--pg-url', pgUrl], { ...env, DTX_HOME: mkdtempSync(path.join(tmpdir(), 'dtx-global-empty-')) });
      expect(none.stderr).toMatch(/hint: Install one with `dtx datomic install`/);
    } finally {
      down = run(['down', '--state-dir', state, '--pg-url', pgUrl], env); // (an expect here would hide a failure above)
    }
    expect(down.code, down.stderr).toBe(0);
  });
});
