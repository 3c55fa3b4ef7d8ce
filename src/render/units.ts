/** Human units for tables: bytes and counts (from core/units.ts) and a text progress bar. */
export { formatBytes, formatCount } from '../core/units.js';

/** A text progress bar, e.g. `[██████░░░░] 3/5`. */
export function progressBar(done: number, total: number, width = 20): string {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const full = Math.round(frac * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${done}/${total}`;
}

/** An ISO time as `YYYY-MM-DD HH:MM:SS` (UTC, as stored), or `-` when there is none. */
export function formatTimestamp(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 19).replace('T', ' ') : '-';
}
