#!/usr/bin/env node
// `dtx up` run twice: the first does the work (storage, transactor, database), the second only
// checks. Prints the first run's time, then the median of N second runs (BENCH_RUNS, default 5),
// wall clock (Node's start included) and as dtx measures it (elapsedMs), against `dtx --version`
// as the floor. Against an embedded PostgreSQL in a temp dir (a configured server to dtx) and the
// fake Datomic distribution. Needs `npm run build` first.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { bin, freePort, median, root, startBenchPostgres, tempDir } from './lib/common.mjs';

const N = Number(process.env.BENCH_RUNS ?? 5);

const dir = tempDir('dtx-bench-up-');
const env = { ...process.env, DTX_HOME: path.join(dir, 'home'), NO_COLOR: '1' };
delete env.DATOMIC_HOME;
const dtx = (args) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`dtx ${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return { ms, out: r.stdout };
};

const pg = await startBenchPostgres(path.join(dir, 'pg'));
const pgPort = pg.port;
const state = path.join(dir, 'state');
const args = [
  '--json', 'up', '--db', 'bench',
  '--state-dir', state,
  '--pg-url', `postgresql://datomic:bench-pw-1@127.0.0.1:${pgPort}/datomic`,
  '--admin-url', pg.adminUrl,
  '--datomic-home', path.join(root, 'test/fixtures/fake-datomic'),
  '--port', String(await freePort()), '--ping-port', String(await freePort()), '--heartbeat-interval-msec', '1000',
];
try {
  const first = dtx(args);
  const firstDoc = JSON.parse(first.out);
  const wall = [];
  const inside = [];
  for (let i = 0; i < N; i++) {
    const r = dtx(args);
    const doc = JSON.parse(r.out);
    if (doc.changed) throw new Error('a second `up` changed something');
    wall.push(r.ms);
    inside.push(doc.elapsedMs);
  }
  const version = [];
  for (let i = 0; i < N; i++) version.push(dtx(['--version']).ms);
  console.log(`up (first run):  ${first.ms.toFixed(0)} ms wall, ${firstDoc.elapsedMs} ms inside dtx (storage, transactor start, db create)`);
  console.log(`up (second run): ${median(wall).toFixed(0)} ms wall, ${median(inside)} ms inside dtx (median of ${N}; changed: false)`);
  console.log(`dtx --version:   ${median(version).toFixed(0)} ms wall; a second up is ${(median(wall) / median(version)).toFixed(2)}x that`);
} finally {
  spawnSync(process.execPath, [bin, 'down', '--state-dir', state, '--keep-postgres'], { env });
  await pg.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
