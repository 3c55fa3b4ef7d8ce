/** The systemd unit and the launchd plist dtx writes for a supervised transactor (pure rendering). */
import { describe, it, expect } from 'vitest';
import { renderLaunchdPlist, renderSystemdUnit, serviceCommand, serviceNameProblem, systemdWord, type ServiceSpec } from '../../src/core/datomic/service.js';

const spec: ServiceSpec = {
  home: '/opt/Datomic Pro 1.0.7469',
  transactorScript: '/opt/Datomic Pro 1.0.7469/bin/transactor',
  propertiesFile: '/var/lib/dtx/transactor/transactor.properties',
  xmx: '4g',
  user: 'datomic',
  name: 'datomic-transactor',
  description: 'Datomic Pro transactor 1.0.7469 (db:5432/datomic)',
  javaHome: '/usr/lib/jvm/java-17',
  javaOpts: '-Dfoo=100% -Dbar=$HOME',
  localPostgres: true,
  outLog: '/var/lib/dtx/transactor/transactor.out.log',
};

describe('systemd unit', () => {
  it('runs bin/transactor with the heap and the absolute properties file, as the user, restarted on failure', () => {
    const u = renderSystemdUnit(spec);
    expect(u).toContain('ExecStart="/opt/Datomic Pro 1.0.7469/bin/transactor" -Xmx4g -Xms4g /var/lib/dtx/transactor/transactor.properties\n');
    expect(u).toContain('User=datomic\n');
    expect(u).toContain('Restart=on-failure\n');
    expect(u).toContain('WorkingDirectory=/opt/Datomic Pro 1.0.7469\n');
    expect(u).toContain('Environment="PATH=/usr/lib/jvm/java-17/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\n');
    // % is a specifier in every value; $ is only expanded in ExecStart (not in Environment=)
    expect(u).toContain('Environment="JAVA_OPTS=-Dfoo=100%% -Dbar=$HOME"\n');
    expect(u).toContain('After=network-online.target postgresql.service\n');
    expect(u).toContain('SuccessExitStatus=143\n');
    expect(u).toContain('UMask=0077\n');
    expect(u).toMatch(/\[Install\]\nWantedBy=multi-user.target\n$/);
    expect(renderSystemdUnit({ ...spec, localPostgres: false, javaHome: undefined, javaOpts: undefined })).not.toMatch(/postgresql\.service|JAVA_OPTS|JAVA_HOME/);
  });

  it('quotes ExecStart words as systemd reads them', () => {
    expect(systemdWord('/a/b')).toBe('/a/b');
    expect(systemdWord('/a b/c')).toBe('"/a b/c"');
    expect(systemdWord('/a"b\\c')).toBe('"/a\\"b\\\\c"');
    expect(systemdWord('/50%/x')).toBe('/50%%/x');
    expect(systemdWord('/$x')).toBe('/$$x');
    expect(systemdWord('')).toBe('""');
  });

  it('the heap: -Xms follows -Xmx unless given; none when neither is set', () => {
    expect(serviceCommand({ ...spec, xms: '2g' }).slice(1, 3)).toEqual(['-Xmx4g', '-Xms2g']);
    expect(serviceCommand({ ...spec, xmx: undefined })).toEqual([spec.transactorScript, spec.propertiesFile]);
  });

  it('names: no suffix, no slashes or spaces', () => {
    expect(serviceNameProblem('datomic-transactor')).toBeNull();
    expect(serviceNameProblem('com.example.datomic')).toBeNull();
    expect(serviceNameProblem('x.service')).toMatch(/suffix/);
    expect(serviceNameProblem('../x')).toMatch(/letters/);
    expect(serviceNameProblem('a b')).toMatch(/letters/);
  });
});

