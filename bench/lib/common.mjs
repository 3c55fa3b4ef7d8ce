// What the bench scripts share: the repo's paths, free ports, medians, interleaved timing of
// commands, and an embedded PostgreSQL (dtx's own code from dist/, so `npm run build` first).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bin = path.join(root, 'bin', 'dtx.js');

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The median of `xs` (the upper one of an even count); `xs` is left as it is. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs every case (`{ label, cmd, args }`) once per round, rounds interleaved (so a machine busy
 * with something else slows all cases alike and the ratios stay fair), `warmup` rounds first, then
 * `runs` measured rounds. A case that exits non-zero throws. Returns `{ median, min }` ms per case.
 */
export function timeInterleaved(cases, { runs, warmup = 2, env = process.env }) {
  const samples = cases.map(() => []);
  for (let round = 0; round < runs + warmup; round++) {
    cases.forEach(({ cmd, args, label }, i) => {
      const t = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { stdio: 'ignore', env });
      if (r.status !== 0) throw new Error(`${label} exited ${r.status}`);
      if (round >= warmup) samples[i].push(Number(process.hrtime.bigint() - t) / 1e6);
    });
  }
  return samples.map((xs) => ({ median: median(xs), min: Math.min(...xs) }));
}

/** A new temp folder that PostgreSQL can reach (as root, it runs as the postgres user). */
export function tempDir(prefix) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/**
 * An embedded PostgreSQL with its data in `stateDir` (in a tempDir), on a free port. Returns its
 * port, its admin URL (host 127.0.0.1) and stop().
 */
export async function startBenchPostgres(stateDir) {
  const { startEmbedded, stopEmbedded } = await import(path.join(root, 'dist', 'core', 'postgres', 'embedded.js'));
  const port = await freePort();
  const started = await startEmbedded({ stateDir, port });
  const admin = new URL(started.adminUrl);
  admin.hostname = '127.0.0.1';
  return { port, adminUrl: admin.toString(), stop: () => stopEmbedded({ stateDir, timeoutSeconds: 20 }) };
}
