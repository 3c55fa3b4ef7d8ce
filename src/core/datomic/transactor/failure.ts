/**
 * Classifying a failed start from the transactor's output: the known causes (missing property or
 * table, authentication, port in use, Java, distribution) with their hints, and the log lines worth
 * showing (masked).
 */
import { DtxError, ExitCode } from '../../errors.js';
import { maskSecrets } from '../../mask.js';
import { MISSING_PROPERTY, TERMINATING } from './output-scanner.js';

interface KnownCause {
  re: RegExp;
  code: string;
  message: string;
  hint: string;
  exitCode?: 1 | 2;
}

const KNOWN_CAUSES: KnownCause[] = [
  { re: MISSING_PROPERTY, code: 'PROPERTY_MISSING', message: 'a required transactor property is not set', hint: 'Add the property to the properties file, or let dtx generate it (`dtx transactor properties`).', exitCode: 2 },
  { re: /relation "?datomic_kvs"? does not exist/i, code: 'STORAGE_TABLE_MISSING', message: 'the datomic_kvs table does not exist in the storage database', hint: 'Run `dtx init-postgres` to create the database, role and datomic_kvs table.' },
  { re: /password authentication failed|authentication failed for user|no pg_hba\.conf entry|role "[^"]*" does not exist/i, code: 'STORAGE_AUTH_FAILED', message: 'PostgreSQL rejected the transactor\'s login (sql-user/sql-password)', hint: 'sql-user and sql-password (from --pg-url, or your --properties file) must be the role\'s current ones: fix them there (to change the role\'s password instead, run ALTER ROLE as an admin).' },
  { re: /database "[^"]*" does not exist/i, code: 'STORAGE_DATABASE_MISSING', message: 'the storage database does not exist', hint: 'Run `dtx init-postgres`.' },
  { re: /permission denied for (?:table|relation) datomic_kvs/i, code: 'STORAGE_PERMISSION_DENIED', message: 'the storage role may not use datomic_kvs', hint: 'Grant it: `dtx init-postgres` (or GRANT SELECT, INSERT, UPDATE, DELETE ON datomic_kvs TO <role>).' },
  { re: /Address already in use|BindException/i, code: 'PORT_IN_USE', message: 'the transactor could not bind its port (already in use)', hint: 'Another transactor or program listens on the port or ping-port: stop it (`dtx transactor stop`) or choose other ports.' },
  { re: /Connection to \S+ refused|Connection refused/i, code: 'STORAGE_UNREACHABLE', message: 'the transactor cannot reach PostgreSQL', hint: 'Is PostgreSQL running at the host/port in sql-url?' },
  { re: /UnknownHostException/i, code: 'STORAGE_UNREACHABLE', message: 'the transactor cannot resolve the PostgreSQL host', hint: 'Check the host in sql-url.' },
  { re: /UnsupportedClassVersionError|has been compiled by a more recent version of the Java Runtime/i, code: 'JAVA_TOO_OLD', message: 'the Java on the PATH is too old for this Datomic', hint: 'Use Java 17 or 21: set JAVA_HOME / PATH (or --java-home).', exitCode: 2 },
  { re: /java: (?:command )?not found|'java' is not recognized/i, code: 'JAVA_NOT_FOUND', message: 'bin/transactor could not find java', hint: 'Put Java 11+ on the PATH or pass --java-home.', exitCode: 2 },
  { re: /The system cannot find the path specified/i, code: 'TRANSACTOR_LAUNCH_FAILED', message: 'bin\\transactor.cmd could not find its files', hint: 'It must run with the working directory = the Datomic install root; check --datomic-home.' },
  { re: /Could not find or load main class|ClassNotFoundException: (?:clojure|datomic)/i, code: 'DATOMIC_HOME_INVALID', message: 'the Datomic distribution is incomplete (classes missing)', hint: 'Re-unpack datomic-pro-<version>.zip and point --datomic-home at it.', exitCode: 2 },
  { re: /FileNotFoundException/i, code: 'PROPERTIES_NOT_FOUND', message: 'the transactor could not read a file it needs', hint: 'Check the properties path and data-dir/log-dir/pid-file (absolute, writable).' },
  { re: /Heartbeat failed/i, code: 'HEARTBEAT_FAILED', message: 'the transactor lost its heartbeat (storage stalled or another transactor fenced it)', hint: 'Check PostgreSQL health; do not write pod-coord.' },
];

/** Picks the lines worth showing from the output (masked). */
export function relevantLines(lines: string[], max = 20): string[] {
  const interesting = /Terminating process|Critical failure|missing-transactor-property|Exception|ERROR|FATAL|error:|refused|does not exist|failed|denied|not found|not recognized|cannot find/i;
  const picked = lines.filter((l) => interesting.test(l));
  const tail = lines.slice(-8);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of [...picked, ...tail]) {
    if (!l.trim() || seen.has(l)) continue;
    seen.add(l);
    out.push(maskSecrets(l));
  }
  return out.slice(-max);
}

export function classifyFailure(lines: string[], what: string, extra: { exitCode?: number | null; logFile?: string; outLog?: string } = {}): DtxError {
  const text = lines.join('\n');
  const shown = relevantLines(lines);
  const where = [extra.outLog, extra.logFile].filter(Boolean).join(', ');
  const details = { lines: shown, exitCode: extra.exitCode ?? null, logFiles: where || null };
  for (const c of KNOWN_CAUSES) {
    const m = c.re.exec(text);
    if (!m) continue;
    const message = c.code === 'PROPERTY_MISSING'
      ? maskSecrets(lines.find((l) => MISSING_PROPERTY.test(l))?.trim() ?? c.message)
      : `${what}: ${c.message}`;
    return new DtxError({
      code: c.code,
      message: `${message}\n${shown.map((l) => `  | ${l}`).join('\n')}`,
      hint: c.hint + (where ? ` Logs: ${where}` : ''),
      exitCode: c.exitCode ?? ExitCode.failed,
      details,
    });
  }
  const term = lines.find((l) => TERMINATING.test(l));
  return new DtxError({
    code: 'TRANSACTOR_FAILED',
    message: `${what}${term ? `: ${maskSecrets(term.trim())}` : extra.exitCode !== undefined && extra.exitCode !== null ? ` (exit ${extra.exitCode})` : ''}\n${shown.map((l) => `  | ${l}`).join('\n')}`,
    hint: where ? `See the logs: ${where} (\`dtx transactor logs\`).` : 'See `dtx transactor logs`.',
    exitCode: ExitCode.failed,
    details,
  });
}
