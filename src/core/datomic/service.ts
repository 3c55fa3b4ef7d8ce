/**
 * A supervised transactor: a systemd unit (Linux) or a launchd daemon plist (macOS) that runs the
 * distribution's bin/transactor with dtx's properties file (absolute paths), as a dedicated user,
 * restarted when it fails. Rendering is pure; checks of the host (user, file modes, Java, the unit
 * as systemd reads it) live in service-checks.ts.
 *
 * Facts used (docs/datomic-storage.md §1, §4): bin/transactor cds to the install root and execs java (so the
 * service's main pid is the JVM); a fatal start prints `Terminating process - ...`, sleeps 30 s and
 * exits 255 (a failure: restarted); SIGTERM is a clean stop, the JVM then exits 143 (a success here);
 * the transactor writes its logs with its own umask, so the service sets 0077.
 */
import path from 'node:path';
import { quotePosixArg } from './script.js';
import { heapArgs } from './transactor/launch-plan.js';

export type ServiceKind = 'systemd' | 'launchd';

export interface ServiceSpec {
  /** absolute install root */
  home: string;
  /** absolute bin/transactor */
  transactorScript: string;
  /** absolute properties file */
  propertiesFile: string;
  xmx?: string | undefined;
  xms?: string | undefined;
  javaOpts?: string | undefined;
  /** JAVA_HOME: its bin goes first on the service's PATH (bin/transactor runs plain `java`) */
  javaHome?: string | undefined;
  user: string;
  /** systemd unit name without .service, or the launchd Label */
  name: string;
  description: string;
  /** order after postgresql.service (storage on this machine) */
  localPostgres?: boolean;
  /** launchd: where stdout/stderr go (absolute) */
  outLog?: string;
  /** the generator line at the top */
  header?: string;
}

/** The PATH systemd gives services, and launchd's default. */
export const SYSTEMD_DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const LAUNCHD_DEFAULT_PATH = '/usr/bin:/bin:/usr/sbin:/sbin';

/** The program and its arguments, as bin/transactor is started by `dtx transactor start`. */
export function serviceCommand(spec: ServiceSpec): string[] {
  return [spec.transactorScript, ...heapArgs(spec), spec.propertiesFile];
}

/** The PATH the service runs with: JAVA_HOME/bin first when given. */
export function servicePath(spec: ServiceSpec, kind: ServiceKind): string {
  const base = kind === 'systemd' ? SYSTEMD_DEFAULT_PATH : LAUNCHD_DEFAULT_PATH;
  return spec.javaHome ? `${path.posix.join(spec.javaHome, 'bin')}:${base}` : base;
}

/**
 * One ExecStart= word: double-quoted (with \" and \\) when it holds whitespace, quotes, a backslash
 * or a semicolon, or is empty; `%` doubled (specifiers) and `$` doubled (variable expansion).
 */
