/**
 * `dtx doctor`'s checks (src/core/doctor) against the real test PostgreSQL, the fake distribution
 * and stand-in heartbeats written in Datomic's format: a healthy setup passes, then each failure
 * one at a time (wrong password, missing table, PUBLIC grant, missing privileges, port held, stale
 * heartbeat, hung transactor, clock skew, missing or old JDBC jar, bad properties, ...) gives its
 * status and fix text, and the checks that depend on a failed one are skipped (warn, skipped: true).
 */
import { describe, it, expect, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { adminUrl, freshStorage, uniqueName, withAdmin } from '../helpers/pg.js';
import { freePort, freePorts } from '../helpers/ports.js';
import { startBeating, writeBeat } from '../helpers/heartbeat.js';
import { classFile, writeZip } from '../helpers/zip-writer.js';
import { installFakeDatomic, fakeDatomicSource } from '../fixtures/fake-datomic/install.mjs';
import { CHECK_NAMES, runDoctor, type DoctorOptions, type DoctorReport } from '../../src/core/doctor/run.js';
import { transactorPaths, writePidFile } from '../../src/core/datomic/pidfile.js';
import { parsePgUrl } from '../../src/core/postgres/url.js';
import { quotePosixArg } from '../../src/core/datomic/script.js';
import type { JavaInfo } from '../../src/core/datomic/java.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.().catch(() => {});
});

const java = (major: number): (() => Promise<JavaInfo>) => async () => ({ javaPath: '/opt/jdk/bin/java', version: `${major}.0.2`, major, description: `openjdk version "${major}.0.2"`, binDir: null });

type Storage = Awaited<ReturnType<typeof freshStorage>>;

async function options(o: { storage?: Storage; home?: string } = {}): Promise<DoctorOptions & { st: Storage }> {
  const st = o.storage ?? (await freshStorage('doc'));
  const stateDir = await mkdtemp(path.join(tmpdir(), 'dtx-doctor-'));
  const [port, pingPort] = (await freePorts(2)) as [number, number];
  const p = transactorPaths(stateDir);
  const pg = parsePgUrl(st.url);
  return {
    st,
    nodeVersion: process.versions.node,
    platform: process.platform,
    env: { PATH: process.env.PATH },
    javaHome: undefined,
    datomicHome: { dir: o.home ?? fakeDatomicSource(), source: '--datomic-home' },
    propertiesFile: undefined,
    generatedProperties: { pgUrl: st.url, host: '127.0.0.1', port, dataDir: p.dataDir, logDir: p.logDir, pidFile: p.datomicPidFile, pingHost: '127.0.0.1', pingPort, heartbeatIntervalMsec: 1000 },
    storageUrl: st.url,
    storage: { host: pg.host, port: pg.port, database: pg.database },
    admin: { url: adminUrl(), known: true },
    embedded: { applies: false, initialized: false, running: false },
    stateDir,
    intervalMs: 1000,
    storageSummary: true,
    javaCheck: java(17),
  };
}

