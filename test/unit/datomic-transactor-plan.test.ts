import { describe, it, expect } from 'vitest';
import { planLaunch } from '../../src/core/datomic/transactor/launch-plan.js';
import { planStop } from '../../src/core/datomic/transactor/terminate.js';
import { classifyFailure, relevantLines } from '../../src/core/datomic/transactor/failure.js';
import { quoteCmdArg } from '../../src/core/datomic/script.js';
import { distributionScripts } from '../../src/core/datomic/distribution.js';
import { serviceCommand } from '../../src/core/datomic/service.js';

const env = { PATH: '/usr/bin:/bin', HOME: '/home/u' };

describe('planLaunch', () => {
  it('linux: bin/transactor -Xmx -Xms <absolute props>, cwd = install root', () => {
    const home = '/opt/datomic-pro-1.0.7469';
    const p = planLaunch({ dist: { home, scripts: distributionScripts(home, 'linux') }, propertiesFile: '/var/dtx/transactor.properties', xmx: '4g', platform: 'linux', env });
    expect(p).toMatchObject({
      command: '/opt/datomic-pro-1.0.7469/bin/transactor',
      args: ['-Xmx4g', '-Xms4g', '/var/dtx/transactor.properties'],
      cwd: home,
      windowsVerbatimArguments: false,
      shell: false,
    });
    expect(p.env).toEqual(env);
  });

  it('darwin: paths with spaces stay single argv entries; display is shell-quoted', () => {
    const home = '/Users/me/My Tools/datomic-pro-1.0.7469';
    const p = planLaunch({ dist: { home, scripts: distributionScripts(home, 'darwin') }, propertiesFile: '/Users/me/my state/t.properties', xmx: '-Xmx1g', xms: '512m', platform: 'darwin', env });
    expect(p.command).toBe('/Users/me/My Tools/datomic-pro-1.0.7469/bin/transactor');
    expect(p.args).toEqual(['-Xmx1g', '-Xms512m', '/Users/me/my state/t.properties']);
    expect(p.display).toBe(`'/Users/me/My Tools/datomic-pro-1.0.7469/bin/transactor' -Xmx1g -Xms512m '/Users/me/my state/t.properties'`);
  });

  it('relative properties paths are made absolute (never relative to the install root by accident)', () => {
    const home = '/opt/d';
    const p = planLaunch({ dist: { home, scripts: distributionScripts(home, 'linux') }, propertiesFile: '/abs/x.properties', platform: 'linux', env });
    expect(p.args).toEqual(['/abs/x.properties']);
  });

  it('javaOpts go through JAVA_OPTS; JAVA_HOME/bin goes first on PATH', () => {
    const home = '/opt/d';
    const p = planLaunch({ dist: { home, scripts: distributionScripts(home, 'linux') }, propertiesFile: '/p', platform: 'linux', env, javaOpts: ' -Ddatomic.printConnectionInfo=false -XX:+UseG1GC ', javaBinDir: '/jdk/bin' });
    expect(p.env.JAVA_OPTS).toBe('-Ddatomic.printConnectionInfo=false -XX:+UseG1GC');
    expect(p.env.PATH).toBe('/jdk/bin:/usr/bin:/bin');
    expect(env.PATH).toBe('/usr/bin:/bin'); // not mutated
  });

  it('win32: cmd.exe /d /s /c with quoted script and props, cwd = install root', () => {
    const home = 'C:\\Program Files\\datomic-pro-1.0.7469';
    const winEnv = { Path: 'C:\\Windows\\system32', ComSpec: 'C:\\Windows\\system32\\cmd.exe' };
    const p = planLaunch({
      dist: { home, scripts: distributionScripts(home, 'win32') },
      propertiesFile: 'D:\\dtx state\\transactor\\transactor.properties',
      xmx: '1g',
      platform: 'win32',
      env: winEnv,
      javaBinDir: 'C:\\Program Files\\Java\\jdk-21\\bin',
    });
    expect(p.command).toBe('C:\\Windows\\system32\\cmd.exe');
    expect(p.args).toEqual([
      '/d', '/s', '/c',
      '""C:\\Program Files\\datomic-pro-1.0.7469\\bin\\transactor.cmd" -Xmx1g -Xms1g "D:\\dtx state\\transactor\\transactor.properties""',
    ]);
    expect(p.cwd).toBe(home);
    expect(p.windowsVerbatimArguments).toBe(true);
    expect(p.env.Path).toBe('C:\\Program Files\\Java\\jdk-21\\bin;C:\\Windows\\system32');
    expect(p.env.PATH).toBeUndefined();
  });

  it('win32: no spaces, no quotes; defaults to cmd.exe; relative props resolved against nothing but itself', () => {
    const home = 'C:\\datomic';
    const p = planLaunch({ dist: { home, scripts: distributionScripts(home, 'win32') }, propertiesFile: 'C:\\s\\t.properties', platform: 'win32', env: {} });
    expect(p.command).toBe('cmd.exe');
    expect(p.args[3]).toBe('"C:\\datomic\\bin\\transactor.cmd C:\\s\\t.properties"');
  });

  it('quoteCmdArg quotes cmd metacharacters and refuses double quotes', () => {
    expect(quoteCmdArg('-Xmx1g')).toBe('-Xmx1g');
    expect(quoteCmdArg('C:\\a&b\\x')).toBe('"C:\\a&b\\x"');
    expect(quoteCmdArg('C:\\a (x86)\\y')).toBe('"C:\\a (x86)\\y"');
    expect(quoteCmdArg('')).toBe('""');
    expect(() => quoteCmdArg('a"b')).toThrow(/double quote/);
  });
});

