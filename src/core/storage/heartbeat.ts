/**
 * Transactor heartbeats (docs/datomic-storage.md §5): `pod-coord` (active) and `pod-standby` (HA standby),
 * map `{:key "<printed vector>"}` with the vector
 *   [host alt-host port username password timestamp version encrypt-channel protocol]
 * READ ONLY: writing these rows fences the live transactor. The username/password elements are
 * secrets: they are dropped here and never returned, logged or put into error messages.
 */
import { DtxError } from '../errors.js';
import { readEdn, EdnMap, EdnBigInt, kw, type EdnValue } from '../edn/index.js';
import { getRow, type Queryable } from './kvs.js';
import { abortableSleep, throwIfAborted } from '../abort.js';

export const ACTIVE_HEARTBEAT_ID = 'pod-coord';
export const STANDBY_HEARTBEAT_ID = 'pod-standby';
export type HeartbeatRowId = typeof ACTIVE_HEARTBEAT_ID | typeof STANDBY_HEARTBEAT_ID;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5000;

export interface Heartbeat {
  id: HeartbeatRowId;
  rev: number | null;
  host: string | null;
  altHost: string | null;
  port: number | null;
  /** the transactor's clock, epoch ms */
  timestampMs: number | null;
  version: string | null;
  encryptChannel: boolean | null;
  /** peer protocol (2 today) */
  protocol: number | null;
}

function corrupt(id: string, why: string): DtxError {
  // Never include the row content: it holds the transactor's credentials.
  return new DtxError({
    code: 'HEARTBEAT_CORRUPT',
    message: `the heartbeat row ${id} is unreadable: ${why}`,
    hint: 'A transactor writes this row; restart it, or check that nothing else writes datomic_kvs.',
    details: { id },
  });
}

function str(v: EdnValue | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

function num(v: EdnValue | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof EdnBigInt) return Number(v.value);
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return null;
}

/** Parses a heartbeat row's map column. Throws HEARTBEAT_CORRUPT (without secrets) on bad input. */
export function parseHeartbeat(id: HeartbeatRowId, rev: number | null, mapText: string): Heartbeat {
  let m: EdnValue;
  try {
    m = readEdn(mapText);
  } catch {
    throw corrupt(id, 'the map column is not valid EDN');
  }
  if (!(m instanceof EdnMap)) throw corrupt(id, 'the map column is not an EDN map');
  const key = m.get(kw('key'));
  if (typeof key !== 'string') throw corrupt(id, 'the map has no :key string');
  let vec: EdnValue;
  try {
    vec = readEdn(key);
  } catch {
    throw corrupt(id, 'the :key value is not valid EDN');
  }
  if (!Array.isArray(vec) || vec.length < 8) throw corrupt(id, 'the :key value is not the expected vector');
  // indexes 3 and 4 (username, password) are deliberately never read
  const enc = vec[7];
  return {
    id,
    rev,
    host: str(vec[0]),
    altHost: str(vec[1]),
    port: num(vec[2]),
    timestampMs: num(vec[5]),
    version: str(vec[6]),
    encryptChannel: typeof enc === 'boolean' ? enc : null,
    protocol: num(vec[8]),
  };
}

/** Reads one heartbeat row (point lookup); null when the row does not exist. */
export async function readHeartbeat(c: Queryable, id: HeartbeatRowId = ACTIVE_HEARTBEAT_ID): Promise<Heartbeat | null> {
  const row = await getRow(c, id);
  if (!row) return null;
  return parseHeartbeat(id, row.rev, row.map);
}

export interface Heartbeats {
  active: Heartbeat | null;
  standby: Heartbeat | null;
}

/** Reads pod-coord (active) and pod-standby (point selects only). */
export async function readHeartbeats(c: Queryable): Promise<Heartbeats> {
  const active = await readHeartbeat(c, ACTIVE_HEARTBEAT_ID);
  const standby = await readHeartbeat(c, STANDBY_HEARTBEAT_ID);
  return { active, standby };
}

