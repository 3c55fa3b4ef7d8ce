/**
 * The transactor core's read-only view of the heartbeats (datomic-facts §6), on top of
 * src/core/storage/heartbeat.ts (the canonical reader, which drops the per-process credentials).
 * NEVER writes pod-coord or pod-standby (that would fence the live transactor).
 */
import type { PgClient } from '../postgres/client.js';
import {
  readHeartbeats as readStorageHeartbeats, parseHeartbeat, judgeAlive, judgeAdvance,
  type Heartbeat as StorageHeartbeat, type HeartbeatRowId,
} from '../storage/heartbeat.js';

export interface Heartbeat {
  id: HeartbeatRowId;
  /** null only for a malformed row. */
  rev: number | null;
  host: string | null;
  altHost: string | null;
  port: number | null;
  /** Transactor epoch ms of the last beat. */
  timestamp: number | null;
  version: string | null;
  encryptChannel: boolean | null;
}

export interface Heartbeats {
  coord: Heartbeat | null;
  standby: Heartbeat | null;
}

function fromStorage(hb: StorageHeartbeat | null): Heartbeat | null {
  if (!hb) return null;
  return {
    id: hb.id,
    rev: hb.rev,
    host: hb.host,
    altHost: hb.altHost,
    port: hb.port,
    timestamp: hb.timestampMs,
    version: hb.version,
    encryptChannel: hb.encryptChannel,
  };
}

/** Parses a heartbeat row's map column (credentials dropped). Throws HEARTBEAT_CORRUPT. */
export function parseHeartbeatRow(id: HeartbeatRowId, rev: number | null, map: string): Heartbeat {
  return fromStorage(parseHeartbeat(id, rev, map)) as Heartbeat;
}

/** Reads pod-coord and pod-standby (point selects only). */
export async function readHeartbeats(client: PgClient): Promise<Heartbeats> {
  const r = await readStorageHeartbeats(client);
  return { coord: fromStorage(r.active), standby: fromStorage(r.standby) };
}

function toStorage(hb: Heartbeat): StorageHeartbeat {
  return { id: hb.id, rev: hb.rev, host: hb.host, altHost: hb.altHost, port: hb.port, timestampMs: hb.timestamp, version: hb.version, encryptChannel: hb.encryptChannel, protocol: null };
}

/** One-shot judgement (§6): alive when now − timestamp < 3 intervals. */
export function heartbeatAliveOneShot(hb: Heartbeat | null, intervalMs = 5000, now = Date.now()): boolean {
  return judgeAlive(hb ? toStorage(hb) : null, now, intervalMs).alive;
}

/** Two samples across an interval (clock-independent): alive when rev or timestamp advanced. */
export function heartbeatAdvanced(before: Heartbeat | null, after: Heartbeat | null): boolean {
  return judgeAdvance(before ? toStorage(before) : null, after ? toStorage(after) : null).alive;
}

/** now − timestamp, never negative (clock skew); null without a heartbeat. */
export function heartbeatAgeMs(hb: Heartbeat | null, now = Date.now()): number | null {
  if (!hb || hb.timestamp === null) return null;
  return Math.max(0, now - hb.timestamp);
}
