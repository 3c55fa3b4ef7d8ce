/** Durations on the command line: `0`, `90s`, `30m`, `12h`, `7d` (a bare number is seconds). */
import { usageError } from './errors.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(text);
  if (!m) {
    throw usageError('BAD_DURATION', `${flag} ${JSON.stringify(text)} is not a duration`, `Use a number with s, m, h or d, e.g. ${flag} 30m, ${flag} 12h, ${flag} 7d, or ${flag} 0.`);
  }
  return Math.round(Number(m[1]) * UNITS[(m[2] || 's').toLowerCase()]!);
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [u, n] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) if (ms % n === 0) return `${ms / n}${u}`;
  return `${Math.round(ms / 1000)}s`;
}
