/**
 * Squuids: Datomic names every value row it writes by a uuid whose first 32 bits are the Unix
 * seconds of its creation (datomic.common/squuid), so a row id tells when the row was written.
 * dtx's own catalog writes use them too, so the tail rows it leaves behind date themselves.
 */
import { randomUUID } from 'node:crypto';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CHUNK_RE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_[0-9A-Fa-f]{15}$/;

/** A squuid: 32 bits of Unix seconds, then the rest of a random v4 uuid. */
export function squuid(nowMs = Date.now(), random: () => string = randomUUID): string {
  const secs = Math.floor(nowMs / 1000).toString(16).padStart(8, '0');
  return `${secs}${random().slice(8)}`;
}

/** The first Datomic release was in 2012; squuid seconds before it are not squuids. */
const EARLIEST_SQUUID_S = Date.UTC(2012, 0, 1) / 1000;

/**
 * When a row whose id is a squuid (or a squuid-based chunk key) was written, in ms; null for ids
 * that do not date themselves (named roots, pod rows, anything else) and for implausible dates
 * (before 2012 or more than a day after `nowMs`: a random uuid, not a squuid).
 */
export function squuidTimeMs(id: string, nowMs = Date.now()): number | null {
  const m = CHUNK_RE.exec(id);
  const uuid = m ? m[1]! : UUID_RE.test(id) ? id : null;
  if (!uuid) return null;
  const s = parseInt(uuid.slice(0, 8), 16);
  if (s < EARLIEST_SQUUID_S || s * 1000 > nowMs + 86_400_000) return null;
  return s * 1000;
}

