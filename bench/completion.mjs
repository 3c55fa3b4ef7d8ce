#!/usr/bin/env node
// The completion fast path: `dtx __complete db-name` (what Tab runs for database names) against a
// bare `node -e ""` and `dtx --version`, N runs each. Without a server it measures the error path
// (a closed port: prints nothing); with DTX_BENCH_PG_URL (a storage URL with a catalog) the real
// lookup. Target: a Tab press stays well under half a second; ratio to --version ≲ 3.
// Also `dtx completion bash` (generating the script from the program).
import { bin, freePort, timeInterleaved } from './lib/common.mjs';

const N = Number(process.env.BENCH_RUNS ?? 15);
const env = { ...process.env };
delete env.DTX_PG_URL;

const closedPort = await freePort();
const rows = [
  ['__complete db-name (closed port)', [bin, '__complete', 'db-name', '--', 'dtx', '--pg-url', `postgresql://u:p@127.0.0.1:${closedPort}/d`]],
  ...(process.env.DTX_BENCH_PG_URL ? [['__complete db-name (catalog)', [bin, '__complete', 'db-name', '--', 'dtx', '--pg-url', process.env.DTX_BENCH_PG_URL]]] : []),
  ['completion bash', [bin, 'completion', 'bash']],
];
// every command once per round, rounds interleaved, so that the ratios stay fair on a busy machine
const [base, version, ...timed] = timeInterleaved(
  [['node -e ""', ['-e', '']], ['dtx --version', [bin, '--version']], ...rows].map(([label, args]) => ({ label, cmd: process.execPath, args })),
  { runs: N, env },
);
console.log(`node -e ""                          median ${base.median.toFixed(1)} ms  (min ${base.min.toFixed(1)})`);
console.log(`dtx --version                       median ${version.median.toFixed(1)} ms  ratio to bare node ${(version.median / base.median).toFixed(2)}`);
rows.forEach(([label], i) => {
  const r = timed[i];
  console.log(`dtx ${label.padEnd(32)} median ${r.median.toFixed(1)} ms  (min ${r.min.toFixed(1)})  ratio to --version ${(r.median / version.median).toFixed(2)}`);
});
if (!process.env.DTX_BENCH_PG_URL) console.log('(set DTX_BENCH_PG_URL=postgresql://... to time a real catalog lookup)');