describe('launchd plist', () => {
  it('a daemon as the user, restarted when it exits with a failure, output to the state dir, XML-escaped', () => {
    const p = renderLaunchdPlist({ ...spec, home: '/opt/A&B <1>', transactorScript: '/opt/A&B <1>/bin/transactor' });
    expect(p).toContain('<key>Label</key>\n  <string>datomic-transactor</string>');
    expect(p).toContain('<array>\n    <string>/opt/A&amp;B &lt;1&gt;/bin/transactor</string>\n    <string>-Xmx4g</string>\n    <string>-Xms4g</string>\n    <string>/var/lib/dtx/transactor/transactor.properties</string>\n  </array>');
    expect(p).toContain('<key>UserName</key>\n  <string>datomic</string>');
    expect(p).toContain('<key>KeepAlive</key>\n  <dict>\n    <key>SuccessfulExit</key>\n    <false/>');
    expect(p).toContain('<key>StandardErrorPath</key>\n  <string>/var/lib/dtx/transactor/transactor.out.log</string>');
    expect(p).toContain('<key>Umask</key>\n  <integer>63</integer>');
    expect(p).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/);
  });
});

describe('host checks (temp files, a made-up user)', () => {
  it('a folder the user cannot search, a file it does not own, a folder it does not own, each with its fix', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, chmodSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { checkReachable, checkProperties, checkWritableDirs } = await import('../../src/core/datomic/service-checks.js');
    const root = mkdtempSync(path.join(os.tmpdir(), 'dtx-svc-unit-'));
    chmodSync(root, 0o755);
    const priv = path.join(root, 'private dir');
    mkdirSync(priv, { mode: 0o700 });
    const file = path.join(priv, 'transactor.properties');
    writeFileSync(file, 'protocol=sql\n', { mode: 0o600 });
    const stranger = { uid: 54321, gid: 54321 };
    const reach = await checkReachable('properties folder', file, 'datomic', stranger);
    expect(reach).toMatchObject({ status: 'warn', detail: expect.stringContaining(`${priv} is mode 0700`), fix: expect.stringContaining(`sudo chmod o+x '${priv}'`) });
    chmodSync(priv, 0o711);
    expect((await checkReachable('properties folder', file, 'datomic', stranger)).status).toBe('pass');
    // uid 0 reaches everything; no user yet: not checked
    expect((await checkReachable('x', file, 'root', { uid: 0, gid: 0 })).status).toBe('pass');
    expect((await checkReachable('x', file, 'datomic', null)).detail).toContain('not checked');
    const props = await checkProperties({ file, home: root, user: 'datomic', info: stranger, generated: false });
    expect(props.checks.find((c) => c.name === 'properties owner')).toMatchObject({ status: 'warn', fix: `sudo chown datomic: '${file}'` });
    expect(props.checks.find((c) => c.name === 'properties file')?.status).toBe('fail'); // sql-url etc. missing: Datomic's own message
    const dirs = await checkWritableDirs([priv, path.join(root, 'nope')], 'datomic', stranger);
    expect(dirs.map((d) => d.fix)).toEqual([`sudo chown -R datomic: '${priv}'`, `sudo install -d -m 700 -o datomic ${root}/nope`]);
  });
});

describe('service checks: java on the service PATH', () => {
  it('finds JAVA_HOME/bin/java first; a folder named java is not a program', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { checkServiceJava } = await import('../../src/core/datomic/service-checks.js');
    const jdk = mkdtempSync(path.join(tmpdir(), 'dtx-svc-jdk-'));
    mkdirSync(path.join(jdk, 'bin'));
    writeFileSync(path.join(jdk, 'bin', 'java'), '#!/bin/sh\n', { mode: 0o755 });
    for (const kind of ['systemd', 'launchd'] as const) {
      expect(await checkServiceJava({ ...spec, javaHome: jdk }, kind)).toEqual({ name: 'java', status: 'pass', detail: `${path.join(jdk, 'bin', 'java')} (on the service's PATH)`, fix: null });
    }
    const notAProgram = mkdtempSync(path.join(tmpdir(), 'dtx-svc-jdk-'));
    mkdirSync(path.join(notAProgram, 'bin', 'java'), { recursive: true });
    const r = await checkServiceJava({ ...spec, javaHome: notAProgram }, 'systemd');
    expect(r.detail.startsWith(path.join(notAProgram, 'bin', 'java'))).toBe(false);
  });
});
