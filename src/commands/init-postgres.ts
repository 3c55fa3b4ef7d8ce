import type { Ctx } from '../cli/context.js';
import { DtxError, ExitCode } from '../core/errors.js';
import { initPostgres, planOnFreshEmbedded, type InitResult } from '../core/postgres/bootstrap.js';
import { ensureStorageServer } from '../core/postgres/target.js';
import { printJson, keyValues } from '../render/output.js';
import { startProgress } from '../render/progress.js';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const dryRun = Boolean(ctx.flags.dryRun);
  const progress = startProgress(io, 'connecting to PostgreSQL');
  let result: InitResult;
  let embedded: boolean | null = null;
  try {
    const server = await ensureStorageServer(cfg, { noStart: dryRun, onNotice: (t) => { progress.stop(); io.note(t); }, onProgress: (s) => progress.update(s) });
    embedded = server.embedded?.used ?? false;
    if (server.wouldStartEmbedded === 'existing') {
      throw new DtxError({
        code: 'EMBEDDED_STOPPED',
        message: `the embedded PostgreSQL of ${cfg.stateDir} is stopped, so --dry-run cannot see what already exists there`,
        hint: 'Start it with `dtx postgres start`, then re-run with --dry-run.',
        exitCode: ExitCode.notFound,
      });
    }
    if (server.wouldStartEmbedded === 'fresh') {
      progress.stop();
      const r = planOnFreshEmbedded(cfg.pg);
      render(ctx, r, embedded);
      return 0;
    }
    result = await initPostgres({
      pg: cfg.pg,
      adminUrl: server.adminUrl,
      locale: cfg.locale,
      resetPassword: Boolean(ctx.flags.resetPassword),
      dryRun,
      onProgress: (s) => progress.update(s),
      signal: ctx.signal,
    });
    progress.stop();
  } catch (e) {
    progress.stop();
    throw e;
  }
  render(ctx, result, embedded);
  return 0;
}

function render(ctx: Ctx, r: InitResult, embedded: boolean | null): void {
  const { io } = ctx;
  if (io.json) {
    printJson(io, {
      database: r.database,
      role: r.role,
      table: r.table,
      sqlUrl: r.sqlUrl,
      sqlUser: r.sqlUser,
      sqlPassword: r.sqlPassword === undefined ? null : io.showSecrets ? r.sqlPassword : '***',
      dryRun: r.dryRun,
      changed: r.changed,
      verified: r.verified,
      embedded,
      statements: r.statements,
      warnings: r.warnings,
    });
    return;
  }
  const c = io.chalk;
  for (const w of r.warnings) io.warn(w);
  if (r.dryRun) {
    io.out(`${c.bold('-- dtx init-postgres --dry-run: nothing was changed. It would run:')}\n`);
    io.out(r.statements.length ? `${r.statements.join('\n')}\n` : '-- nothing: everything is in place\n');
    return;
  }
  const state = (created: boolean, what = 'created') => (created ? c.green(what) : c.dim('exists, unchanged'));
  io.out(
    keyValues(io, [
      ['database', `${r.database.name}  ${state(r.database.created)}${r.database.locale ? c.dim(`  (locale ${r.database.locale})`) : ''}`],
      ['role', `${r.role.name}  ${r.role.passwordReset ? c.yellow('password reset') : state(r.role.created)}`],
      ['table', `datomic_kvs  ${r.table.created ? c.green('created') : r.table.granted ? c.green('privileges granted') : c.dim('exists, unchanged')}`],
      ['check', r.verified ? c.green(`role ${r.role.name} can select, insert, update (CAS) and delete`) : c.dim('skipped')],
    ]),
  );
  io.out(`\n${r.changed ? c.green('✔ storage is ready') : c.green('✔ nothing to do: everything was already in place')}\n`);
  io.out(`\nFor your transactor properties:\n`);
  io.out(keyValues(io, [['sql-url', r.sqlUrl], ['sql-user', r.sqlUser], ['sql-password', io.showSecrets && r.sqlPassword !== undefined ? r.sqlPassword : '***'], ['sql-driver-class', 'org.postgresql.Driver']]));
  io.out(`\n${c.dim(`Next: ${io.cmd} transactor start`)}\n${c.dim('(Datomic Pro from `dtx datomic install`, or --datomic-home DIR)')}\n`);
}
