/** Human units for tables: bytes and counts (from core/units.ts) and a text progress bar. */
export { formatBytes, formatCount } from '../core/units.js';

/** A text progress bar, e.g. `[██████░░░░] 3/5`. */
export function progressBar(done: number, total: number, width = 20): string {
  return `${fillBar(total > 0 ? done / total : 0, width)} ${done}/${total}`;
}

/** The bar alone, `width` cells between brackets, `frac` (0..1) of them filled: `[██████░░░░]`. */
export function fillBar(frac: number, width: number): string {
  const full = Math.round(Math.min(1, Math.max(0, frac)) * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}]`;
}

/** An ISO time as `YYYY-MM-DD HH:MM:SS` (UTC, as stored), or `-` when there is none. */
export function formatTimestamp(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 19).replace('T', ' ') : '-';
}
