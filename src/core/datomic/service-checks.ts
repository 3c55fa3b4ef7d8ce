/**
 * Checks of the host for a supervised transactor (dtx transactor service): the dedicated user,
 * the properties file (0600, owned by that user: it holds the storage password), the folders the
 * transactor writes, Java on the service's PATH, and the unit itself as systemd
 * (`systemd-analyze verify`) or launchd (`plutil -lint`) reads it. Each check says how to fix it.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { whichOnPath } from './java.js';
import { notInstalled, runCommand, type CommandRunner } from './process.js';
import { loadTransactorProperties } from './properties.js';
import { quotePosixArg } from './script.js';
import { servicePath, type ServiceKind, type ServiceSpec } from './service.js';
import { isDtxError } from '../errors.js';

export interface ServiceCheck {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  fix: string | null;
}

/** How the checks run id, systemd-analyze and plutil (each may take up to 30 s). */
const defaultExec: CommandRunner = (cmd, args) => runCommand(cmd, args, 30_000);

export interface UserInfo {
  uid: number;
  gid: number;
}

/** `id -u NAME` / `id -g NAME` (Linux and macOS; NSS/directory users included). */
export async function lookupUser(name: string, exec: CommandRunner = defaultExec): Promise<UserInfo | null> {
  const u = await exec('id', ['-u', name]);
  const g = await exec('id', ['-g', name]);
  if (u.code !== 0 || g.code !== 0) return null;
  const uid = Number(u.stdout.trim());
  const gid = Number(g.stdout.trim());
  return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
}

export function createUserHint(kind: ServiceKind, user: string, home: string): string {
  return kind === 'systemd'
    ? `sudo useradd --system --home-dir ${quotePosixArg(home)} --no-create-home --shell /usr/sbin/nologin ${user}`
    : `create a role account named ${user} (e.g. with dscl: a UniqueID below 500, UserShell /usr/bin/false), or pass --user with an existing one`;
}

async function statOf(p: string) {
  return stat(p).catch(() => null);
}

/**
 * The properties file: present (and valid for Datomic), 0600, owned by the user. Returns the
 * folders the transactor writes (data-dir, log-dir, the pid-file's folder), absolute.
 */
export async function checkProperties(opts: { file: string; home: string; user: string; info: UserInfo | null; generated: boolean }): Promise<{ checks: ServiceCheck[]; writes: string[] }> {
  const checks: ServiceCheck[] = [];
  const st = await statOf(opts.file);
  if (!st) {
    checks.push({
      name: 'properties file',
      status: opts.generated ? 'warn' : 'fail',
      detail: `${opts.file} does not exist`,
      fix: opts.generated ? 'dtx transactor properties (or --install, which writes it)' : 'check --properties',
    });
    return { checks, writes: [] };
  }
  let writes: string[] = [];
  try {
    const s = await loadTransactorProperties(opts.file);
    writes = [s.dataDir, s.logDir, s.pidFile ? path.dirname(path.resolve(opts.home, s.pidFile)) : undefined]
      .filter((d): d is string => !!d)
      .map((d) => path.resolve(opts.home, d));
    checks.push({ name: 'properties file', status: 'pass', detail: `${opts.file} (protocol sql, ${s.host}:${s.port})`, fix: null });
  } catch (e) {
    if (!isDtxError(e)) throw e;
    const unreadable = e.code === 'PROPERTIES_UNREADABLE';
    checks.push({
      name: 'properties file',
      status: unreadable ? 'warn' : 'fail',
      detail: unreadable ? `${opts.file} is not readable by this user, so dtx cannot check it` : e.message,
      fix: unreadable ? 'run this command as root or as the service user to check it' : (e.hint ?? 'fix the file'),
    });
  }
  const mode = st.mode & 0o777;
  checks.push(
    mode & 0o077
      ? { name: 'properties mode', status: 'warn', detail: `${opts.file} is mode ${mode.toString(8).padStart(4, '0')}; it holds the storage password`, fix: `chmod 600 ${quotePosixArg(opts.file)}` }
      : { name: 'properties mode', status: 'pass', detail: `mode ${mode.toString(8).padStart(4, '0')}`, fix: null },
  );
  if (opts.info) {
    checks.push(
      st.uid === opts.info.uid
        ? { name: 'properties owner', status: 'pass', detail: `owned by ${opts.user}`, fix: null }
        : { name: 'properties owner', status: 'warn', detail: `${opts.file} is owned by uid ${st.uid}, not ${opts.user} (uid ${opts.info.uid}): with mode 0600 the transactor could not read it`, fix: `sudo chown ${opts.user}: ${quotePosixArg(opts.file)}` },
    );
  }
  return { checks, writes };
}

/** The folders the transactor writes must belong to the user (it runs with umask 0077). */
export async function checkWritableDirs(dirs: string[], user: string, info: UserInfo | null): Promise<ServiceCheck[]> {
  const out: ServiceCheck[] = [];
  for (const d of [...new Set(dirs)]) {
    const st = await statOf(d);
    if (!st) {
      out.push({ name: 'writable folder', status: 'warn', detail: `${d} does not exist yet`, fix: `sudo install -d -m 700 -o ${user} ${quotePosixArg(d)}` });
    } else if (info && st.uid !== info.uid) {
      out.push({ name: 'writable folder', status: 'warn', detail: `${d} is owned by uid ${st.uid}, not ${user}: the transactor writes there`, fix: `sudo chown -R ${user}: ${quotePosixArg(d)}` });
    } else {
      out.push({ name: 'writable folder', status: 'pass', detail: d, fix: null });
    }
  }
  return out;
}