/** now − timestamp, never negative (clock skew); null without a heartbeat or timestamp. */
export function heartbeatAgeMs(hb: Heartbeat | null, nowMs = Date.now()): number | null {
  if (!hb || hb.timestampMs === null) return null;
  return Math.max(0, nowMs - hb.timestampMs);
}

export interface AliveJudgement {
  alive: boolean;
  /** now - timestamp (may be negative with clock skew); null without a timestamp */
  ageMs: number | null;
  reason: string;
}

/** One-shot liveness: alive when now − timestamp < 3 × interval (depends on clocks agreeing). */
export function judgeAlive(hb: Heartbeat | null, nowMs: number, intervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS): AliveJudgement {
  if (!hb) return { alive: false, ageMs: null, reason: 'no heartbeat row' };
  if (hb.timestampMs === null) return { alive: false, ageMs: null, reason: 'heartbeat has no timestamp' };
  const ageMs = nowMs - hb.timestampMs;
  const limit = 3 * intervalMs;
  if (ageMs < limit) return { alive: true, ageMs, reason: `heartbeat is ${ageMs} ms old (< ${limit} ms)` };
  return { alive: false, ageMs, reason: `heartbeat is ${ageMs} ms old (>= ${limit} ms)` };
}

/** Two samples: alive when rev or timestamp advanced between them (clock-independent). */
export function judgeAdvance(before: Heartbeat | null, after: Heartbeat | null): AliveJudgement {
  if (!after) return { alive: false, ageMs: null, reason: 'no heartbeat row' };
  if (!before) return { alive: true, ageMs: null, reason: 'heartbeat row appeared' };
  const revAdvanced = before.rev !== null && after.rev !== null && after.rev !== before.rev;
  const tsAdvanced = before.timestampMs !== null && after.timestampMs !== null && after.timestampMs > before.timestampMs;
  if (revAdvanced || tsAdvanced) return { alive: true, ageMs: null, reason: `heartbeat advanced (rev ${before.rev} -> ${after.rev})` };
  return { alive: false, ageMs: null, reason: `heartbeat did not advance (rev ${after.rev})` };
}

export interface WaitForAdvanceOptions {
  id?: HeartbeatRowId;
  /** How long to watch; default intervalMs × 1.2 + 250 (more than one beat, plus slack). */
  waitMs?: number;
  /** Re-read this often and stop as soon as the row advanced (default min(500, waitMs)). */
  pollMs?: number;
  /** The first sample when the caller already has it (else it is read now). */
  before?: Heartbeat | null;
  /** An abort throws CANCELLED (exit 130): an interrupted wait is never a verdict. */
  signal?: AbortSignal;
}

export interface AdvanceResult extends AliveJudgement {
  before: Heartbeat | null;
  after: Heartbeat | null;
}

/**
 * Reads the heartbeat and watches it for a bit more than one interval, re-reading every pollMs:
 * alive as soon as rev or timestamp advanced (clock-independent), dead when the whole wait passed
 * without an advance. Throws CANCELLED when the signal fires, before or during the wait.
 */
export async function waitForAdvance(c: Queryable, intervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS, opts: WaitForAdvanceOptions = {}): Promise<AdvanceResult> {
  const id = opts.id ?? ACTIVE_HEARTBEAT_ID;
  throwIfAborted(opts.signal);
  const before = opts.before !== undefined ? opts.before : await readHeartbeat(c, id);
  const waitMs = Math.max(0, opts.waitMs ?? Math.round(intervalMs * 1.2) + 250);
  const pollMs = Math.max(1, Math.min(opts.pollMs ?? 500, waitMs || 1));
  let after = before;
  for (let waited = 0; waited < waitMs; ) {
    const step = Math.min(pollMs, waitMs - waited);
    await abortableSleep(step, opts.signal);
    waited += step;
    after = await readHeartbeat(c, id);
    throwIfAborted(opts.signal);
    const j = judgeAdvance(before, after);
    if (j.alive) return { ...j, before, after };
  }
  return { ...judgeAdvance(before, after), before, after };
}
