/**
 * The fake Datomic Pro distribution (test/fixtures/fake-datomic) against the real test PostgreSQL:
 * properties validation, storage failures, heartbeat rows, standby, the fake peer (bin/run), the
 * rows create/delete write (docs/datomic-storage.md §6/§5), gc-deleted-dbs, and a copy under a path with spaces.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freshDatabase, freshStorage, adminUrl, withAdmin } from '../helpers/pg.js';
import { realPeerAvailable } from '../helpers/real-peer.js';
import { freePort } from '../helpers/ports.js';
import { installFakeDatomic } from '../fixtures/fake-datomic/install.mjs';

const HOME = fileURLToPath(new URL('../fixtures/fake-datomic/', import.meta.url));
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

interface Proc { child: ChildProcess; out: string; err: string; exit: Promise<number | null> }
const procs: Proc[] = [];
let work: string;

beforeAll(async () => { work = await mkdtemp(path.join(tmpdir(), 'dtx-fake-datomic-')); });
afterEach(() => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});
afterAll(async () => { await rm(work, { recursive: true, force: true }); });

function run(cmd: string, args: string[], env: Record<string, string> = {}, cwd?: string): Proc {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = {
    child, out: '', err: '',
    exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  child.stdout!.on('data', (d: Buffer) => { p.out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { p.err += d.toString(); });
  procs.push(p);
  return p;
}

async function waitFor(p: Proc, re: RegExp, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!re.test(p.out)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${re}; stdout:\n${p.out}\nstderr:\n${p.err}`);
    if (p.child.exitCode !== null) throw new Error(`exited ${p.child.exitCode} before ${re}; stdout:\n${p.out}\nstderr:\n${p.err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Storage = Awaited<ReturnType<typeof freshStorage>>;
function jdbc(s: Storage, withCreds = false): string {
  const u = new URL(s.url);
  return `jdbc:postgresql://${u.hostname}:${u.port}${u.pathname}${withCreds ? `?user=${s.role}&password=${s.password}` : ''}`;
}
const dbUri = (s: Storage, name: string) => `datomic:sql://${name}?${jdbc(s, true)}`;

async function writeProps(s: Storage | null, extra: Record<string, string | null> = {}, dir = work): Promise<{ file: string; logDir: string; port: number }> {
  const port = extra.port ? Number(extra.port) : await freePort();
  const logDir = await mkdtemp(path.join(dir, 'log-'));
  const base: Record<string, string | null> = {
    protocol: 'sql', host: '127.0.0.1', port: String(port),
    'sql-url': s ? jdbc(s) : 'jdbc:postgresql://127.0.0.1:1/none',
    'sql-user': s?.role ?? null, 'sql-password': s?.password ?? null,
    'sql-driver-class': 'org.postgresql.Driver',
    'memory-index-threshold': '32m', 'memory-index-max': '256m', 'object-cache-max': '128m',
    'heartbeat-interval-msec': '1000', 'log-dir': logDir, 'data-dir': path.join(logDir, 'data'),
    ...extra,
  };
  const text = Object.entries(base).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
  const file = path.join(logDir, 'transactor.properties');
  await writeFile(file, text);
  return { file, logDir, port };
}

const transactor = (args: string[], env: Record<string, string> = {}, home = HOME) => run(path.join(home, 'bin', 'transactor'), args, env);
interface PeerJson {
  ok: boolean; op: string; created?: boolean; deleted?: boolean; renamed?: boolean; names?: string[];
  error?: { code: string; message: string };
}
async function peer(args: string[], home = HOME): Promise<{ code: number | null; json: PeerJson; out: string; err: string }> {
  const p = run(path.join(home, 'bin', 'run'), [path.join(work, 'src peer', 'dtx_peer.clj'), ...args]);
  const code = await p.exit;
  const lines = p.out.trim().split('\n');
  return { code, json: JSON.parse(lines[lines.length - 1]!) as PeerJson, out: p.out, err: p.err };
}

async function rows(s: Storage): Promise<Map<string, { id: string; rev: number | null; map: string | null; val: Buffer | null }>> {
  const c = new pg.Client({ connectionString: s.url });
  await c.connect();
  try {
    const r = await c.query('select id, rev, map, val from datomic_kvs');
    return new Map(r.rows.map((x) => [x.id, x]));
  } finally { await c.end(); }
}
async function row(s: Storage, id: string) { return (await rows(s)).get(id); }

const HB_RE = (port: number) => new RegExp(`^\\{:key "\\[\\\\"127\\.0\\.0\\.1\\\\" nil ${port} \\\\"(${UUID})\\\\" \\\\"(${UUID})\\\\" (\\d+) \\\\"1\\.0\\.7469\\\\" true 2\\]"\\}$`);

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => { s.end(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

describe('fake distribution internals (pure)', () => {
  it('parses Java .properties syntax and prints/reads EDN like Clojure', async () => {
    const common = (await import(path.join(HOME, 'fake', 'common.mjs'))) as {
      parseProperties: (t: string) => Map<string, string>;
      prStr: (v: unknown) => string;
      readEdn: (t: string) => unknown;
      kw: (n: string) => unknown;
    };
    const props = common.parseProperties(
      '# comment\n! also comment\n  host : localhost\nport 4334\nsql-url=jdbc:postgresql://h:1/d?\\\n    user=u\nkey\\ with\\=esc=a\\tb\\u0041\nempty=\n',
    );
    expect(Object.fromEntries(props)).toEqual({
      host: 'localhost', port: '4334', 'sql-url': 'jdbc:postgresql://h:1/d?user=u', 'key with=esc': 'a\tbA', empty: '',
    });
    const m = new Map<unknown, unknown>([['a "q"', new Map([[common.kw('db-id'), 'a-1']])], [common.kw('datomic/deleted'), new Set(['x', 'y'])]]);
    const text = common.prStr(m);
    expect(text).toBe('{"a \\"q\\"" {:db-id "a-1"}, :datomic/deleted #{"x" "y"}}');
    expect(common.prStr(common.readEdn(text))).toBe(text);
    expect(common.prStr(common.readEdn('#:d{:r "x", :l 3}'))).toBe('{:d/r "x", :d/l 3}');
  });
});

describe('fake transactor: startup and failures', () => {
  it('reports a missing required property with the real message', async () => {
    const { file } = await writeProps(null, { host: null, 'memory-index-max': '' });
    const p = transactor(['-Xmx2g', file]);
    expect(await p.exit).not.toBe(0);
    expect(p.out.split('\n')[0]).toBe('Launching with Java options -server -Xms1g -Xmx2g -XX:+UseG1GC -XX:MaxGCPauseMillis=50');
    expect(p.out).toContain(`:db.error/missing-transactor-property 'host' property not set, required for protocol: sql in ${file}`);
  });

  it('terminates (exit 255) when datomic_kvs is missing', async () => {
    const database = await freshDatabase('nokvs');
    const u = new URL(adminUrl(database));
    const s = { url: u.toString(), role: u.username, password: decodeURIComponent(u.password), database } as Storage;
    const { file, logDir } = await writeProps(s);
    const p = transactor([file], { FAKE_DATOMIC_TERMINATE_DELAY_MS: '100' });
    expect(await p.exit).toBe(255);
    expect(p.out).toContain('relation "datomic_kvs" does not exist');
    expect(p.out).toContain('Terminating process - Lifecycle thread failed');
    const logs = await readdir(logDir);
    const logName = logs.find((f) => /^\d{4}-\d{2}-\d{2}\.log$/.test(f));
    expect(logName).toBeDefined();
    expect(await readFile(path.join(logDir, logName!), 'utf8')).toContain('Terminating process - Lifecycle thread failed');
  });

  it('terminates on a bad storage password and on a port in use', async () => {
    const s = await freshStorage();
    const bad = await writeProps(s, { 'sql-password': 'wrong' });
    const p1 = transactor([bad.file], { FAKE_DATOMIC_TERMINATE_DELAY_MS: '50' });
    expect(await p1.exit).toBe(255);
    expect(p1.out).toMatch(/password authentication failed/);
    expect(p1.out).not.toContain('wrong');

    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const busy = await writeProps(s, { port: String(port) });
      const p2 = transactor([busy.file], { FAKE_DATOMIC_TERMINATE_DELAY_MS: '50' });
      expect(await p2.exit).toBe(255);
      expect(p2.out).toContain('Address already in use');
      expect(p2.out).toContain('Terminating process - Error starting transactor');
    } finally { blocker.close(); }
  });

  it('starts: System started, port, /health, pid file, advancing pod-coord in the exact format', async () => {
    const s = await freshStorage();
    const ping = await freePort();
    const { file, logDir, port } = await writeProps(s, { 'ping-host': '127.0.0.1', 'ping-port': String(ping), 'pid-file': path.join(work, 'tx.pid') });
    const p = transactor(['-Xmx1g', '-Ddatomic.printConnectionInfo=true', file]);
    await waitFor(p, /System started/);
    expect(p.out.split('\n')[0]).toBe('Launching with Java options -server -Xms1g -Xmx1g  -Ddatomic.printConnectionInfo=true');
    expect(p.out).toContain(`System started datomic:sql://<DB-NAME>?${jdbc(s)}?user=${s.role}&password=${s.password}`);
    expect(await canConnect(port)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${ping}/health`)).status).toBe(200);
    expect(await readFile(path.join(work, 'tx.pid'), 'utf8')).toBe(String(p.child.pid));

    const r1 = (await row(s, 'pod-coord'))!;
    expect(r1.val).toBeNull();
    const m1 = HB_RE(port).exec(r1.map!);
    expect(m1, r1.map!).not.toBeNull();
    await new Promise((r) => setTimeout(r, 2200));
    const r2 = (await row(s, 'pod-coord'))!;
    const m2 = HB_RE(port).exec(r2.map!)!;
    expect(r2.rev!).toBeGreaterThanOrEqual(r1.rev! + 1);
    expect(Number(m2[3])).toBeGreaterThan(Number(m1![3]));
    expect(m2[1]).toBe(m1![1]); // same per-process credentials
    expect((await readdir(logDir)).some((f) => /^\d{4}-\d{2}-\d{2}\.log$/.test(f))).toBe(true);

    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(143);
    expect(await readFile(path.join(work, 'tx.pid'), 'utf8')).toBe(String(p.child.pid)); // not removed
  });

  it('exits with "Heartbeat failed" when pod-coord is updated behind its back', async () => {
    const s = await freshStorage();
    const { file } = await writeProps(s);
    const p = transactor([file]);
    await waitFor(p, /System started/);
    await withAdmin((c) => c.query(`update datomic_kvs set rev = rev + 100 where id = 'pod-coord'`), s.database);
    await waitFor(p, /Critical failure, cannot continue: Heartbeat failed/, 6000);
    expect(await p.exit).not.toBe(0);
  });

  it('exits with "Heartbeat failed" ~3 intervals after storage stops accepting its writes', async () => {
    const s = await freshStorage();
    const { file } = await writeProps(s);
    const p = transactor([file]);
    await waitFor(p, /System started/);
    const t0 = Date.now();
    await withAdmin((c) => c.query(`REVOKE ALL ON TABLE datomic_kvs FROM ${c.escapeIdentifier(s.role)}`), s.database);
    await waitFor(p, /Critical failure, cannot continue: Heartbeat failed/, 8000);
    expect(Date.now() - t0).toBeGreaterThan(1500);
    expect(await p.exit).not.toBe(0);
  });

  it('becomes standby behind a live transactor and takes over when it dies', async () => {
    const s = await freshStorage();
    const a = await writeProps(s);
    const b = await writeProps(s);
    const pa = transactor([a.file]);
    await waitFor(pa, /System started/);
    const pb = transactor([b.file]);
    await new Promise((r) => setTimeout(r, 2500));
    expect(pb.out).not.toContain('System started');
    expect(await canConnect(b.port)).toBe(false);
    const standby = (await row(s, 'pod-standby'))!;
    expect(standby.val).toBeNull();
    expect(standby.map).toMatch(HB_RE(b.port));
    pa.child.kill('SIGKILL');
    await waitFor(pb, /System started/, 8000);
    expect((await row(s, 'pod-coord'))!.map).toMatch(HB_RE(b.port));
    expect(await canConnect(b.port)).toBe(true);
  });
});

describe('fake peer (bin/run dtx_peer.clj) and bin/datomic', () => {
  it('fails like the real peer when no transactor is alive', async () => {
    const s = await freshStorage();
    const r = await peer(['create', dbUri(s, 'x')]);
    expect(r.code).toBe(1);
    expect(r.json.error).toMatchObject({ code: ':db.error/read-transactor-location-failed', message: ':db.error/read-transactor-location-failed Could not read transactor location from storage' });
    expect(r.err).not.toContain(s.password);
    // deleting a name that is not in the catalog is false without any transactor
    expect((await peer(['delete', dbUri(s, 'x')])).json).toEqual({ ok: true, op: 'delete', deleted: false });
    // a heartbeat row whose endpoint is dead: the peer tries to connect and fails
    const stale = `{:key "[\\"127.0.0.1\\" nil 1 \\"u\\" \\"p\\" ${Date.now() - 60_000} \\"1.0.7469\\" true 2]"}`;
    await withAdmin((c) => c.query('insert into datomic_kvs (id, rev, map) values ($1, $2, $3)', ['pod-coord', 7, stale]), s.database);
    const r2 = await peer(['create', dbUri(s, 'x')]);
    expect(r2.json.error).toMatchObject({ code: ':dtx/peer-error', message: 'Error communicating with HOST 127.0.0.1 on PORT 1' });
  });

  it('create/delete/rename/list write exactly the catalog rows (no segments: the fake writes no bytes dtx parses); bin/datomic runs the real peer', async () => {
    const s = await freshStorage();
    const { file } = await writeProps(s);
    const p = transactor([file]);
    await waitFor(p, /System started/);

    expect((await peer(['create', dbUri(s, 'alpha')])).json).toEqual({ ok: true, op: 'create', created: true });
    let all = await rows(s);
    const cat0 = all.get('pod-catalog')!;
    expect(cat0.rev).toBe(0);
    expect(cat0.val).toBeNull();
    const tail0 = new RegExp(`^\\{:tail "(${UUID})"\\}$`).exec(cat0.map!)![1]!;
    const t0 = all.get(tail0)!;
    expect(t0.rev).toBeNull();
    expect(t0.map).toBe('{}');
    const text0 = t0.val!.toString('utf8');
    const alphaId = new RegExp(`^\\{"alpha" \\{:db-id "(alpha-${UUID})"\\}, :datomic/deleted #\\{\\}\\}$`).exec(text0)?.[1];
    expect(alphaId, text0).toBeDefined();
    // only the catalog and the heartbeat: no root rows, no segments
    expect([...all.keys()].sort()).toEqual(['pod-catalog', 'pod-coord', tail0].sort());

    expect((await peer(['create', dbUri(s, 'alpha')])).json).toEqual({ ok: true, op: 'create', created: false });
    expect((await peer(['create', dbUri(s, 'beta')])).json.created).toBe(true);
    expect((await row(s, 'pod-catalog'))!.rev).toBe(1);
    const bad = await peer(['create', dbUri(s, 'a=b')]);
    expect(bad.code).toBe(1);
    expect(bad.json.ok).toBe(false);

    expect((await peer(['list', dbUri(s, '*')])).json).toEqual({ ok: true, op: 'list', names: ['alpha', 'beta'] });
    expect((await peer(['delete', dbUri(s, 'alpha')])).json).toEqual({ ok: true, op: 'delete', deleted: true });
    expect((await peer(['delete', dbUri(s, 'alpha')])).json).toEqual({ ok: true, op: 'delete', deleted: false });
    expect((await peer(['rename', dbUri(s, 'beta'), 'gamma'])).json).toEqual({ ok: true, op: 'rename', renamed: true });
    expect((await peer(['list', dbUri(s, '*')])).json.names).toEqual(['gamma']);
    expect((await peer(['gc-storage', dbUri(s, 'gamma'), '0'])).json).toEqual({ ok: true, op: 'gc-storage', collected: true });

    const cat = (await row(s, 'pod-catalog'))!;
    const tail = /^\{:tail "(.*)"\}$/.exec(cat.map!)![1]!;
    const text = (await row(s, tail))!.val!.toString('utf8');
    expect(text).toMatch(new RegExp(`^\\{"gamma" \\{:db-id "beta-${UUID}"\\}, :datomic/deleted #\\{"${alphaId}"\\}\\}$`));

    // bin/datomic runs Datomic's own gc-deleted-dbs from the peer jar: the id leaves the catalog
    if (realPeerAvailable()) {
      const gc = run(path.join(HOME, 'bin', 'datomic'), ['gc-deleted-dbs', `datomic:sql://?${jdbc(s, true)}`]);
      expect(await gc.exit, gc.out).toBe(0);
      expect(gc.out).toContain(alphaId!);
      all = await rows(s);
      const tailAfter = /^\{:tail "(.*)"\}$/.exec(all.get('pod-catalog')!.map!)![1]!;
      expect(all.get(tailAfter)!.val!.toString('utf8')).toMatch(/:datomic\/deleted #\{\}/);
    }

    const usage = run(path.join(HOME, 'bin', 'datomic'), ['frobnicate']);
    expect(await usage.exit).toBe(1);
  });

  it('works from a copy under a path with spaces (relative properties path)', async () => {
    const s = await freshStorage();
    const home = await installFakeDatomic(path.join(work, 'x y', 'Datomic Pro 1'));
    const { file } = await writeProps(s);
    await writeFile(path.join(home, 'config', 'my tx.properties'), await readFile(file, 'utf8'));
    const p = transactor(['config/my tx.properties'], {}, home);
    await waitFor(p, /System started/);
    const r = await peer(['create', dbUri(s, 'spaced')], home);
    expect(r.json).toEqual({ ok: true, op: 'create', created: true });
    expect((await peer(['list', dbUri(s, '*')], home)).json.names).toEqual(['spaced']);
  });
});
