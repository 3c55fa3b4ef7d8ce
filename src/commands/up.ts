/**
 * `dtx up [--db NAME]`: everything a project needs, idempotently, through the same core functions
 * the single commands call: PostgreSQL (the embedded one for the default target), the storage
 * (init-postgres), a Datomic Pro distribution (offered for download when there is none), the
 * transactor, and optionally a database. Each step first checks whether its work is already done,
 * so a second `up` only looks (no admin connection, no JVM) and changes nothing.
 *
 * Exit codes: 0 all up; 3 the storage is ready but no Datomic Pro distribution is installed (and
 * none was downloaded), so no transactor runs; 1/2/130 as the failing step says.
 */
import type { Ctx } from '../cli/context.js';
import { validateDbName } from '../core/datomic/dbname.js';
import { DEFAULT_DATOMIC_VERSION, downloadUrl, findDistribution, type Distribution } from '../core/datomic/distribution.js';
import { mirrorUrl } from '../core/datomic/install.js';
import { runPeer } from '../core/datomic/peer.js';
import { startTransactor } from '../core/datomic/transactor/start.js';
import { transactorStatus } from '../core/datomic/transactor/status.js';
import { datomicUri } from '../core/datomic/uri.js';
import { throwIfAborted } from '../core/abort.js';
import { DtxError, ExitCode } from '../core/errors.js';
import { initPostgres } from '../core/postgres/bootstrap.js';
import { withClient } from '../core/postgres/client.js';
import { ensureStorageServer } from '../core/postgres/target.js';
import { formatPgUrl } from '../core/postgres/url.js';
import { readCatalog } from '../core/storage/catalog.js';
import { checkKvsTable } from '../core/storage/kvs.js';
import { keyValues, printJson, renderTable } from '../render/output.js';
import { startProgress } from '../render/progress.js';
import { askYesNo } from '../render/prompts.js';
import { install } from './datomic/install.js';
import { datomicHomeChoice, distributionWithJava, findChosenDistribution, type DatomicHomeSource } from './shared/datomic.js';
import { startTimeoutMs } from './shared/timeout.js';
import { launchOptions, propertiesForLaunch } from './shared/transactor.js';

/** Codes that mean "init-postgres has not run (or not completely)": up then runs it. */
const NOT_INITIALIZED = new Set(['PG_AUTH_FAILED', 'PG_DATABASE_MISSING', 'KVS_TABLE_MISSING', 'KVS_NO_ACCESS']);

export interface UpReport {
  complete: boolean;
  changed: boolean;
  postgres: { embedded: boolean; startedNow: boolean; host: string; port: number; pid: number | null } | null;
  storage: { database: string; role: string; initializedNow: boolean; created: string[] } | null;
  datomic: { version: string | null; home: string; source: DatomicHomeSource | 'installed-now'; installedNow: boolean } | null;
  transactor: { startedNow: boolean; pid: number | null; host: string | null; port: number | null; elsewhere: boolean } | null;
  database: { name: string; dbId: string | null; created: boolean } | null;
  uri: string | null;
  next: string[];
  /** init-postgres' warnings (locale, a PUBLIC grant on an existing table, ...). */
  warnings: string[];
  elapsedMs: number;
}

const SOURCE_LABEL: Record<NonNullable<UpReport['datomic']>['source'], string> = {
  flag: '--datomic-home',
  env: 'DATOMIC_HOME',
  file: 'config file',
  'last-start': 'as last started',
  installed: 'installed',
  'installed-now': 'installed now',
};

