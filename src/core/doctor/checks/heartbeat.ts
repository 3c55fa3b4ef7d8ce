/**
 * Doctor checks of the transactors registered in storage: the active heartbeat (pod-coord), the
 * clock skew between this machine and the transactor, and the standby (pod-standby). Both rows are
 * watched together for a bit more than one heartbeat interval (read-only, point lookups): a row
 * whose rev advances is a live transactor, whatever the clocks say (docs/datomic-storage.md §5).
 *
 * Clock skew: the transactor stamps each beat with its own clock. The beat that advanced was
 * committed after the previous read began (s0) and before the read that saw it ended (e1), so the
 * transactor's clock minus ours lies in (ts - e1, ts - s0). Only a heartbeat that advances while
 * watched gives such a bracket; a stale one says nothing about the clocks.
 */
import os from 'node:os';
import { abortableSleep, throwIfAborted } from '../../abort.js';
import { probePort } from '../../net.js';
import { isLocalHost } from '../../postgres/url.js';
import { judgeAdvance, readHeartbeats, type Heartbeat } from '../../storage/heartbeat.js';
import type { Queryable } from '../../storage/kvs.js';
import { fail, pass, skipped, warn, type CheckResult } from '../types.js';

export interface RowWatch {
  first: Heartbeat | null;
  last: Heartbeat | null;
  advanced: boolean;
  /** local clock around the read before the advance (start) and the read that saw it (end) */
  bracket: { start: number; end: number } | null;
  /** the row names this machine and its port refuses connections (active row only) */
  gone: boolean;
}

export interface HeartbeatWatch {
  intervalMs: number;
  watchedMs: number;
  active: RowWatch;
  standby: RowWatch;
}

export interface WatchOptions {
  intervalMs: number;
  signal?: AbortSignal;
  /** poll period (default 100 ms) */
  pollMs?: number;
  /** how long to watch at most (default one interval × 1.2 + 250 ms) */
  limitMs?: number;
  /** called once when the watch will take a while (about one interval) */
  onWait?: (ms: number) => void;
  now?: () => number;
}

function isThisMachine(host: string | null): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  return isLocalHost(h) || h === '0.0.0.0' || h === '::' || h === os.hostname().toLowerCase();
}

