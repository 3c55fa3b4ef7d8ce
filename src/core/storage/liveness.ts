/**
 * Is a transactor alive on this storage? (datomic-facts §6) First the one-shot rule (now − the
 * heartbeat's timestamp < 3 intervals). That depends on the two clocks agreeing, so when it says
 * "dead" about a heartbeat that is only somewhat old (clock skew is plausible), a second sample one
 * interval later decides: a rev or timestamp that advanced means alive, whatever the clocks say.
 * Read-only: pod-coord is never written.
 */
import { judgeAlive, readHeartbeat, waitForAdvance, type Heartbeat, DEFAULT_HEARTBEAT_INTERVAL_MS } from './heartbeat.js';
import type { Queryable } from './kvs.js';
import { probePort } from '../net.js';
import os from 'node:os';
import { isLocalHost } from '../postgres/url.js';

export interface Liveness {
  alive: boolean;
  heartbeat: Heartbeat | null;
  /** fresh: one-shot; advanced/still: two samples; absent: no pod-coord row; stale: too old to be skew. */
  how: 'fresh' | 'advanced' | 'still' | 'absent' | 'stale';
  reason: string;
}

export interface LivenessOptions {
  intervalMs?: number;
  nowMs?: number;
  /** Heartbeats older than this are dead without a second sample (default 10 minutes). */
  skewToleranceMs?: number;
  /** Called before the second sample (which takes about one interval), e.g. to update a spinner. */
  onSecondSample?: () => void;
  signal?: AbortSignal;
  /** Probe host:port of a fresh heartbeat when the host is this machine (default true). */
  probeLocalPort?: boolean;
}

function isThisMachine(host: string | null): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  return isLocalHost(h) || h === '0.0.0.0' || h === os.hostname().toLowerCase();
}

/** True when host:port actively refuses a connection (nothing listens; a timeout is not a refusal). */
async function refused(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return (await probePort(host, port, timeoutMs)) === 'refused';
}

export async function transactorLiveness(c: Queryable, opts: LivenessOptions = {}): Promise<Liveness> {
  const intervalMs = opts.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const hb = await readHeartbeat(c);
  if (!hb) return { alive: false, heartbeat: null, how: 'absent', reason: 'no transactor has ever registered in this storage (no pod-coord row)' };
  const one = judgeAlive(hb, opts.nowMs ?? Date.now(), intervalMs);
  if (one.alive) {
    // A transactor that just stopped leaves a fresh-looking heartbeat for up to 3 intervals. When it
    // ran on this machine, a refused connection to its port settles it (a live one listens there).
    if ((opts.probeLocalPort ?? true) && hb.port !== null && isThisMachine(hb.host) && (await refused(hb.host as string, hb.port))) {
      return { alive: false, heartbeat: hb, how: 'stale', reason: `its last heartbeat is recent, but nothing listens on ${hb.host}:${hb.port} any more` };
    }
    return { alive: true, heartbeat: hb, how: 'fresh', reason: one.reason };
  }
  if (one.ageMs !== null && Math.abs(one.ageMs) > (opts.skewToleranceMs ?? 10 * 60_000)) {
    return { alive: false, heartbeat: hb, how: 'stale', reason: `the last heartbeat is ${Math.round(one.ageMs / 1000)} s old` };
  }
  opts.onSecondSample?.();
  const two = await waitForAdvance(c, intervalMs, { signal: opts.signal });
  return { alive: two.alive, heartbeat: two.after ?? hb, how: two.alive ? 'advanced' : 'still', reason: two.reason };
}
