/**
 * Issue 9, item 10: hints that tell the truth and do not loop. Each case runs the built CLI.
 */
import { describe, it, expect } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { dtx, tempStateDir } from '../helpers/cli.js';
import { freshStorage } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';
import { writeBeat } from '../helpers/heartbeat.js';
import { writeHandCatalog } from '../helpers/real-peer.js';

describe('hints', () => {
  it('the URL placeholder reads USER:PASSWORD (was USER:***)', async () => {
    const r = await dtx(['init-postgres', '--pg-url', 'jdbc:postgresql://h:5432/db', '--state-dir', tempStateDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('postgresql://USER:PASSWORD@HOST:PORT/DATABASE');
    expect(r.stderr).not.toContain('USER:***');
  });

  it('undelete with a live transactor says to stop the transactor first', async () => {
    const st = await freshStorage('hu');
    const id = `gone-${randomUUID()}`;
    await writeHandCatalog(st.url, [`{:datomic/deleted #{"${id}"}}`]);
    await writeBeat(st.url, { host: '192.0.2.10' }); // fresh: alive
    const r = await dtx(['db', 'undelete', id, 'back', '--pg-url', st.url, '--state-dir', tempStateDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/hint: .*[Ss]top the transactor first/);
  });

  it('a wrong password in --pg-url is fixed there, never with --reset-password', async () => {
    const st = await freshStorage('hw');
    const wrong = st.url.replace(`:${st.password}@`, ':not-the-password@');
    const r = await dtx(['db', 'list', '--pg-url', wrong, '--state-dir', tempStateDir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('rejected the login');
    expect(r.stderr).not.toContain('--reset-password');
    expect(r.stderr).toMatch(/hint: .*--pg-url/);
    expect(r.stderr).toMatch(/ALTER ROLE/);
  });

  it('init-postgres --no-embedded with nothing on the port: the hint names that port, not a bare `dtx postgres start`', async () => {
    const port = await freePort();
    const r = await dtx(['init-postgres', '--no-embedded', '--pg-url', `postgresql://d:pw-123456@127.0.0.1:${port}/d`, '--state-dir', tempStateDir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('connection refused');
    expect(r.stderr).not.toMatch(/`dtx postgres start`/);
    expect(r.stderr).toMatch(new RegExp(`hint: .*127\\.0\\.0\\.1:${port}.*\`dtx postgres start --pg-url`));
  });

  it('init-postgres --dry-run with another port tells that the embedded server runs (on its port)', async () => {
    // A state dir whose embedded cluster runs on port A (a live pid and its postmaster.pid).
    const state = tempStateDir();
    const data = path.join(state, 'postgres', 'data');
    mkdirSync(data, { recursive: true });
    writeFileSync(path.join(data, 'PG_VERSION'), '18\n');
    const portA = await freePort();
    writeFileSync(path.join(data, 'postmaster.pid'), `${process.pid}\n${data}\n1700000000\n${portA}\n/tmp\nlocalhost\n`);
    const portB = await freePort();
    const r = await dtx(['init-postgres', '--dry-run', '--pg-url', `postgresql://d:pw-123456@127.0.0.1:${portB}/d`, '--state-dir', state]);
    expect(r.stderr).not.toContain('is stopped');
    expect(r.stderr).toContain(`running on port ${portA}, not ${portB}`);
    expect(r.code).toBe(2);
  });
});