/** Watches pod-coord and pod-standby until each present row advanced, or limitMs (about one interval) passed. */
export async function watchHeartbeats(c: Queryable, o: WatchOptions): Promise<HeartbeatWatch> {
  const now = o.now ?? Date.now;
  const pollMs = o.pollMs ?? 100;
  throwIfAborted(o.signal);
  const t0 = now();
  const read = async () => {
    const start = now();
    const { active, standby } = await readHeartbeats(c);
    return { start, end: now(), active, standby };
  };
  const first = await read();
  const gone =
    first.active !== null && first.active.port !== null && isThisMachine(first.active.host) && (await probePort(first.active.host as string, first.active.port, 1000)) === 'refused';
  const active: RowWatch = { first: first.active, last: first.active, advanced: false, bracket: null, gone };
  const standby: RowWatch = { first: first.standby, last: first.standby, advanced: false, bracket: null, gone: false };
  const pending = () => (active.first && !active.gone && !active.advanced) || (standby.first && !standby.advanced);
  const limit = o.limitMs ?? Math.round(o.intervalMs * 1.2) + 250;
  if (pending()) o.onWait?.(limit);
  let prev = first;
  while (pending() && now() - t0 < limit) {
    await abortableSleep(pollMs, o.signal);
    const cur = await read();
    throwIfAborted(o.signal);
    for (const [w, key] of [[active, 'active'], [standby, 'standby']] as const) {
      if (w.advanced || !w.first) continue;
      if (judgeAdvance(prev[key], cur[key]).alive) {
        w.advanced = true;
        w.bracket = { start: prev.start, end: cur.end };
      }
      w.last = cur[key];
    }
    prev = cur;
  }
  return { intervalMs: o.intervalMs, watchedMs: now() - t0, active, standby };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
const where = (h: Heartbeat) => `${h.host ?? '?'}:${h.port ?? '?'}${h.version ? `, version ${h.version}` : ''}`;

export interface ProcessInfo {
  /** pid of the transactor this state dir started, when it is alive and a transactor */
  pid: number | null;
  /** it was started as a standby (`--standby`) */
  standby: boolean;
}

export function checkActiveHeartbeat(w: HeartbeatWatch, proc: ProcessInfo, nowMs = Date.now()): CheckResult {
  const hb = w.active.last;
  const ours = proc.pid !== null && !proc.standby;
  const hung = (what: string) =>
    fail(
      'heartbeat',
      `${what}, yet the transactor this state dir started (pid ${proc.pid}) is running: it is hung or has lost its storage`,
      'See `dtx transactor logs` (look for "Heartbeat failed" or storage errors), then `dtx transactor stop` and `dtx transactor start`.',
    );
  if (!hb) {
    if (ours) return hung('no transactor has registered in this storage (no pod-coord row)');
    return warn('heartbeat', 'no transactor has registered in this storage yet (no pod-coord row)', 'Start one: `dtx transactor start`.');
  }
  if (w.active.advanced) {
    const age = hb.timestampMs === null ? '' : `; its last beat is ${secs(Math.max(0, nowMs - hb.timestampMs))} old by its own clock`;
    return pass('heartbeat', `a live transactor is active at ${where(hb)}: rev ${w.active.first?.rev ?? '?'} → ${hb.rev ?? '?'} while watched${age}`);
  }
  const age = hb.timestampMs === null ? 'has no timestamp' : `is ${secs(Math.max(0, nowMs - hb.timestampMs))} old by its timestamp`;
  const why = w.active.gone ? `nothing listens on ${hb.host}:${hb.port} on this machine` : `it did not advance in ${secs(w.watchedMs)} (interval ${w.intervalMs} ms)`;
  const what = `the last heartbeat (${where(hb)}) ${age} and ${why}`;
  if (ours) return hung(what);
  return warn('heartbeat', `no transactor is serving this storage: ${what}`, 'Start one: `dtx transactor start` (the old pod-coord row stays until a transactor replaces it; that is normal).');
}

export function checkClockSkew(w: HeartbeatWatch, thresholdMs = 1000): CheckResult {
  const hb = w.active.last;
  if (!w.active.advanced || !w.active.bracket || !hb || hb.timestampMs === null) {
    return skipped('clock-skew', 'no heartbeat advanced while watched, so there is no live transactor clock to compare with');
  }
  const lo = hb.timestampMs - w.active.bracket.end;
  const hi = hb.timestampMs - w.active.bracket.start;
  const est = Math.round((lo + hi) / 2);
  const pm = Math.round((hi - lo) / 2);
  const dir = est >= 0 ? 'ahead of' : 'behind';
  const text = `the transactor's clock (${hb.host ?? '?'}) is ${Math.abs(est)} ms ${dir} this machine's (±${pm} ms)`;
  if (Math.abs(est) - pm > thresholdMs) {
    return warn(
      'clock-skew',
      `${text}: heartbeat ages, the one-shot liveness rule (now − timestamp < 3 intervals) and :db/txInstant values depend on it`,
      'Synchronise both clocks with NTP (Linux: `timedatectl set-ntp true`; macOS: System Settings › Date & Time; Windows: `w32tm /resync`).',
    );
  }
  return pass('clock-skew', text);
}

export function checkStandby(w: HeartbeatWatch, proc: ProcessInfo, nowMs = Date.now()): CheckResult {
  const hb = w.standby.last;
  const ours = proc.pid !== null && proc.standby;
  if (!hb) {
    if (ours) {
      return fail('standby', `the standby this state dir started (pid ${proc.pid}) has not registered (no pod-standby row)`, 'See `dtx transactor logs`; restart it with `dtx transactor start --standby`.');
    }
    return pass('standby', 'none registered (optional: a standby transactor takes over when the active one fails)');
  }
  if (w.standby.advanced) return pass('standby', `a live standby at ${where(hb)}: rev ${w.standby.first?.rev ?? '?'} → ${hb.rev ?? '?'} while watched`);
  const age = hb.timestampMs === null ? '' : `, last beat ${secs(Math.max(0, nowMs - hb.timestampMs))} ago by its timestamp`;
  const what = `the standby registered at ${where(hb)} did not advance in ${secs(w.watchedMs)}${age}`;
  if (ours) return fail('standby', `${what}, yet the standby this state dir started (pid ${proc.pid}) is running`, 'See `dtx transactor logs`, then restart it.');
  return warn('standby', `no standby is alive: ${what}`, 'For high availability start one: `dtx transactor start --standby --state-dir DIR` (best on another machine). Otherwise ignore this: the row stays after a standby stops.');
}
