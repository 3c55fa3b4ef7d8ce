#!/usr/bin/env node
// Readiness latency of `transactor start`: ms from the transactor printing "System started" to dtx
// reporting ready (target: < 2000 ms), against the fake Datomic distribution and an embedded
// PostgreSQL in a temp dir. Needs `npm run build` first. N starts (BENCH_RUNS, default 5).
import { rmSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, median, tempDir } from './lib/common.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(root, 'dist', p));
const { startEmbedded, stopEmbedded } = await dist('core/postgres/embedded.js');
const { initPostgres } = await dist('core/postgres/bootstrap.js');
const { parsePgUrl } = await dist('core/postgres/url.js');
const { writeTransactorProperties } = await dist('core/datomic/properties.js');
const { startTransactor } = await dist('core/datomic/transactor/start.js');
const { stopTransactor } = await dist('core/datomic/transactor/stop.js');
const { transactorPaths } = await dist('core/datomic/pidfile.js');

const N = Number(process.env.BENCH_RUNS ?? 5);

const dir = tempDir('dtx-bench-');
const pgPort = await freePort();
const pg = await startEmbedded({ stateDir: dir, port: pgPort });
try {
  const pgUrl = `postgresql://datomic:bench-pw-1@127.0.0.1:${pgPort}/datomic`;
  await initPostgres({ pg: parsePgUrl(pgUrl), adminUrl: pg.adminUrl });
  const results = [];
  for (let i = 0; i < N; i++) {
    const stateDir = path.join(dir, `state-${i}`);
    const paths = transactorPaths(stateDir);
    const props = paths.propertiesFile;
    await writeTransactorProperties(props, {
      pgUrl, host: '127.0.0.1', port: await freePort(), pingHost: '127.0.0.1', pingPort: await freePort(),
      heartbeatIntervalMsec: 1000, dataDir: paths.dataDir, logDir: paths.logDir, pidFile: paths.datomicPidFile,
    });
    const r = await startTransactor({ stateDir, propertiesFile: props, datomicHome: path.join(root, 'test/fixtures/fake-datomic'), env: process.env, javaCheck: false });
    // When the transactor itself printed "System started": the timestamp of that line in its log
    // file (logback's local-time pattern with ms), independent of dtx's polling.
    const logFile = path.join(paths.logDir, readdirSync(paths.logDir).sort().at(-1));
    const line = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('System started')).at(-1) ?? '';
    const [d, t] = line.split(' ');
    const printedAt = new Date(`${d}T${t}`).getTime();
    results.push({ ...r.timings, printedToReadyMs: r.timings.readyAt - printedAt });
    await stopTransactor({ stateDir, timeoutMs: 5000 });
    // the next start must not see this one's heartbeat as a live transactor
    await new Promise((res) => setTimeout(res, 3500));
  }
  const ready = results.map((t) => t.printedToReadyMs).sort((a, b) => a - b);
  const seen = results.map((t) => t.systemStartedToReadyMs).sort((a, b) => a - b);
  const spawn = results.map((t) => t.spawnToReadyMs).sort((a, b) => a - b);
  console.log(`transactor printed "System started" -> dtx ready: median ${median(ready)} ms, max ${ready.at(-1)} ms over ${N} starts; target 2000 ms, ratio ${(ready.at(-1) / 2000).toFixed(3)}`);
  console.log(`dtx saw the line -> ready:                      median ${median(seen)} ms, max ${seen.at(-1)} ms (port + fresh heartbeat checks)`);
  console.log(`spawn -> ready:            median ${median(spawn)} ms, max ${spawn.at(-1)} ms`);
} finally {
  await stopEmbedded({ stateDir: dir });
  rmSync(dir, { recursive: true, force: true });
}