export function systemdWord(s: string): string {
  let w = s;
  if (w === '' || /[\s"'\\;]/.test(w)) w = `"${w.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return w.replace(/%/g, '%%').replace(/\$/g, '$$$$');
}

/** A whole-line value (WorkingDirectory=, Description=): specifiers escaped, no newlines. */
function systemdValue(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/%/g, '%%');
}

/** Environment="K=V": quoted, with \" \\ escaped and % doubled. */
function systemdEnv(k: string, v: string): string {
  return `Environment="${`${k}=${v}`.replace(/[\\"]/g, (c) => `\\${c}`).replace(/%/g, '%%')}"`;
}

export function renderSystemdUnit(spec: ServiceSpec): string {
  const after = ['network-online.target', ...(spec.localPostgres ? ['postgresql.service'] : [])];
  const lines = [
    ...(spec.header ? [`# ${spec.header}`] : []),
    '[Unit]',
    `Description=${systemdValue(spec.description)}`,
    'Documentation=https://docs.datomic.com/operation/deployment.html',
    `After=${after.join(' ')}`,
    'Wants=network-online.target',
    // a transactor that keeps failing (bad properties, storage gone) stops being restarted
    'StartLimitIntervalSec=600',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=simple',
    `User=${spec.user}`,
    `WorkingDirectory=${systemdValue(spec.home)}`,
    systemdEnv('PATH', servicePath(spec, 'systemd')),
    ...(spec.javaHome ? [systemdEnv('JAVA_HOME', spec.javaHome)] : []),
    ...(spec.javaOpts?.trim() ? [systemdEnv('JAVA_OPTS', spec.javaOpts.trim())] : []),
    `ExecStart=${serviceCommand(spec).map(systemdWord).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=10',
    // SIGTERM is a clean stop; the JVM then exits 143
    'SuccessExitStatus=143',
    'TimeoutStopSec=60',
    // the transactor writes its logs with the process umask: keep them private
    'UMask=0077',
    'NoNewPrivileges=yes',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ];
  return lines.join('\n');
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderLaunchdPlist(spec: ServiceSpec): string {
  const str = (s: string) => `<string>${xml(s)}</string>`;
  const env: [string, string][] = [['PATH', servicePath(spec, 'launchd')]];
  if (spec.javaHome) env.push(['JAVA_HOME', spec.javaHome]);
  if (spec.javaOpts?.trim()) env.push(['JAVA_OPTS', spec.javaOpts.trim()]);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    ...(spec.header ? [`<!-- ${xml(spec.header).replace(/--/g, '- -')} -->`] : []),
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  ${str(spec.name)}`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...serviceCommand(spec).map((a) => `    ${str(a)}`),
    '  </array>',
    '  <key>WorkingDirectory</key>',
    `  ${str(spec.home)}`,
    '  <key>UserName</key>',
    `  ${str(spec.user)}`,
    '  <key>EnvironmentVariables</key>',
    '  <dict>',
    ...env.flatMap(([k, v]) => [`    <key>${xml(k)}</key>`, `    ${str(v)}`]),
    '  </dict>',
    '  <key>RunAtLoad</key>',
    '  <true/>',
    // restart when it exits with a failure (not after a clean stop)
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    '  <key>ThrottleInterval</key>',
    '  <integer>10</integer>',
    '  <key>ExitTimeOut</key>',
    '  <integer>60</integer>',
    // 0077: the transactor's logs stay private
    '  <key>Umask</key>',
    '  <integer>63</integer>',
    ...(spec.outLog ? ['  <key>StandardOutPath</key>', `  ${str(spec.outLog)}`, '  <key>StandardErrorPath</key>', `  ${str(spec.outLog)}`] : []),
    '</dict>',
    '</plist>',
    '',
  ];
  return lines.join('\n');
}

/** Where --install puts it. */
export function installPath(kind: ServiceKind, name: string): string {
  return kind === 'systemd' ? `/etc/systemd/system/${name}.service` : `/Library/LaunchDaemons/${name}.plist`;
}

/** What to run after installing. */
export function nextSteps(kind: ServiceKind, name: string, file: string): string[] {
  if (kind === 'systemd') {
    return ['sudo systemctl daemon-reload', `sudo systemctl enable --now ${name}`, `systemctl status ${name}`, `journalctl -u ${name} -f`];
  }
  return [`sudo chown root:wheel ${quotePosixArg(file)} && sudo chmod 644 ${quotePosixArg(file)}`, `sudo launchctl bootstrap system ${quotePosixArg(file)}`, `sudo launchctl print system/${name}`];
}

/** A unit name / label systemd and launchd both accept, and that is safe in a file name. */
export function serviceNameProblem(name: string): string | null {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,200}$/.test(name)) return 'use letters, digits, "-", "_", "." and "@" only';
  if (name.endsWith('.service') || name.endsWith('.plist')) return 'give it without the .service/.plist suffix';
  return null;
}
