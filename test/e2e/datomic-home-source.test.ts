/**
 * Where the Datomic installation came from. `dtx doctor` names it: the default recorded by
 * `dtx datomic install`, or the last transactor start of the state dir (which wins over that
 * default), the way every other command picks it (commands/shared/datomic.ts); `transactor service`
 * says to reinstall a missing default, like the others.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dtx, tempStateDir } from '../helpers/cli.js';
import { FAKE_DATOMIC, fakeDistributionZip } from '../helpers/datomic-zip.js';
import { freePort } from '../helpers/ports.js';
import { transactorPaths, writeLaunchRecord } from '../../src/core/datomic/pidfile.js';

const V = '1.0.7469';
let h = '';
let pg: string[] = [];

beforeAll(async () => {
  h = mkdtempSync(path.join(tmpdir(), 'dtx-home-doc-'));
  const zipFile = path.join(h, `datomic-pro-${V}.zip`);
  writeFileSync(zipFile, fakeDistributionZip());
  const r = await dtx(['datomic', 'install', '--from-file', zipFile], { env: { DTX_HOME: h } });
  if (r.code !== 0) throw new Error(r.stderr);
  pg = ['--no-storage', '--pg-url', `postgresql://u:p@127.0.0.1:${await freePort()}/x`];
});

async function distribution(state: string): Promise<string> {
  const r = await dtx(['--json', 'doctor', ...pg, '--state-dir', state], { env: { DTX_HOME: h, DATOMIC_HOME: undefined } });
  const checks = (r.json() as { checks: { name: string; detail: string }[] }).checks;
  return checks.find((c) => c.name === 'distribution')?.detail ?? '';
}

describe('doctor: where the Datomic installation came from', () => {
  it('the installed default, then the last transactor start of the state dir', async () => {
    const state = tempStateDir('dtx-doc-src-');
    expect(await distribution(state)).toBe(`Datomic Pro ${V} at ${path.join(h, 'datomic', V)} (from the default of \`dtx datomic install\`)`);
    const paths = transactorPaths(state);
    await writeLaunchRecord(paths.launchFile, {
      pid: 999_999_999,
      propertiesFile: path.join(state, 'transactor.properties'),
      datomicHome: FAKE_DATOMIC,
      host: 'localhost',
      port: 4334,
      pingHost: null,
      pingPort: null,
      heartbeatIntervalMsec: 5000,
      datomicPidFile: null,
      logDir: null,
      outLog: paths.outLog,
      platform: process.platform,
      standby: false,
      startedAt: new Date().toISOString(),
    });
    expect(await distribution(state)).toMatch(new RegExp(`at ${FAKE_DATOMIC.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(from the last \`dtx transactor start\` of this state dir\\)$`));
  });
});

describe('transactor service: a missing installed default', () => {
  it('says to reinstall it, like every other command', async () => {
    const h2 = mkdtempSync(path.join(tmpdir(), 'dtx-home-svc-'));
    const zipFile = path.join(h2, `datomic-pro-${V}.zip`);
    writeFileSync(zipFile, fakeDistributionZip());
    const env = { DTX_HOME: h2, DATOMIC_HOME: undefined };
    expect((await dtx(['datomic', 'install', '--from-file', zipFile], { env })).code).toBe(0);
    rmSync(path.join(h2, 'datomic', V), { recursive: true });
    const r = await dtx(['transactor', 'service', '--systemd', '--state-dir', tempStateDir('dtx-svc-src-'), '--pg-url', 'postgresql://u:p@db.internal/x'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: Datomic home does not exist: .* \(the default recorded by `dtx datomic install` in .*\)\nhint: Reinstall it with `dtx datomic install --force`/);
  });
});