const check = (r: DoctorReport, name: string) => {
  const c = r.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check ${name}`);
  return c;
};

const asAdmin = (st: Storage, sql: string) => withAdmin((c) => c.query(sql), st.database);

describe('doctor: a healthy setup', () => {
  it('every check in order with name/status/detail/fix; no transactor yet is a warning with its fix; exit-worthy only on fail', async () => {
    const o = await options();
    const r = await runDoctor(o);
    expect(r.checks.map((c) => c.name)).toEqual([...CHECK_NAMES]);
    for (const c of r.checks) expect(Object.keys(c).slice(0, 4)).toEqual(['name', 'status', 'detail', 'fix']);
    const bad = r.checks.filter((c) => c.status !== 'pass').map((c) => c.name);
    expect(bad).toEqual(['heartbeat', 'clock-skew']);
    expect(check(r, 'heartbeat')).toMatchObject({ status: 'warn', fix: 'Start one: `dtx transactor start`.' });
    expect(check(r, 'heartbeat').detail).toMatch(/no transactor has registered/);
    expect(check(r, 'clock-skew')).toMatchObject({ status: 'warn', skipped: true });
    expect(check(r, 'clock-skew').detail).toMatch(/^skipped: /);
    expect(check(r, 'java').detail).toMatch(/Java 17\.0\.2 .* needs Java 11 or newer/);
    expect(check(r, 'jdbc-driver').detail).toBe('lib/postgresql-42.7.3.jar');
    expect(check(r, 'kvs-table').detail).toMatch(/no PUBLIC grant/);
    expect(check(r, 'locale').detail).toMatch(/encoding UTF8/);
    expect(check(r, 'transactor-port').detail).toMatch(/is free/);
    expect(check(r, 'storage').detail).toMatch(/^0 rows \(0 B\): 0 databases 0 rows/);
    expect(r.ok).toBe(true);
    expect(r.counts).toEqual({ pass: 14, warn: 2, fail: 0 });
    expect(JSON.stringify(r)).not.toContain(o.st.password);
  });
});

describe('doctor: failures one by one, each with its fix', () => {
  it('wrong storage password: postgres-role fails with the --pg-url fix; what needs the connection is skipped', async () => {
    const o = await options();
    const wrong = o.st.url.replace(o.st.password, 'Wrong-pw-123');
    const r = await runDoctor({ ...o, storageUrl: wrong, generatedProperties: { ...o.generatedProperties, pgUrl: wrong } });
    const role = check(r, 'postgres-role');
    expect(role.status).toBe('fail');
    expect(role.detail).toMatch(/rejected the login of role/);
    expect(role.fix).toMatch(/--pg-url/);
    for (const n of ['kvs-table', 'locale', 'heartbeat', 'clock-skew', 'standby', 'storage']) {
      expect(check(r, n), n).toMatchObject({ status: 'warn', skipped: true });
      expect(check(r, n).detail, n).toMatch(/^skipped: no connection to the storage database/);
    }
    expect(r.ok).toBe(false);
    expect(r.counts.fail).toBe(1);
    expect(JSON.stringify(r)).not.toContain('Wrong-pw-123');
  });

  it('nothing listens: the fix names `dtx postgres start` when the embedded server of the state dir exists, `dtx init-postgres` when not', async () => {
    const o = await options();
    const url = `postgresql://datomic:Pw-abc-123@127.0.0.1:${await freePort()}/datomic`;
    const base = { ...o, storageUrl: url, admin: { url: adminUrl(), known: true } };
    const stopped = await runDoctor({ ...base, embedded: { applies: true, initialized: true, running: false } });
    expect(check(stopped, 'postgres-role')).toMatchObject({ status: 'fail' });
    expect(check(stopped, 'postgres-role').fix).toMatch(/`dtx postgres start`/);
    const none = await runDoctor({ ...base, embedded: { applies: true, initialized: false, running: false } });
    expect(check(none, 'postgres-role').fix).toMatch(/`dtx init-postgres` starts dtx's embedded PostgreSQL/);
  });

  it('admin: an unknown default that fails is a warning (only init-postgres needs it); a given one that fails is a failure', async () => {
    const o = await options();
    const bad = `postgresql://postgres:Admin-pw-999@127.0.0.1:${await freePort()}/postgres`;
    const unknown = await runDoctor({ ...o, admin: { url: bad, known: false }, storageSummary: false });
    expect(check(unknown, 'postgres-admin')).toMatchObject({ status: 'warn' });
    expect(check(unknown, 'postgres-admin').fix).toMatch(/--admin-url/);
    const given = await runDoctor({ ...o, admin: { url: bad, known: true }, storageSummary: false });
    expect(check(given, 'postgres-admin')).toMatchObject({ status: 'fail' });
    expect(JSON.stringify([unknown, given])).not.toContain('Admin-pw-999');
  });

  it('missing table: kvs-table fails with `dtx init-postgres`; the heartbeat and storage checks are skipped', async () => {
    const o = await options();
    await asAdmin(o.st, 'DROP TABLE datomic_kvs');
    const r = await runDoctor(o);
    expect(check(r, 'kvs-table')).toMatchObject({ status: 'fail' });
    expect(check(r, 'kvs-table').detail).toMatch(/does not exist/);
    expect(check(r, 'kvs-table').fix).toMatch(/dtx init-postgres/);
    for (const n of ['heartbeat', 'clock-skew', 'standby', 'storage']) expect(check(r, n).detail).toMatch(/^skipped: datomic_kvs is not usable/);
    expect(check(r, 'locale').status).toBe('pass');
  });

  it('PUBLIC grant (Datomic\'s bundled script): a warning with the REVOKE; a role that only has PUBLIC\'s gets the GRANT first', async () => {
    const o = await options();
    await asAdmin(o.st, 'GRANT ALL ON TABLE datomic_kvs TO public');
    const r = await runDoctor({ ...o, storageSummary: false });
    expect(check(r, 'kvs-table')).toMatchObject({ status: 'warn', fix: 'As the table owner ("postgres") or a superuser: REVOKE ALL ON TABLE public.datomic_kvs FROM PUBLIC;' });
    expect(check(r, 'kvs-table').detail).toMatch(/PUBLIC has .*SELECT.* every role on this server can read and change all Datomic data/);
    await asAdmin(o.st, `REVOKE ALL ON TABLE datomic_kvs FROM "${o.st.role}"`);
    const r2 = await runDoctor({ ...o, storageSummary: false });
    expect(check(r2, 'kvs-table').status).toBe('warn');
    expect(check(r2, 'kvs-table').fix).toBe(
      `Role "${o.st.role}" only has access through PUBLIC: first GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.datomic_kvs TO "${o.st.role}"; then REVOKE ALL ON TABLE public.datomic_kvs FROM PUBLIC; (as the table owner "postgres" or a superuser).`,
    );
    expect(r2.ok).toBe(true);
  });

  it('missing privileges: kvs-table fails with the GRANT to run', async () => {
    const o = await options();
    await asAdmin(o.st, `REVOKE DELETE, UPDATE ON TABLE datomic_kvs FROM "${o.st.role}"`);
    const r = await runDoctor(o);
    expect(check(r, 'kvs-table')).toMatchObject({ status: 'fail' });
    expect(check(r, 'kvs-table').detail).toBe(`role "${o.st.role}" lacks UPDATE, DELETE on public.datomic_kvs`);
    expect(check(r, 'kvs-table').fix).toMatch(/GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public\.datomic_kvs TO/);
  });

  it('the transactor port held by another program: fails naming the holder (pid and command line on Linux)', async () => {
    const o = await options();
    const srv = net.createServer();
    await new Promise<void>((res) => srv.listen(o.generatedProperties.port, '127.0.0.1', res));
    cleanups.push(() => new Promise((res) => srv.close(res)));
    const r = await runDoctor({ ...o, storageSummary: false });
    const p = check(r, 'transactor-port');
    expect(p.status).toBe('fail');
    if (process.platform === 'linux') expect(p.detail).toMatch(new RegExp(`127\\.0\\.0\\.1:${o.generatedProperties.port} is in use by pid ${process.pid} \\(.*node`));
    expect(p.fix).toMatch(/--port/);
    expect(check(r, 'ping-port').status).toBe('pass');
  });

  it('stale heartbeat, no process: a warning naming the last transactor and `dtx transactor start`; clock skew cannot be measured', async () => {
    const o = await options();
    await writeBeat(o.st.url, { skewMs: -600_000 });
    const r = await runDoctor({ ...o, storageSummary: false });
    const hb = check(r, 'heartbeat');
    expect(hb.status).toBe('warn');
    expect(hb.detail).toMatch(/no transactor is serving this storage: the last heartbeat \(192\.0\.2\.10:4334, version 1\.0\.7469\) is 6\d\d s old by its timestamp and it did not advance in 1\.\d s \(interval 1000 ms\)$/);
    expect(hb.fix).toMatch(/`dtx transactor start`/);
    expect(check(r, 'clock-skew')).toMatchObject({ status: 'warn', skipped: true });
    expect(r.ok).toBe(true);
  });

  it('a hung transactor (its process runs, its heartbeat is stale) fails; its ports count as held by it', async () => {
    const o = await options();
    // a stand-in whose command line looks like the fake transactor's and that listens on both ports
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-hung-'));
    const script = path.join(dir, 'transactor.mjs');
    await writeFile(script, `import net from 'node:net'; for (const p of process.argv.slice(2)) net.createServer().listen(Number(p), '127.0.0.1'); console.log('up');`);
    const child: ChildProcess = spawn(process.execPath, [script, String(o.generatedProperties.port), String(o.generatedProperties.pingPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(async () => child.kill('SIGKILL'));
    await new Promise((res) => child.stdout!.once('data', res));
    await writePidFile(transactorPaths(o.stateDir).pidFile, child.pid!);
    await writeBeat(o.st.url, { skewMs: -60_000 });
    const r = await runDoctor({ ...o, storageSummary: false });
    const hb = check(r, 'heartbeat');
    expect(hb.status).toBe('fail');
    expect(hb.detail).toMatch(new RegExp(`yet the transactor this state dir started \\(pid ${child.pid}\\) is running: it is hung or has lost its storage`));
    expect(hb.fix).toMatch(/dtx transactor logs/);
    expect(check(r, 'transactor-port')).toMatchObject({ status: 'pass' });
    expect(check(r, 'transactor-port').detail).toMatch(/held by the transactor this state dir started|presumably by the transactor/);
    expect(check(r, 'ping-port').status).toBe('pass');
  });

  it('a live heartbeat 5 s ahead: heartbeat passes, clock-skew warns with the measured skew; a live standby passes, a stale one warns', async () => {
    const o = await options();
    const tx = await startBeating(o.st.url, { skewMs: 5000, everyMs: 300 });
    cleanups.push(tx.stop);
    const sb = await startBeating(o.st.url, { id: 'pod-standby', everyMs: 300 });
    cleanups.push(sb.stop);
    const r = await runDoctor({ ...o, storageSummary: false });
    expect(check(r, 'heartbeat')).toMatchObject({ status: 'pass' });
    expect(check(r, 'heartbeat').detail).toMatch(/a live transactor is active at 192\.0\.2\.10:4334, version 1\.0\.7469: rev \d+ → \d+ while watched/);
    const skew = check(r, 'clock-skew');
    expect(skew.status).toBe('warn');
    const m = /is (\d+) ms ahead of this machine's \(±(\d+) ms\)/.exec(skew.detail);
    expect(m, skew.detail).not.toBeNull();
    expect(Math.abs(Number(m![1]) - 5000)).toBeLessThanOrEqual(Number(m![2]) + 50);
    expect(skew.fix).toMatch(/NTP/);
    expect(check(r, 'standby')).toMatchObject({ status: 'pass' });
    // the heartbeat vector's per-process credentials never leave the parser
    expect(JSON.stringify(r)).not.toMatch(/hb-password|hb-user/);
    await sb.stop();
    const r2 = await runDoctor({ ...o, storageSummary: false });
    expect(check(r2, 'standby')).toMatchObject({ status: 'warn' });
    expect(check(r2, 'standby').fix).toMatch(/--standby/);
    expect(check(r2, 'heartbeat').status).toBe('pass');
  });

  it('in-sync clocks: clock-skew passes', async () => {
    const o = await options();
    const tx = await startBeating(o.st.url, { everyMs: 300 });
    cleanups.push(tx.stop);
    const r = await runDoctor({ ...o, storageSummary: false });
    expect(check(r, 'clock-skew')).toMatchObject({ status: 'pass', fix: null });
  });

  it('missing JDBC jar, and one too old for SCRAM passwords: jdbc-driver fails with the fix', async () => {
    const home = await installFakeDatomic(path.join(await mkdtemp(path.join(tmpdir(), 'dtx-doc-home-')), 'datomic-pro-1.0.7469'));
    const lib = path.join(home, 'lib');
    for (const f of await readdir(lib)) if (f.startsWith('postgresql-')) await rm(path.join(lib, f));
    const o = await options({ home });
    const r = await runDoctor({ ...o, storageSummary: false });
    expect(check(r, 'jdbc-driver')).toMatchObject({ status: 'fail' });
    expect(check(r, 'jdbc-driver').detail).toMatch(/no PostgreSQL JDBC driver \(postgresql-\*\.jar\) in .*lib/);
    expect(check(r, 'jdbc-driver').fix).toMatch(/jdbc\.postgresql\.org\/download/);
    await writeFile(path.join(lib, 'postgresql-9.3-1102-jdbc41.jar'), '');
    const old = await runDoctor({ ...o, storageSummary: false });
    expect(check(old, 'jdbc-driver')).toMatchObject({ status: 'fail' });
    expect(check(old, 'jdbc-driver').detail).toMatch(/cannot log in with SCRAM-SHA-256 passwords \(pgjdbc 42\.2\.0 or newer/);
    await writeFile(path.join(lib, 'postgresql-42.2.5.jre7.jar'), '');
    expect(check(await runDoctor({ ...o, storageSummary: false }), 'jdbc-driver').status).toBe('fail');
    await writeFile(path.join(lib, 'postgresql-42.7.4.jar'), '');
    const two = await runDoctor({ ...o, storageSummary: false });
    expect(check(two, 'jdbc-driver')).toMatchObject({ status: 'warn' });
    expect(check(two, 'jdbc-driver').detail).toMatch(/several PostgreSQL JDBC drivers/);
  });

  it('a distribution whose jars need Java 17 with Java 11 on the PATH: java fails with a fix naming 17', async () => {
    const home = await installFakeDatomic(path.join(await mkdtemp(path.join(tmpdir(), 'dtx-doc-home-')), 'datomic-pro-1.0.9999'));
    await rm(path.join(home, 'datomic-transactor-pro-1.0.7469.jar'));
    await writeFile(path.join(home, 'datomic-transactor-pro-1.0.9999.jar'), writeZip([{ name: 'datomic/launcher.class', data: classFile(61) }, { name: 'datomic/x.class', data: classFile(52) }]));
    const o = await options({ home });
    const r = await runDoctor({ ...o, javaCheck: java(11), storageSummary: false });
    const j = check(r, 'java');
    expect(j.status).toBe('fail');
    expect(j.detail).toMatch(/Java 11\.0\.2 at .* is too old for this distribution: it needs Java 17 or newer \(the class files of datomic-transactor-pro-1\.0\.9999\.jar need it, e\.g\. datomic\/launcher\.class\)/);
    expect(j.fix).toMatch(/Java 17 or newer/);
    expect(check(await runDoctor({ ...o, javaCheck: java(21), storageSummary: false }), 'java').status).toBe('pass');
  });

  it('no Java at all: the platform fix (real checkJava with an empty PATH)', async () => {
    const o = await options();
    const r = await runDoctor({ ...o, javaCheck: undefined, env: { PATH: '/nonexistent' }, storageSummary: false });
    expect(check(r, 'java')).toMatchObject({ status: 'fail', detail: 'java was not found on the PATH' });
    expect(check(r, 'java').fix).toMatch(/Java 11 or newer/);
  });

  it('distribution: none configured is a warning; a wrong folder fails with the hint; the JDBC check is then skipped', async () => {
    const o = await options();
    const none = await runDoctor({ ...o, datomicHome: null, storageSummary: false });
    expect(check(none, 'distribution')).toMatchObject({ status: 'warn' });
    expect(check(none, 'distribution').fix).toMatch(/--datomic-home/);
    expect(check(none, 'jdbc-driver')).toMatchObject({ status: 'warn', skipped: true });
    const wrong = await runDoctor({ ...o, datomicHome: { dir: path.join(fakeDatomicSource(), 'bin'), source: 'DATOMIC_HOME' }, storageSummary: false });
    expect(check(wrong, 'distribution')).toMatchObject({ status: 'fail' });
    expect(check(wrong, 'distribution').fix).toMatch(/Use the install root instead/);
  });

  it('bad properties: Datomic\'s missing-property message with its fix; a non-PostgreSQL sql-url is shown with its password masked', async () => {
    const o = await options();
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-doc-props-'));
    const missing = path.join(dir, 'missing.properties');
    await writeFile(missing, 'protocol=sql\nhost=localhost\nmemory-index-threshold=32m\nmemory-index-max=256m\nobject-cache-max=128m\nsql-url=jdbc:postgresql://localhost/datomic\nsql-driver-class=org.postgresql.Driver\n', { mode: 0o600 });
    const r = await runDoctor({ ...o, propertiesFile: missing, storageSummary: false });
    const p = check(r, 'properties');
    expect(p.status).toBe('fail');
    expect(p.detail).toBe(`:db.error/missing-transactor-property 'port' property not set, required for protocol: sql in ${missing}`);
    expect(p.fix).toMatch(/Add port=\.\.\. to/);
    const mysql = path.join(dir, 'mysql.properties');
    await writeFile(mysql, 'protocol=sql\nhost=localhost\nport=4334\nmemory-index-threshold=32m\nmemory-index-max=256m\nobject-cache-max=128m\nsql-url=jdbc:mysql://db/datomic?user=u&password=My-Sekrit-77\nsql-driver-class=com.mysql.Driver\n', { mode: 0o600 });
    const r2 = await runDoctor({ ...o, propertiesFile: mysql, storageSummary: false });
    expect(check(r2, 'properties').status).toBe('fail');
    expect(check(r2, 'properties').detail).toContain('password=***');
    expect(JSON.stringify(r2)).not.toContain('My-Sekrit-77');
  });

  it('a properties file readable by others that holds the password, and one naming other storage: warnings with the fix', async () => {
    const o = await options();
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-doc-props-'));
    const file = path.join(dir, 'open.properties');
    const pg = parsePgUrl(o.st.url);
    await writeFile(file, `protocol=sql\nhost=127.0.0.1\nport=${o.generatedProperties.port}\nmemory-index-threshold=32m\nmemory-index-max=256m\nobject-cache-max=128m\nsql-url=jdbc:postgresql://127.0.0.1:${pg.port}/${pg.database}\nsql-user=${pg.user}\nsql-password=${pg.password}\nsql-driver-class=org.postgresql.Driver\n`);
    await chmod(file, 0o644);
    const r = await runDoctor({ ...o, propertiesFile: file, storageSummary: false });
    expect(check(r, 'properties')).toMatchObject({ status: 'warn', fix: `chmod 600 ${quotePosixArg(file)}` });
    expect(check(r, 'properties').detail).toMatch(/holds the storage password and is readable by others \(mode 644\)/);
    // the checks run on the file's storage, which works
    expect(check(r, 'postgres-role').status).toBe('pass');
    await chmod(file, 0o600);
    const other = await runDoctor({ ...o, propertiesFile: file, storage: { ...o.storage, database: 'elsewhere' }, storageSummary: false });
    expect(check(other, 'properties').status).toBe('warn');
    expect(check(other, 'properties').detail).toMatch(/its sql-url names 127\.0\.0\.1:\d+\/\w+, not dtx's storage target 127\.0\.0\.1:\d+\/elsewhere/);
    expect(JSON.stringify([r, other])).not.toContain(pg.password!);
  });

  it('a storage database that is not UTF8: locale warns with the fix', async () => {
    const st = await freshStorage('doc');
    const db = uniqueName('ascii');
    await withAdmin((c) => c.query(`CREATE DATABASE ${db} ENCODING 'SQL_ASCII' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C' OWNER "${st.role}"`));
    const url = st.url.replace(/\/[^/]+$/, `/${db}`);
    const o = await options({ storage: { ...st, url, database: db } });
    const r = await runDoctor({ ...o, storageSummary: false });
    expect(check(r, 'locale')).toMatchObject({ status: 'warn' });
    expect(check(r, 'locale').detail).toMatch(/encoding SQL_ASCII, collation C, ctype C: Datomic's bin\/sql\/postgres-db\.sql creates it as UTF8/);
    expect(check(r, 'locale').fix).toMatch(/backup-db \/ restore-db/);
  });

  it('storage: unreferenced rows warn with `dtx storage gc --dry-run`; a large table is skipped; --no-storage skips', async () => {
    const o = await options();
    await withAdmin(async (c) => {
      await c.query(`insert into datomic_kvs (id, map, val) values ($1, '{}', $2)`, ['5f000000-0000-4000-8000-000000000001', Buffer.alloc(2 * 1024 * 1024, 1)]);
      await c.query(`insert into datomic_kvs (id, map, val) values ($1, '{}', $2)`, ['5f000000-0000-4000-8000-000000000002', Buffer.from([0x1f, 0x8b])]);
    }, o.st.database);
    const r = await runDoctor(o);
    const s = check(r, 'storage');
    expect(s.status).toBe('warn');
    expect(s.detail).toMatch(/^2 rows \(2\.0 MiB\): 0 databases 0 rows, catalog and heartbeats 0 rows, unreferenced 2 rows \(2\.0 MiB\)$/);
    expect(s.fix).toMatch(/dtx storage gc --dry-run/);
    const big = await runDoctor({ ...o, storageMaxRows: 1 });
    expect(check(big, 'storage')).toMatchObject({ status: 'warn', skipped: true });
    expect(check(big, 'storage').detail).toMatch(/^skipped: datomic_kvs holds about 2 rows \(more than 1\)/);
    expect(check(big, 'storage').fix).toMatch(/dtx storage report/);
    const off = await runDoctor({ ...o, storageSummary: false });
    expect(check(off, 'storage')).toMatchObject({ status: 'warn', skipped: true, detail: 'skipped: turned off with --no-storage' });
  });

  it('disk space below the thresholds: warn, then fail, with the fix', async () => {
    const o = await options();
    const w = await runDoctor({ ...o, storageSummary: false, diskThresholds: { failBytes: 1, warnBytes: Number.MAX_SAFE_INTEGER } });
    expect(check(w, 'disk-space')).toMatchObject({ status: 'warn' });
    const f = await runDoctor({ ...o, storageSummary: false, diskThresholds: { failBytes: Number.MAX_SAFE_INTEGER, warnBytes: Number.MAX_SAFE_INTEGER } });
    expect(check(f, 'disk-space')).toMatchObject({ status: 'fail' });
    expect(check(f, 'disk-space').detail).toMatch(/^log-dir .* and data-dir .*: .* free of /);
    expect(check(f, 'disk-space').fix).toMatch(/log-dir/);
    expect(f.ok).toBe(false);
  });

  it('a corrupt heartbeat row and a corrupt catalog: those checks fail with their hint (never the row), the run goes on', async () => {
    const o = await options();
    await withAdmin(async (c) => {
      await c.query(`insert into datomic_kvs (id, rev, map) values ('pod-coord', 3, '{:key "[\\"h\\" nil"}')`);
      await c.query(`insert into datomic_kvs (id, rev, map) values ('pod-catalog', 0, '{:tail "5f000000-0000-4000-8000-00000000dead"}')`);
    }, o.st.database);
    const r = await runDoctor(o);
    expect(check(r, 'heartbeat')).toMatchObject({ status: 'fail' });
    expect(check(r, 'heartbeat').detail).toMatch(/the heartbeat row pod-coord is unreadable/);
    expect(check(r, 'heartbeat').fix).toMatch(/restart it/);
    expect(check(r, 'clock-skew').detail).toMatch(/^skipped: the heartbeats could not be read/);
    expect(check(r, 'standby')).toMatchObject({ skipped: true });
    expect(check(r, 'storage')).toMatchObject({ status: 'fail' });
    expect(check(r, 'storage').detail).toMatch(/5f000000-0000-4000-8000-00000000dead/);
    expect(check(r, 'disk-space').status).toBe('pass');
  });

  it('an old Node.js fails with the install fix', async () => {
    const o = await options();
    const r = await runDoctor({ ...o, nodeVersion: '18.19.0', storageSummary: false });
    expect(check(r, 'node')).toMatchObject({ status: 'fail', detail: 'Node.js v18.19.0 is too old: dtx needs 20 or newer' });
  });

  it('Ctrl-C while the heartbeat is watched: CANCELLED, never a verdict', async () => {
    const o = await options();
    await writeBeat(o.st.url, {});
    const ac = new AbortController();
    const p = runDoctor({ ...o, storageSummary: false, signal: ac.signal, onProgress: (s) => { if (/watching/.test(s)) setTimeout(() => ac.abort(), 50); } });
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED', exitCode: 130 });
  });
});

// keep the fixture folder untouched by the tests above (they copy it before changing it)
it('the fake distribution in place still has its JDBC jar', async () => {
  expect(await readdir(path.join(fakeDatomicSource(), 'lib'))).toContain('postgresql-42.7.3.jar');
});
