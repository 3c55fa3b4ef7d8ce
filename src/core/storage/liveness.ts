/**
 * Is a transactor alive on this storage? The one judgement that `transactor status` and the db
 * commands share (docs/datomic-storage.md §5). Read-only: pod-coord/pod-standby are never written.
 *
 * The rule:
 * 1. No heartbeat row: nothing could be alive (dead, at once).
 * 2. The row names an endpoint on this machine and its port refuses connections: the process is
 *    gone (dead, at once), however fresh the heartbeat looks (a stopped transactor leaves one).
 * 3. A fresh heartbeat (now − timestamp < 3 intervals): alive, at once (unless `confirm`).
 * 4. Otherwise watch the row for more than one interval: a rev or timestamp that advances means
 *    alive, whatever the timestamps say (a transactor whose clock is behind looks old forever);
 *    no advance means dead. There is no "too old to matter" shortcut.
 * An abort (Ctrl-C) before or during the wait throws CANCELLED (exit 130), never a verdict.
 */
import os from 'node:os';
import { ACTIVE_HEARTBEAT_ID, judgeAlive, readHeartbeat, waitForAdvance, type Heartbeat, type HeartbeatRowId, DEFAULT_HEARTBEAT_INTERVAL_MS } from './heartbeat.js';
import type { Queryable } from './kvs.js';
import { probePort } from '../net.js';
import { isLocalHost } from '../postgres/url.js';
import { throwIfAborted } from '../abort.js';

export interface Liveness {
  alive: boolean;
  /** The last sample read (null without a row). */
  heartbeat: Heartbeat | null;
  /**
   * absent: no row · gone: a local endpoint whose port refuses · fresh: one-shot rule ·
   * advanced / still: decided by a second sample.
   */
  how: 'absent' | 'gone' | 'fresh' | 'advanced' | 'still';
  reason: string;
}

export interface LivenessOptions {
  /** Which row: pod-coord (the active transactor, default) or pod-standby. */
  id?: HeartbeatRowId;
  /** The transactor's heartbeat-interval-msec (default 5000). */
  intervalMs?: number;
  nowMs?: number;
  /** Take the second sample even for a fresh heartbeat (certainty over speed). */
  confirm?: boolean;
  /** Called once before the second sample (which takes a bit more than one interval): show progress. */
  onSecondSample?: () => void;
  /** Ctrl-C: throws CANCELLED before or during the wait. */
  signal?: AbortSignal;
  /**
   * Probe host:port when the row names this machine; a refused connection means the process is
   * gone (default: true for pod-coord; false for pod-standby, whose port a standby does not serve).
   */
  probeLocalPort?: boolean;
}

function isThisMachine(host: string | null): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  return isLocalHost(h) || h === '0.0.0.0' || h === '::' || h === os.hostname().toLowerCase();
}

/** True when host:port actively refuses a connection (nothing listens; a timeout is not a refusal). */
async function refused(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return (await probePort(host, port, timeoutMs)) === 'refused';
}

export async function transactorLiveness(c: Queryable, opts: LivenessOptions = {}): Promise<Liveness> {
  const id = opts.id ?? ACTIVE_HEARTBEAT_ID;
  const intervalMs = opts.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  throwIfAborted(opts.signal);
  const hb = await readHeartbeat(c, id);
  if (!hb) {
    return { alive: false, heartbeat: null, how: 'absent', reason: `no transactor has ever registered in this storage (no ${id} row)` };
  }
  const probe = opts.probeLocalPort ?? id === ACTIVE_HEARTBEAT_ID;
  if (probe && hb.port !== null && isThisMachine(hb.host) && (await refused(hb.host as string, hb.port))) {
    return { alive: false, heartbeat: hb, how: 'gone', reason: `nothing listens on ${hb.host}:${hb.port} (this machine), where its heartbeat says it runs` };
  }
  throwIfAborted(opts.signal);
  const one = judgeAlive(hb, opts.nowMs ?? Date.now(), intervalMs);
  if (one.alive && !opts.confirm) return { alive: true, heartbeat: hb, how: 'fresh', reason: one.reason };
  opts.onSecondSample?.();
  const two = await waitForAdvance(c, intervalMs, { id, before: hb, signal: opts.signal });
  return {
    alive: two.alive,
    heartbeat: two.after ?? hb,
    how: two.alive ? 'advanced' : 'still',
    reason: two.alive ? `${two.reason}, so it is alive (its clock says the heartbeat is ${Math.round((one.ageMs ?? 0) / 1000)} s old)` : two.reason,
  };
}
