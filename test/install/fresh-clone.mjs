#!/usr/bin/env node
// Opt-in check (npm run test:install; not part of npm test: each case runs a full `npm ci`):
// from a fresh clone (no node_modules, no dist), `npm install -g .` and `npm link` give a working
// dtx. With npm 11 both only symlink the global package to the clone and install nothing into it;
// scripts/prepare.mjs then runs `npm ci` in the clone and builds. Each case uses its own prefix.
// Prints one pass/fail line per step with its time; exits 1 when a step fails.
// DTX_INSTALL_KEEP=1 keeps the temp folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const win = process.platform === 'win32';
const work = mkdtempSync(path.join(tmpdir(), 'dtx-fresh-'));
let failed = 0;

function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(config_|command|lifecycle_|package_|execpath|node_execpath)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function step(name, cmd, args, opts = {}) {
  const t = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', shell: win, timeout: 600_000, ...opts });
  const secs = ((Date.now() - t) / 1000).toFixed(1);
  const ok = r.status === 0;
  if (!ok) failed++;
  console.log(`${ok ? 'pass' : 'FAIL'}  ${name}  (${secs} s)`);
  if (!ok) console.log(`${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).map((l) => `      ${l}`).join('\n'));
  return r;
}

function clone(name) {
  const dir = path.join(work, name);
  step(`git clone (${name})`, 'git', ['clone', '--quiet', root, dir]);
  return dir;
}

function binOf(prefix) {
  return win ? path.join(prefix, 'dtx.cmd') : path.join(prefix, 'bin', 'dtx');
}

function check(label, prefix) {
  const bin = binOf(prefix);
  if (!existsSync(bin)) {
    failed++;
    console.log(`FAIL  ${label}: no ${bin}`);
    return;
  }
  const v = step(`${label}: dtx --version`, bin, ['--version'], { env: cleanEnv() });
  if (v.status === 0) console.log(`      ${v.stdout.trim()}`);
  step(`${label}: dtx --json config`, bin, ['--json', 'config'], { env: cleanEnv({ DTX_HOME: path.join(work, 'dtx-home') }), cwd: work });
}

console.log(`npm ${spawnSync('npm', ['--version'], { encoding: 'utf8', shell: win }).stdout.trim()}, node ${process.version}; clones of ${root} (HEAD)`);

// 1. npm install -g . from a fresh clone
const a = clone('install-g');
const prefixA = path.join(work, 'prefix-install-g');
step('npm install -g . (fresh clone)', 'npm', ['install', '-g', '--prefix', prefixA, '.', '--no-audit', '--no-fund'], { cwd: a, env: cleanEnv() });
check('npm install -g .', prefixA);

// 2. npm link from a fresh clone (the global prefix comes from the environment: --prefix would be the project's)
const b = clone('link');
const prefixB = path.join(work, 'prefix-link');
step('npm link (fresh clone)', 'npm', ['link', '--no-audit', '--no-fund'], { cwd: b, env: cleanEnv({ npm_config_prefix: prefixB }) });
check('npm link', prefixB);

if (process.env.DTX_INSTALL_KEEP) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
