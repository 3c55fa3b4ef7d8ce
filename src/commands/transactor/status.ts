import type { Ctx } from '../../cli/context.js';
import { DtxError, ExitCode } from '../../core/errors.js';
import { transactorStatus, type HeartbeatInfo } from '../../core/datomic/transactor/status.js';
import { formatPgUrl } from '../../core/postgres/url.js';
import { keyValues, printJson } from '../../render/output.js';
import { startProgress, type Progress } from '../../render/progress.js';

function hbJson(h: HeartbeatInfo | null) {
  return h ? { host: h.host, port: h.port, version: h.version, heartbeatAgeMs: h.heartbeatAgeMs, altHost: h.altHost, rev: h.rev } : null;
}

export async function run(ctx: Ctx): Promise<number> {
  const { io } = ctx;
  const cfg = ctx.config();
  // A spinner only while a second heartbeat sample is taken (about one interval).
  const spinner: { progress: Progress | null } = { progress: null };
  let st;
  try {
    st = await transactorStatus({
      stateDir: cfg.stateDir,
      propertiesFile: cfg.properties,
      storageUrl: cfg.properties ? undefined : formatPgUrl(cfg.pg),
      intervalMs: cfg.heartbeatIntervalMsec,
      signal: ctx.signal,
      onSecondSample: () => {
        spinner.progress = startProgress(io, 'the heartbeat looks old: checking whether it advances');
      },
    });
  } finally {
    spinner.progress?.stop();
  }
  const code = st.running ? ExitCode.ok : ExitCode.notFound;
  const json = {
    running: st.running,
    pid: st.pid,
    active: hbJson(st.active),
    standby: hbJson(st.standby),
    health: st.health,
    process: st.process,
    portOpen: st.portOpen,
    storage: st.storage,
    propertiesFile: st.propertiesFile,
  };
  // Heartbeats that cannot be read are a failure (e.g. a wrong storage password), not "none alive".
  const storageFailure = st.storage.error
    ? new DtxError({
        code: st.storage.error.code,
        message: `cannot read the transactor heartbeats from storage: ${st.storage.error.message}`,
        hint: st.storage.error.hint ?? undefined,
        exitCode: ExitCode.failed,
        details: { status: json },
      })
    : null;
  if (io.json) {
    if (storageFailure) throw storageFailure;
    printJson(io, json);
    return code;
  }
  const c = io.chalk;
  const hb = (h: HeartbeatInfo | null, dead: HeartbeatInfo | null) =>
    h
      ? `${c.green('alive')}  ${h.host}:${h.port}  v${h.version ?? '?'}  heartbeat ${h.heartbeatAgeMs === null ? '?' : `${(h.heartbeatAgeMs / 1000).toFixed(1)} s ago`}`
      : dead
        ? `${c.yellow('none alive')}  ${c.dim(`(last: ${dead.host}:${dead.port}, ${dead.heartbeatAgeMs === null ? '?' : `${Math.round(dead.heartbeatAgeMs / 1000)} s ago`})`)}`
        : c.dim('none');
  io.out(
    keyValues(io, [
      ['transactor', st.running ? c.green('running') : storageFailure ? c.yellow('unknown (storage unreadable)') : c.red('not running')],
      ['process', st.process.pid ? `pid ${st.process.pid} ${st.process.alive ? (st.process.ours === false ? c.yellow('(not a transactor)') : c.green('alive')) : c.red('gone')}` : c.dim('none started by dtx here')],
      ['port', st.port ? `${st.host ?? 'localhost'}:${st.port} ${st.portOpen ? c.green('open') : c.dim('closed')}` : '-'],
      ['health', st.health === 'ok' ? c.green('ok') : st.health === 'down' ? c.red('down') : c.dim('unconfigured (no ping-host/ping-port)')],
      ['active', storageFailure ? c.dim('unknown (storage unreadable)') : hb(st.active, st.heartbeats.coord)],
      ['standby', storageFailure ? c.dim('unknown (storage unreadable)') : hb(st.standby, st.heartbeats.standby)],
    ]),
  );
  if (st.process.stalePidFileRemoved) io.note(`removed stale pid file ${st.process.stalePidFileRemoved}`);
  if (storageFailure) throw storageFailure;
  if (!st.running) io.out(c.dim(`Start one with: ${io.cmd} transactor start (or ${io.cmd} up)\n`));
  return code;
}