function allowed(st: { mode: number; uid: number; gid: number }, info: UserInfo, bits: { owner: number; group: number; other: number }): boolean {
  if (info.uid === 0) return true;
  if (st.uid === info.uid) return (st.mode & bits.owner) !== 0;
  if (st.gid === info.gid) return (st.mode & bits.group) !== 0; // supplementary groups not considered
  return (st.mode & bits.other) !== 0;
}

/**
 * Can the user reach `target` (search permission on every folder above it) and, when `exec`,
 * run it? A state dir under a private home (/root, 0700) is the usual trap.
 */
export async function checkReachable(what: string, target: string, user: string, info: UserInfo | null, opts: { exec?: boolean } = {}): Promise<ServiceCheck> {
  if (!info) return { name: what, status: 'pass', detail: `${target} (not checked: no user ${user} yet)`, fix: null };
  const dirs: string[] = [];
  for (let d = path.dirname(target); ; d = path.dirname(d)) {
    dirs.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of dirs) {
    const st = await statOf(d);
    if (!st) break;
    if (!allowed(st, info, { owner: 0o100, group: 0o010, other: 0o001 })) {
      return {
        name: what,
        status: 'warn',
        detail: `${user} cannot reach ${target}: ${d} is mode ${(st.mode & 0o777).toString(8).padStart(4, '0')} (owner uid ${st.uid})`,
        fix: `sudo chmod o+x ${quotePosixArg(d)}, or keep these files in a folder ${user} can reach (e.g. --state-dir /var/lib/dtx, owned by ${user})`,
      };
    }
  }
  if (opts.exec) {
    const st = await statOf(target);
    if (st && !allowed(st, info, { owner: 0o100, group: 0o010, other: 0o001 })) {
      return { name: what, status: 'warn', detail: `${user} may not run ${target} (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')})`, fix: `sudo chmod o+rx ${quotePosixArg(target)}` };
    }
  }
  return { name: what, status: 'pass', detail: `${user} can reach ${target}`, fix: null };
}

/** java on the PATH the service gets (JAVA_HOME/bin first when given). */
export async function checkServiceJava(spec: ServiceSpec, kind: ServiceKind): Promise<ServiceCheck> {
  const pathEnv = servicePath(spec, kind);
  const java = await whichOnPath('java', pathEnv, kind === 'systemd' ? 'linux' : 'darwin');
  if (java) return { name: 'java', status: 'pass', detail: `${java} (on the service's PATH)`, fix: null };
  return {
    name: 'java',
    status: 'warn',
    detail: `no java on the service's PATH (${pathEnv})`,
    fix: 'pass --java-home (or set JAVA_HOME) so the unit puts its bin/ first on PATH',
  };
}

/**
 * `systemd-analyze verify` on the unit (a temp copy named <name>.service unless `file` is given).
 * null when systemd-analyze is not installed. Its parse warnings go to stderr with exit 0, so any
 * line about this unit counts as a failure.
 */
export async function verifySystemdUnit(unit: string, name: string, opts: { file?: string; exec?: CommandRunner } = {}): Promise<ServiceCheck | null> {
  const exec = opts.exec ?? defaultExec;
  let dir: string | null = null;
  let file = opts.file;
  if (!file) {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dtx-unit-'));
    file = path.join(dir, `${name}.service`);
    await writeFile(file, unit);
  }
  try {
    const r = await exec('systemd-analyze', ['verify', file]);
    if (notInstalled(r)) return null;
    const about = `${r.stdout}\n${r.stderr}`
      .split(/\r?\n/)
      .filter((l) => l.trim() && (l.includes(file) || l.includes(`${name}.service`)))
      .map((l) => l.replace(file, `${name}.service`));
    if (r.code === 0 && about.length === 0) return { name: 'systemd-analyze verify', status: 'pass', detail: 'no problems', fix: null };
    return { name: 'systemd-analyze verify', status: 'fail', detail: about.join('; ') || `exit ${r.code}: ${r.stderr.trim()}`, fix: `fix what systemd-analyze says (e.g. a dedicated --user instead of nobody); check again with: systemd-analyze verify ${name}.service` };
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** `plutil -lint` (macOS). null when plutil is not installed. */
export async function lintPlist(plist: string, name: string, opts: { exec?: CommandRunner } = {}): Promise<ServiceCheck | null> {
  const exec = opts.exec ?? defaultExec;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dtx-plist-'));
  try {
    const file = path.join(dir, `${name}.plist`);
    await writeFile(file, plist);
    const r = await exec('plutil', ['-lint', file]);
    if (notInstalled(r)) return null;
    return r.code === 0
      ? { name: 'plutil -lint', status: 'pass', detail: 'OK', fix: null }
      : { name: 'plutil -lint', status: 'fail', detail: `${r.stdout}${r.stderr}`.trim(), fix: 'report it: the plist as dtx wrote it should lint cleanly' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
