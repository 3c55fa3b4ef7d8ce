/**
 * Secret masking. Every string that leaves dtx (stdout, stderr, logs, error messages) goes through
 * maskSecrets(). It masks passwords in URLs (postgresql://u:pw@h, jdbc ...?password=pw), key=value
 * forms (password=pw, sql-password=pw), and any extra literal secrets registered by the caller.
 */
const MASK = '***';

const extraSecrets = new Set<string>();

/** Register a literal secret (e.g. a password read from config) so it is masked wherever it appears. */
export function registerSecret(secret: string | undefined | null, notSecret: (string | undefined)[] = []): void {
  // Short or name-like values (the default password "datomic" equals the role name) would mask
  // ordinary words everywhere; those are still masked wherever they appear in URLs or key=value form.
  if (secret && secret.length >= 8 && !notSecret.includes(secret)) extraSecrets.add(secret);
}

export function clearRegisteredSecrets(): void {
  extraSecrets.clear();
}

export function maskSecrets(text: string): string {
  let out = text
    // scheme://user:password@host  (postgresql, postgres, jdbc:postgresql, http...)
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@?#]*:)([^\s@/]*)(@)/gi, (_m, a: string, _pw: string, c: string) => `${a}${MASK}${c}`)
    // password=... in query strings / key=value / properties (password, sql-password, PGPASSWORD)
    .replace(/((?:^|[?&;\s,"'{])(?:[a-z-]*password|pgpassword|pwd)\s*[=:]\s*"?)([^&\s;"',}]+)/gim, (_m, a: string) => `${a}${MASK}`)
    // JSON "password":"..."
    .replace(/("(?:[a-zA-Z]*[pP]assword)"\s*:\s*")((?:[^"\\]|\\.)*)(")/g, (_m, a: string, _p: string, c: string) => `${a}${MASK}${c}`);
  for (const s of extraSecrets) {
    if (out.includes(s)) out = out.split(s).join(MASK);
  }
  return out;
}