type Plan = { kind: 'use' } | { kind: 'install' } | { kind: 'none'; why: 'declined' | 'no-terminal' };

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const t0 = Date.now();
  const cfg = ctx.config();
  const dbName = ctx.flags.db === undefined ? undefined : validateDbName(String(ctx.flags.db));
  const startTimeout = startTimeoutMs(ctx);
  const report: UpReport = {
    complete: false,
    changed: false,
    postgres: null,
    storage: null,
    datomic: null,
    transactor: null,
    database: null,
    uri: null,
    next: [],
    warnings: [],
    elapsedMs: 0,
  };

  // Which Datomic Pro, decided first: a bad --datomic-home fails before anything starts, and the
  // download question comes before the work, not in the middle of it.
  const choice = await datomicHomeChoice(ctx);
  let plan: Plan = { kind: 'use' };
  // Found once: the config of this run was read before an install, so a later lookup would miss it.
  let dist: Distribution | undefined;
  if (choice) dist = await findChosenDistribution(ctx, choice);
  else if (ctx.flags.install) plan = { kind: 'install' };
  else if (io.canPrompt()) plan = (await askToInstall(ctx)) ? { kind: 'install' } : { kind: 'none', why: 'declined' };
  else plan = { kind: 'none', why: 'no-terminal' };

  // Warnings wait until the spinner is gone (printed before the table).
  const warnings = report.warnings;
  let progress = startProgress(io, 'checking PostgreSQL');
  try {
    // 1. PostgreSQL: the embedded server when the target is the default one and nothing listens.
    const notices: string[] = [];
    const server = await ensureStorageServer(cfg, { onNotice: (t) => notices.push(t), onProgress: (s) => progress.update(s) });
    for (const n of notices) io.debug(n);
    report.postgres = {
      embedded: Boolean(server.embedded?.used),
      startedNow: Boolean(server.embedded?.startedNow),
      host: cfg.pg.host,
      port: cfg.pg.port,
      pid: server.embedded?.pid ?? null,
    };
    if (server.embedded?.startedNow) report.changed = true;

    // 2. Storage: usable as the storage role already? Otherwise init-postgres as the admin.
    progress.update('checking the storage');
    throwIfAborted(ctx.signal);
    const ready = await storageReady(ctx);
    const storage: NonNullable<UpReport['storage']> = { database: cfg.pg.database, role: cfg.pg.user, initializedNow: false, created: [] };
    if (!ready) {
      progress.update('creating the storage (init-postgres)');
      const r = await initPostgres({
        pg: cfg.pg,
        adminUrl: server.adminUrl,
        locale: cfg.locale,
        onProgress: (s) => progress.update(`init-postgres: ${s}`),
        signal: ctx.signal,
      });
      warnings.push(...r.warnings);
      storage.initializedNow = r.changed;
      storage.created = [r.database.created ? 'database' : '', r.role.created ? 'role' : '', r.table.created ? 'table' : ''].filter(Boolean);
      if (r.changed) report.changed = true;
    }
    report.storage = storage;

    // 3. Datomic Pro: the chosen installation, a fresh download, or a stop here.
    if (plan.kind === 'install') {
      progress.stop();
      const r = await install(ctx, {});
      progress = startProgress(io, 'checking the transactor');
      dist = await findDistribution({ datomicHome: r.home });
      report.datomic = { version: r.version, home: r.home, source: 'installed-now', installedNow: !r.alreadyInstalled };
      if (!r.alreadyInstalled) report.changed = true;
    } else if (dist && choice) {
      report.datomic = { version: dist.version, home: dist.home, source: choice.source, installedNow: false };
    }
    if (!dist) {
      progress.stop();
      if (!io.json) for (const w of warnings) io.warn(w);
      report.next = [`${io.cmd} datomic install`, `${io.cmd} up${dbName ? ` --db ${dbName}` : ''}`];
      report.elapsedMs = Date.now() - t0;
      render(ctx, report, plan);
      return ExitCode.notFound;
    }

    // 4. The transactor: one running from this state dir, or any live one on this storage, will do.
    progress.update('checking the transactor');
    const st = await transactorStatus({
      stateDir: cfg.stateDir,
      propertiesFile: cfg.properties,
      storageUrl: cfg.properties ? undefined : formatPgUrl(cfg.pg),
      intervalMs: cfg.heartbeatIntervalMsec,
      signal: ctx.signal,
      onSecondSample: () => progress.update('the heartbeat looks old: checking whether it advances'),
    });
    if (st.running) {
      const ours = st.process.alive && st.process.ours !== false;
      report.transactor = {
        startedNow: false,
        pid: ours ? st.process.pid : null,
        host: st.active?.host ?? st.host,
        port: st.active?.port ?? st.port,
        elsewhere: !ours,
      };
    } else {
      throwIfAborted(ctx.signal);
      const props = await propertiesForLaunch(ctx);
      const r = await startTransactor(
        launchOptions(ctx, { propertiesFile: props.file, datomicHome: dist.home, timeoutMs: startTimeout, onProgress: (s) => progress.update(`transactor: ${s}`) }),
      );
      report.transactor = { startedNow: true, pid: r.pid, host: r.host, port: r.port, elsewhere: false };
      report.changed = true;
    }

    // 5. The database: created through the transactor when the catalog does not have it.
    if (dbName) {
      progress.update(`checking database ${dbName}`);
      const uri = datomicUri(dbName, cfg.pg);
      const find = () => withClient({ url: formatPgUrl(cfg.pg), purpose: 'storage' }, async (c) => (await readCatalog(c)).databases.find((d) => d.name === dbName) ?? null);
      const existing = await find();
      if (existing) {
        report.database = { name: dbName, dbId: existing.dbId, created: false };
      } else {
        const { java } = await distributionWithJava(ctx, dist);
        progress.update(`starting a peer JVM to run d/create-database "${dbName}"`);
        throwIfAborted(ctx.signal);
        const r = await runPeer({ dist, op: 'create', uri, env: io.env, javaBinDir: java.binDir, signal: ctx.signal });
        report.database = { name: dbName, dbId: (await find())?.dbId ?? null, created: Boolean(r.created) };
        if (r.created) report.changed = true;
      }
      report.uri = uri;
    } else {
      report.uri = datomicUri('<name>', cfg.pg);
      report.next = [`${io.cmd} db create <name>`];
    }
    report.complete = true;
  } catch (e) {
    progress.stop();
    if (!io.json) for (const w of warnings) io.warn(w);
    // What is ready already, then the error (the one printer) says what failed.
    report.elapsedMs = Date.now() - t0;
    if (!io.json && report.postgres && !(e instanceof DtxError && e.code === 'CANCELLED')) render(ctx, report, plan, true);
    throw withProgressSoFar(e, report);
  } finally {
    progress.stop();
  }
  if (!io.json) for (const w of warnings) io.warn(w);
  report.elapsedMs = Date.now() - t0;
  render(ctx, report, plan);
  return 0;
}

