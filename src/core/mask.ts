/**
 * Secret masking. Every string that leaves dtx (stdout, stderr, logs, error messages) goes through
 * maskSecrets(). In this order:
 * 1. Registered secrets (the passwords dtx knows: storage, admin, embedded superuser) are replaced
 *    by value, in every form they can take in text (secret-forms.ts), longest first.
 * 2. Pattern rules mask passwords dtx does not know: URLs (scheme://user:PW@host), key=value forms
 *    (password=PW, sql-password=PW, PGPASSWORD=PW, a JDBC query) and JSON "…password":"PW". Where
 *    the value starts with a form of a registered secret, that whole form is masked, whatever
 *    characters (space, quote, comma) it holds: a pattern never stops inside a known secret.
 * The placeholder PASSWORD in hints (postgresql://USER:PASSWORD@HOST) is left readable.
 */
import { secretForms } from './secret-forms.js';

const MASK = '***';
/** Registered secrets shorter than this are masked only where a pattern points at them. */
const MIN_FREE_LENGTH = 4;
/** Words hints use in place of a password. */
const PLACEHOLDERS = new Set(['PASSWORD']);

const secrets = new Set<string>();
/** Forms masked wherever they appear, longest first. */
let freeForms: string[] = [];
/** Forms of every registered secret (any length), longest first: the value extent for pattern rules. */
let contextForms: string[] = [];

function rebuild(): void {
  const free = new Set<string>();
  const ctx = new Set<string>();
  for (const s of secrets) {
    for (const f of secretForms(s)) {
      ctx.add(f);
      if ([...s].length >= MIN_FREE_LENGTH && f.trim() !== '') free.add(f);
    }
  }
  const byLength = (a: string, b: string): number => b.length - a.length;
  freeForms = [...free].sort(byLength);
  contextForms = [...ctx].sort(byLength);
}

/**
 * Register a secret (a password read from config, a generated one) so it is masked wherever it
 * appears. A secret equal to one of `notSecret` (the role or database name, printed anyway) is
 * masked only where a pattern points at it.
 */
export function registerSecret(secret: string | undefined | null, notSecret: (string | undefined)[] = []): void {
  if (!secret || notSecret.includes(secret) || secrets.has(secret)) return;
  secrets.add(secret);
  rebuild();
}

export function clearRegisteredSecrets(): void {
  secrets.clear();
  rebuild();
}

interface Rule {
  /** Matches up to where the value starts (global, multiline). */
  prefix: RegExp;
  /** The value when no registered form starts there (sticky). */
  value: RegExp;
  /** Text that must follow the value for the rule to apply (sticky), e.g. `@` after URL userinfo. */
  after?: RegExp;
}

const RULES: Rule[] = [
  // scheme://user:password@host  (postgresql, postgres, jdbc:postgresql, http...)
  { prefix: /[a-z][a-z0-9+.-]*:\/\/[^\s:/@?#]*:/gi, value: /[^\s@/]*/y, after: /@/y },
  // password=... in query strings / key=value / properties (password, sql-password, PGPASSWORD)
  { prefix: /(?:^|[?&;\s,"'{])(?:[a-z-]*password|pgpassword|pwd)\s*[=:]\s*"?/gim, value: /[^&\s;"',}]+/y },
  // JSON "…password":"..."
  { prefix: /"[a-zA-Z]*[pP]assword"\s*:\s*"/g, value: /(?:[^"\\]|\\.)*/y, after: /"/y },
];

function valueAt(text: string, at: number, rule: Rule): number | null {
  for (const f of contextForms) {
    if (text.startsWith(f, at)) return f.length;
  }
  rule.value.lastIndex = at;
  const m = rule.value.exec(text);
  if (!m || m[0] === '' || PLACEHOLDERS.has(m[0]) || m[0] === MASK) return null;
  return m[0].length;
}

function applyRule(text: string, rule: Rule): string {
  let out = '';
  let last = 0;
  rule.prefix.lastIndex = 0;
  for (let m = rule.prefix.exec(text); m; m = rule.prefix.exec(text)) {
    const start = m.index + m[0].length;
    if (m[0].length === 0) rule.prefix.lastIndex++;
    const len = valueAt(text, start, rule);
    if (len === null) continue;
    if (rule.after) {
      rule.after.lastIndex = start + len;
      if (!rule.after.test(text)) continue;
    }
    out += text.slice(last, start) + MASK;
    last = start + len;
    rule.prefix.lastIndex = last;
  }
  return last === 0 ? text : out + text.slice(last);
}

export function maskSecrets(text: string): string {
  let out = text;
  for (const f of freeForms) {
    if (out.includes(f)) out = out.split(f).join(MASK);
  }
  for (const rule of RULES) out = applyRule(out, rule);
  return out;
}

/**
 * Masks streamed output (a child's stdout chunks) line by line: a secret split across two chunks
 * is still masked whole, and a multi-byte character split across chunks is decoded whole.
 */
export function createStreamMasker(): { push(chunk: Buffer | string): string; flush(): string } {
  const decoder = new TextDecoder('utf-8');
  let partial = '';
  return {
    push(chunk) {
      partial += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      const end = partial.lastIndexOf('\n');
      if (end < 0) return '';
      const lines = partial.slice(0, end + 1);
      partial = partial.slice(end + 1);
      return maskSecrets(lines);
    },
    flush() {
      const rest = partial + decoder.decode();
      partial = '';
      return rest ? maskSecrets(rest) : '';
    },
  };
}
