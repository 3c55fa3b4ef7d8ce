/**
 * Datomic database names: validation and "did you mean" suggestions.
 * Datomic forbids `" * : = / ?` in names (docs/datomic-storage.md §6). dtx also refuses empty and
 * whitespace-only names, leading/trailing whitespace, control characters, and overly long names.
 */
import { DtxError, ExitCode } from '../errors.js';

export const FORBIDDEN_DB_NAME_CHARS = ['"', '*', ':', '=', '/', '?'] as const;
/** dtx's own limit (Datomic has none documented); the db-id appends 37 characters. */
export const MAX_DB_NAME_LENGTH = 200;

const HINT = 'Database names may not be empty or contain any of " * : = / ? (e.g. use "my-app" or "orders_2024").';

function invalid(name: string, why: string): DtxError {
  return new DtxError({
    code: 'DB_NAME_INVALID',
    message: `invalid database name ${JSON.stringify(name)}: ${why}`,
    hint: HINT,
    exitCode: ExitCode.usage,
    details: { name },
  });
}

/** Returns the reason a name is invalid, or null when it is valid. */
export function dbNameProblem(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name.trim().length === 0) return 'it is only whitespace';
  if (name.trim() !== name) return 'it starts or ends with whitespace';
  if ([...name].length > MAX_DB_NAME_LENGTH) return `it is longer than ${MAX_DB_NAME_LENGTH} characters`;
  const bad = FORBIDDEN_DB_NAME_CHARS.filter((c) => name.includes(c));
  if (bad.length > 0) return `it contains ${bad.map((c) => `'${c}'`).join(', ')}`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains control characters';
  return null;
}

export function isValidDbName(name: string): boolean {
  return dbNameProblem(name) === null;
}

/** Throws DtxError DB_NAME_INVALID (exit 2) unless the name is a valid Datomic database name. */
export function validateDbName(name: string): string {
  const problem = dbNameProblem(name);
  if (problem !== null) throw invalid(name, problem);
  return name;
}

/** Damerau-Levenshtein (optimal string alignment) distance over code points. */
export function editDistance(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  const n = s.length;
  const m = t.length;
  if (n === 0) return m;
  if (m === 0) return n;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: m + 1 }, (_, j) => j);
  for (let i = 1; i <= n; i++) {
    const cur: number[] = [i];
    for (let j = 1; j <= m; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      cur.push(v);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[m] ?? 0;
}

/**
 * "Did you mean" candidates for an unknown name, best first (at most `max`): case-insensitive
 * equality, then prefix matches either way, then small edit distances (≤ 1/3 of the length, min 1,
 * max 3). The input itself is never suggested.
 */
export function suggestNames(input: string, names: readonly string[], max = 3): string[] {
  const lower = input.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const name of names) {
    if (name === input) continue;
    const ln = name.toLowerCase();
    let score: number;
    if (ln === lower) score = 0;
    else if (lower.length > 0 && (ln.startsWith(lower) || lower.startsWith(ln))) score = 1 + Math.abs(ln.length - lower.length) / 1000;
    else {
      const d = editDistance(lower, ln);
      const limit = Math.min(3, Math.max(1, Math.floor(Math.max([...lower].length, 1) / 3)));
      if (d > limit) continue;
      score = 1 + d;
    }
    scored.push({ name, score });
  }
  scored.sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scored.slice(0, max).map((s) => s.name);
}