describe('planStop', () => {
  it('posix: SIGTERM then SIGKILL to the process group', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      expect(planStop({ pid: 42, platform })).toEqual({
        graceful: { kind: 'signal', pid: 42, signal: 'SIGTERM', processGroup: true },
        force: { kind: 'signal', pid: 42, signal: 'SIGKILL', processGroup: true },
      });
    }
    expect(planStop({ pid: 42, platform: 'linux', force: true }).graceful).toBeNull();
  });

  it('win32: taskkill /PID n /T, then /T /F', () => {
    expect(planStop({ pid: 4711, platform: 'win32' })).toEqual({
      graceful: { kind: 'exec', command: 'taskkill', args: ['/PID', '4711', '/T'] },
      force: { kind: 'exec', command: 'taskkill', args: ['/PID', '4711', '/T', '/F'] },
    });
  });
});

describe('failure classification', () => {
  it('missing table → STORAGE_TABLE_MISSING with the init-postgres hint and the lines', () => {
    const e = classifyFailure([
      'Launching with Java options -server -Xms1g -Xmx1g',
      'org.postgresql.util.PSQLException: ERROR: relation "datomic_kvs" does not exist',
      'Terminating process - Lifecycle thread failed',
    ], 'the transactor failed to start', { outLog: '/s/out.log' });
    expect(e.code).toBe('STORAGE_TABLE_MISSING');
    expect(e.hint).toContain('dtx init-postgres');
    expect(e.message).toContain('Terminating process - Lifecycle thread failed');
    expect(e.exitCode).toBe(1);
  });

  it('missing property → Datomic\'s line as the message, exit 2', () => {
    const e = classifyFailure([":db.error/missing-transactor-property 'host' property not set, required for protocol: sql in /x.properties"], 'x');
    expect(e.code).toBe('PROPERTY_MISSING');
    expect(e.message.split('\n')[0]).toBe(":db.error/missing-transactor-property 'host' property not set, required for protocol: sql in /x.properties");
    expect(e.exitCode).toBe(2);
  });

  it('auth failure and port in use', () => {
    expect(classifyFailure(['org.postgresql.util.PSQLException: FATAL: password authentication failed for user "datomic"'], 'x').code).toBe('STORAGE_AUTH_FAILED');
    expect(classifyFailure(['java.net.BindException: Address already in use (host localhost, port 4334)', 'Terminating process - Error starting transactor'], 'x').code).toBe('PORT_IN_USE');
  });

  it('unknown failure keeps the Terminating line; secrets are masked', () => {
    const e = classifyFailure(['Starting datomic:sql://<DB-NAME>?jdbc:postgresql://h/d?user=u&password=hunter22', 'Terminating process - Something odd'], 'the transactor failed to start', { exitCode: 255 });
    expect(e.code).toBe('TRANSACTOR_FAILED');
    expect(e.message).toContain('Terminating process - Something odd');
    expect(e.message).not.toContain('hunter22');
    expect(JSON.stringify(e.details)).not.toContain('hunter22');
  });

  it('relevantLines keeps error lines and the tail, deduplicated', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `info ${i}`);
    lines[3] = 'ERROR boom';
    const r = relevantLines(lines);
    expect(r[0]).toBe('ERROR boom');
    expect(r.at(-1)).toBe('info 49');
    expect(r.length).toBe(9);
  });
});

describe('planLaunch heap flags', () => {
  const home = '/opt/d';
  const plan = (xmx: string | undefined, xms?: string) =>
    planLaunch({ dist: { home, scripts: distributionScripts(home, 'linux') }, propertiesFile: '/p', platform: 'linux', env, xmx, xms }).args;

  it('a blank xmx or xms is no flag at all (never a bare -Xmx / -Xms the JVM refuses)', () => {
    expect(plan('  ')).toEqual(['/p']);
    expect(plan(' ', ' ')).toEqual(['/p']);
    expect(plan('2g', ' ')).toEqual(['-Xmx2g', '-Xms2g', '/p']);
    expect(plan(' ', '512m')).toEqual(['-Xms512m', '/p']);
  });

  it('the service unit and `transactor start` pass the same heap flags', () => {
    for (const [xmx, xms] of [['4g', undefined], [' -Xmx1g ', '512m'], ['  ', undefined], ['2g', '  '], [undefined, '-Xms256m']] as const) {
      const unit = serviceCommand({ home, transactorScript: '/opt/d/bin/transactor', propertiesFile: '/p', xmx, xms, user: 'datomic', name: 'datomic', description: 'd' });
      expect(unit).toEqual(['/opt/d/bin/transactor', ...plan(xmx, xms)]);
    }
  });
});
