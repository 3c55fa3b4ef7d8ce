#!/usr/bin/env node
// The completion fast path: `dtx __complete db-name` (what Tab runs for database names) against a
// bare `node -e ""` and `dtx --version`, N runs each. Without a server it measures the error path
// (a closed port: prints nothing); with DTX_BENCH_PG_URL (a storage URL with a catalog) the real
// lookup. Target: a Tab press stays well under half a second; ratio to --version ≲ 3.
// Also `dtx completion bash` (generating the script from the program).
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'dtx.js');
const N = Number(process.env.BENCH_RUNS ?? 15);

function time(args) {
  const samples = [];
  for (let i = 0; i < N + 2; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore', env: { ...process.env, DTX_PG_URL: undefined } });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    if (i >= 2) samples.push(Number(process.hrtime.bigint() - t) / 1e6); // 2 warm-up runs
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0] };
}

const closedPort = await new Promise((resolve) => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const base = time(['-e', '']);
const version = time([bin, '--version']);
console.log(`node -e ""                          median ${base.median.toFixed(1)} ms  (min ${base.min.toFixed(1)})`);
console.log(`dtx --version                       median ${version.median.toFixed(1)} ms  ratio to bare node ${(version.median / base.median).toFixed(2)}`);
const rows = [
  ['__complete db-name (closed port)', [bin, '__complete', 'db-name', '--', 'dtx', '--pg-url', `postgresql://u:p@127.0.0.1:${closedPort}/d`]],
  ...(process.env.DTX_BENCH_PG_URL ? [['__complete db-name (catalog)', [bin, '__complete', 'db-name', '--', 'dtx', '--pg-url', process.env.DTX_BENCH_PG_URL]]] : []),
  ['completion bash', [bin, 'completion', 'bash']],
];
for (const [label, args] of rows) {
  const r = time(args);
  console.log(`dtx ${label.padEnd(32)} median ${r.median.toFixed(1)} ms  (min ${r.min.toFixed(1)})  ratio to --version ${(r.median / version.median).toFixed(2)}`);
}
if (!process.env.DTX_BENCH_PG_URL) console.log('(set DTX_BENCH_PG_URL=postgresql://... to time a real catalog lookup)');
