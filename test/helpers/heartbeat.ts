/**
 * A stand-in transactor heartbeat for liveness tests: writes `pod-coord` (or `pod-standby`) in the
 * format Datomic writes (map `{:key "<printed vector>"}`, vector [host alt-host port user password
 * timestamp version encrypt protocol]), once or in a loop that advances rev like a live transactor.
 */
import pg from 'pg';
import { printEdn, EdnMap, kw } from '../../src/core/edn/index.js';
import { withStorage } from './real-peer.js';

export interface BeatOptions {
  host?: string;
  port?: number;
  /** The transactor's clock minus ours (negative: its clock is behind). */
  skewMs?: number;
  id?: 'pod-coord' | 'pod-standby';
}

export function heartbeatMap(ts: number, o: BeatOptions = {}): string {
  const vec = printEdn([o.host ?? '192.0.2.10', null, o.port ?? 4334, 'hb-user', 'hb-password-9f8e7d', ts, '1.0.7469', true, 2]);
  return printEdn(new EdnMap([[kw('key'), vec]]));
}

/** Writes the heartbeat row once (insert, or update with rev+1). Returns the rev written. */
export async function writeBeat(url: string, o: BeatOptions = {}): Promise<number> {
  return withStorage(url, (c) => beat(c, o));
}

async function beat(c: pg.Client, o: BeatOptions): Promise<number> {
  const id = o.id ?? 'pod-coord';
  const map = heartbeatMap(Date.now() + (o.skewMs ?? 0), o);
  const r = await c.query<{ rev: number }>('update datomic_kvs set rev = rev + 1, map = $2 where id = $1 returning rev', [id, map]);
  if (r.rows[0]) return r.rows[0].rev;
  await c.query('insert into datomic_kvs (id, rev, map) values ($1, 0, $2)', [id, map]);
  return 0;
}

/** A "live transactor": beats every `everyMs` (rev+1, timestamp = now + skew) until stopped. */
export async function startBeating(url: string, o: BeatOptions & { everyMs?: number } = {}): Promise<{ stop: () => Promise<void>; beats: () => number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  let n = 0;
  let running = true;
  let pending: Promise<unknown> = beat(c, o).then(() => n++);
  const timer = setInterval(() => {
    if (!running) return;
    pending = pending.then(() => beat(c, o)).then(() => n++);
  }, o.everyMs ?? 1000);
  await pending;
  let stopped: Promise<void> | undefined;
  return {
    beats: () => n,
    /** Stops beating and closes the connection; a second call waits for the first. */
    stop: () =>
      (stopped ??= (async () => {
        running = false;
        clearInterval(timer);
        await pending.catch(() => {});
        await c.end();
      })()),
  };
}
