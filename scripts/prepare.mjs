#!/usr/bin/env node
// npm's `prepare` hook: builds dist/ (`npm run build`). npm runs it after `npm install` in the
// clone, before `npm pack`/`npm publish`, when installing from git, and on `npm install -g .` and
// `npm link` from a clone.
//
// Those last two (npm 11) symlink the global package to the clone and install nothing into it:
// from a fresh clone there is no node_modules, so neither the compiler nor dtx's own dependencies
// are there. In that case (and only then) this script first runs `npm ci` in the clone, which
// installs the lockfile's dependencies and runs this hook again to build. So `npm install -g .`
// from a fresh clone gives a working `dtx`, exactly as `npm install && npm install -g .` does.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const haveCompiler = existsSync(path.join(root, 'node_modules', 'typescript', 'package.json'));
const linking = env.npm_config_global === 'true' || env.npm_command === 'link';

/** Runs npm (the one running this hook when known) with `args` in the clone; exits on failure. */
function npm(args, childEnv) {
  const execPath = env.npm_execpath;
  const r = execPath && /\.[cm]?js$/.test(execPath)
    ? spawnSync(process.execPath, [execPath, ...args], { cwd: root, env: childEnv, stdio: 'inherit' })
    : spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: root, env: childEnv, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!haveCompiler) {
  if (!linking || env.DTX_PREPARE_BOOTSTRAP) {
    process.stderr.write(
      'error: dtx cannot be built here: its dev dependencies (typescript) are not installed\n' +
        'hint: run `npm install` (or `npm ci`) in the dtx folder first\n',
    );
    process.exit(1);
  }
  // The outer npm's global/prefix settings must not leak into a project-local `npm ci` (it would
  // install into the global prefix), nor its one-off --allow-scripts (an error for a project).
  const childEnv = { DTX_PREPARE_BOOTSTRAP: '1' };
  const drop = /^npm_(config_(global|prefix|global_prefix|local_prefix|location|install_links|allow_scripts|omit|include|dry_run)|command|lifecycle_|package_)/i;
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !drop.test(k)) childEnv[k] = v;
  process.stderr.write('dtx: no node_modules in the clone (npm install -g . / npm link only link it): running `npm ci` there first\n');
  npm(['ci', '--no-audit', '--no-fund'], childEnv);
  if (existsSync(path.join(root, 'dist'))) process.exit(0);
}

npm(['run', 'build'], env);