/** Connects as the storage role and checks datomic_kvs: false when init-postgres must run. */
async function storageReady(ctx: Ctx): Promise<boolean> {
  const cfg = ctx.config();
  try {
    await withClient({ url: formatPgUrl(cfg.pg), purpose: 'storage', connectTimeoutMs: 10_000 }, (c) => checkKvsTable(c));
    return true;
  } catch (e) {
    if (e instanceof DtxError && NOT_INITIALIZED.has(e.code)) {
      ctx.io.debug(`storage not ready (${e.code}): running init-postgres`);
      return false;
    }
    throw e;
  }
}

async function askToInstall(ctx: Ctx): Promise<boolean> {
  const mirror = ctx.io.env.DTX_DATOMIC_MIRROR;
  const from = mirror ? mirrorUrl(mirror, DEFAULT_DATOMIC_VERSION) : downloadUrl();
  const yes = await askYesNo({
    question: `No Datomic Pro distribution is installed. Download Datomic Pro ${DEFAULT_DATOMIC_VERSION} (free, Apache-2.0) from ${from} into ${ctx.dtxHome()}?`,
    default: true,
    signal: ctx.signal,
  });
  // "no" goes on without Datomic Pro (the storage still gets ready); a closed prompt stops here.
  if (yes === null) throw new DtxError({ code: 'CANCELLED', message: 'cancelled', exitCode: ExitCode.cancelled });
  return yes;
}

/** A failing step's error, with what the earlier steps did (JSON details; a table on a terminal). */
function withProgressSoFar(e: unknown, report: UpReport): unknown {
  if (!(e instanceof DtxError) || e.code === 'CANCELLED') return e;
  return new DtxError({
    code: e.code,
    message: e.message,
    hint: e.hint,
    exitCode: e.exitCode,
    cause: e,
    details: { ...(e.details ?? {}), up: { ...report, complete: false } },
  });
}

function render(ctx: Ctx, r: UpReport, plan: Plan, failed = false): void {
  const { io } = ctx;
  if (io.json) {
    printJson(io, r);
    return;
  }
  const c = io.chalk;
  const now = (b: boolean, what: string) => (b ? c.green(what) : c.dim('already'));
  const rows: string[][] = [];
  const pg = r.postgres;
  if (pg) {
    rows.push([
      'PostgreSQL',
      pg.embedded ? `${c.green('running')} ${now(pg.startedNow, 'started now')}` : r.storage ? c.green('reachable') : c.dim('configured'),
      `${pg.embedded ? 'embedded, ' : ''}${pg.host}:${pg.port}${pg.pid ? ` (pid ${pg.pid})` : ''}`,
    ]);
  }
  if (r.storage) {
    rows.push([
      'storage',
      `${c.green('ready')} ${r.storage.initializedNow ? c.green(`created ${r.storage.created.join(', ') || 'grants'}`) : c.dim('already')}`,
      `database ${r.storage.database}, role ${r.storage.role}, table datomic_kvs`,
    ]);
  }
  if (r.datomic) {
    rows.push(['Datomic Pro', `${c.green(r.datomic.version ?? '?')} ${r.datomic.installedNow ? c.green('installed now') : c.dim(`(${SOURCE_LABEL[r.datomic.source]})`)}`, r.datomic.home]);
  } else if (!failed) {
    rows.push(['Datomic Pro', c.yellow('not installed'), plan.kind === 'none' && plan.why === 'declined' ? 'download declined' : 'no distribution found']);
  }
  if (r.transactor) {
    const where = `${r.transactor.host ?? '?'}:${r.transactor.port ?? '?'}`;
    rows.push([
      'transactor',
      `${c.green('running')} ${r.transactor.elsewhere ? c.dim('elsewhere') : now(r.transactor.startedNow, 'started now')}`,
      `${where}${r.transactor.pid ? ` (pid ${r.transactor.pid})` : ''}`,
    ]);
  } else if (!failed) {
    rows.push(['transactor', c.yellow('not started'), 'needs a Datomic Pro distribution']);
  }
  if (r.database) rows.push(['database', `${c.green(r.database.name)} ${now(r.database.created, 'created now')}`, r.database.dbId ?? '?']);
  io.out(renderTable(io, ['', 'state', 'detail'], rows));
  if (failed) return;
  if (r.uri) io.out(keyValues(io, [['uri', r.uri]]));
  const secs = (r.elapsedMs / 1000).toFixed(1);
  if (!r.complete) {
    io.out(`${c.yellow('!')} the storage is ready, but no transactor runs: it needs Datomic Pro (\`dtx datomic install\`, or --datomic-home DIR)\n`);
  } else {
    io.out(r.changed ? `${c.green('✔')} up in ${secs} s\n` : `${c.green('✔')} everything was already up; nothing changed (${secs} s)\n`);
  }
  if (r.next.length) io.out(c.dim(`Next: ${r.next.join('   ·   ')}\n`));
}
