import type { Ctx } from '../cli/context.js';
import { ExitCode } from '../core/errors.js';
import { runDoctor } from '../core/doctor/run.js';
import { embeddedAdminUrl, embeddedStatus, readSuperuser } from '../core/postgres/embedded.js';
import { embeddedForTarget } from '../core/postgres/target.js';
import { formatPgUrl } from '../core/postgres/url.js';
import { checkMark } from '../render/checks.js';
import { printJson } from '../render/output.js';
import { startProgress } from '../render/progress.js';
import { datomicHomeChoice, describeHomeSource } from './shared/datomic.js';
import { generatedPropertiesOptions } from './shared/transactor.js';
import { walkProgress } from './shared/walk.js';

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  const home = await datomicHomeChoice(ctx);
  // The embedded server is never started here; it only decides the admin URL and the fix to name.
  const st = await embeddedStatus(cfg.stateDir);
  const embedded = embeddedForTarget(cfg, st);
  let admin = { url: cfg.adminUrl, known: cfg.adminUrlExplicit };
  if (embedded.serves && !cfg.adminUrlExplicit) {
    const su = await readSuperuser(cfg.stateDir);
    if (su) admin = { url: embeddedAdminUrl(su, cfg.pg.port), known: true };
  }
  const progress = startProgress(io, 'checking Node.js');
  const walk = walkProgress(io, 'walking the storage');
  let report;
  try {
    report = await runDoctor({
      nodeVersion: process.versions.node,
      platform: io.platform,
      env: { ...io.env },
      javaHome: cfg.javaHome,
      datomicHome: home ? { dir: home.home, source: describeHomeSource(home.source) } : null,
      propertiesFile: cfg.properties,
      generatedProperties: generatedPropertiesOptions(ctx),
      storageUrl: formatPgUrl(cfg.pg),
      storage: { host: cfg.pg.host, port: cfg.pg.port, database: cfg.pg.database },
      admin,
      embedded: { applies: embedded.applies, initialized: st.initialized, running: embedded.serves },
      stateDir: cfg.stateDir,
      intervalMs: cfg.heartbeatIntervalMsec,
      storageSummary: ctx.flags.storage !== false,
      signal: ctx.signal,
      onProgress: (s) => progress.update(s),
      onWalkProgress: (p) => {
        progress.stop();
        walk.onProgress(p);
      },
    });
  } finally {
    progress.stop();
    walk.stop();
  }
  const code = report.ok ? ExitCode.ok : ExitCode.failed;
  if (io.json) {
    printJson(io, { ok: report.ok, checks: report.checks, counts: report.counts, ms: report.ms });
    return code;
  }
  const c = io.chalk;
  const width = Math.max(...report.checks.map((x) => x.name.length));
  for (const x of report.checks) {
    const detail = x.skipped ? c.dim(x.detail) : x.detail;
    io.out(`${checkMark(io, x)} ${x.name.padEnd(width)}  ${detail}\n`);
    if (x.fix) io.out(`  ${' '.repeat(width)}  ${c.dim('fix:')} ${x.fix}\n`);
  }
  const skippedCount = report.checks.filter((x) => x.skipped).length;
  const n = report.counts;
  const summary = [
    c.green(`${n.pass} passed`),
    n.warn ? c.yellow(`${n.warn} warning${n.warn === 1 ? '' : 's'}${skippedCount ? ` (${skippedCount} skipped)` : ''}`) : null,
    n.fail ? c.red(`${n.fail} failed`) : null,
  ].filter(Boolean);
  io.out(`\n${summary.join(', ')} (${(report.ms / 1000).toFixed(1)} s)\n`);
  return code;
}
