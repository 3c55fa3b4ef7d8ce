import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findDistribution, versionFromJarNames, distributionScripts, downloadUrl, missingFromLayout } from '../../src/core/datomic/distribution.js';
import { checkJava, parseJavaVersion, whichOnPath, javaFixHint, javaEnv, type JavaRunner } from '../../src/core/datomic/java.js';

let root: string;

async function layout(dir: string, opts: { transactor?: boolean; cmd?: boolean; lib?: boolean; jars?: string[] } = {}): Promise<string> {
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  if (opts.transactor ?? true) await writeFile(path.join(dir, 'bin', 'transactor'), '#!/bin/sh\n', { mode: 0o755 });
  if (opts.cmd) await writeFile(path.join(dir, 'bin', 'transactor.cmd'), '@echo off\r\n');
  if (opts.lib ?? true) await mkdir(path.join(dir, 'lib'), { recursive: true });
  for (const j of opts.jars ?? ['datomic-transactor-pro-1.0.7469.jar', 'peer-1.0.7469.jar']) await writeFile(path.join(dir, j), '');
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'dtx dist '));
});

describe('findDistribution', () => {
  it('finds a complete layout and reads the version', async () => {
    const home = await layout(path.join(root, 'datomic-pro-1.0.7469'));
    const d = await findDistribution({ datomicHome: home, platform: 'linux' });
    expect(d).toEqual({
      home,
      version: '1.0.7469',
      platform: 'linux',
      scripts: { transactor: path.join(home, 'bin/transactor'), run: path.join(home, 'bin/run'), datomic: path.join(home, 'bin/datomic') },
    });
  });

  it('expects transactor.cmd on win32', async () => {
    const home = await layout(path.join(root, 'win-ok'), { cmd: true });
    const d = await findDistribution({ datomicHome: home, platform: 'win32' });
    expect(d.scripts.transactor.endsWith('transactor.cmd')).toBe(true);
    const noCmd = await layout(path.join(root, 'win-missing'));
    await expect(findDistribution({ datomicHome: noCmd, platform: 'win32' })).rejects.toThrow(/missing bin\\transactor\.cmd/);
  });

  it('not set: hint names `dtx datomic install`, --datomic-home and DATOMIC_HOME (exit 2)', async () => {
    for (const h of [undefined, null, '', '  ']) {
      await expect(findDistribution({ datomicHome: h })).rejects.toMatchObject({
        code: 'DATOMIC_HOME_NOT_SET',
        exitCode: 2,
        hint: expect.stringMatching(/`dtx datomic install`.*1\.0\.7469.*--datomic-home.*DATOMIC_HOME/s),
      });
    }
  });

  it('does not exist / not a directory', async () => {
    await expect(findDistribution({ datomicHome: path.join(root, 'nope') })).rejects.toMatchObject({ code: 'DATOMIC_HOME_NOT_FOUND', exitCode: 2 });
    const f = path.join(root, 'file.zip');
    await writeFile(f, '');
    await expect(findDistribution({ datomicHome: f })).rejects.toMatchObject({ code: 'DATOMIC_HOME_NOT_DIR', exitCode: 2 });
  });

  it('says what is missing', async () => {
    const noLib = await layout(path.join(root, 'nolib'), { lib: false });
    await expect(findDistribution({ datomicHome: noLib, platform: 'linux' })).rejects.toMatchObject({ code: 'DATOMIC_HOME_INVALID', message: expect.stringContaining('missing lib/') });
    const empty = path.join(root, 'empty');
    await mkdir(empty);
    await expect(findDistribution({ datomicHome: empty, platform: 'linux' })).rejects.toMatchObject({ message: expect.stringContaining('missing bin/, lib/') });
    const noScript = await layout(path.join(root, 'noscript'), { transactor: false });
    await expect(findDistribution({ datomicHome: noScript, platform: 'linux' })).rejects.toMatchObject({ message: expect.stringContaining('missing bin/transactor') });
  });

  it('pointing at bin/ hints the parent', async () => {
    const home = await layout(path.join(root, 'datomic-pro-1.0.7000'));
    await expect(findDistribution({ datomicHome: path.join(home, 'bin'), platform: 'linux' })).rejects.toMatchObject({
      code: 'DATOMIC_HOME_IS_BIN',
      hint: expect.stringContaining(`--datomic-home "${home}"`),
    });
  });

  it('a folder holding the unpacked datomic-pro-* folder hints it', async () => {
    const outer = path.join(root, 'downloads');
    await layout(path.join(outer, 'datomic-pro-1.0.7469'));
    await expect(findDistribution({ datomicHome: outer, platform: 'linux' })).rejects.toMatchObject({
      hint: expect.stringContaining(path.join(outer, 'datomic-pro-1.0.7469')),
    });
  });

  it('version from jar names; scripts per platform; download URL', () => {
    expect(versionFromJarNames(['x.jar', 'peer-1.0.7075.jar'])).toBe('1.0.7075');
    expect(versionFromJarNames(['datomic-transactor-pro-1.0.7469.jar', 'peer-1.0.7075.jar'])).toBe('1.0.7469');
    expect(versionFromJarNames(['readme'])).toBeNull();
    expect(distributionScripts('C:\\Program Files\\datomic-pro-1.0.7469', 'win32')).toEqual({
      transactor: 'C:\\Program Files\\datomic-pro-1.0.7469\\bin\\transactor.cmd',
      run: 'C:\\Program Files\\datomic-pro-1.0.7469\\bin\\run.cmd',
      datomic: 'C:\\Program Files\\datomic-pro-1.0.7469\\bin\\datomic.cmd',
    });
    expect(downloadUrl('1.0.7000')).toBe('https://datomic-pro-downloads.s3.amazonaws.com/1.0.7000/datomic-pro-1.0.7000.zip');
  });
});

describe('java version parsing', () => {
  const cases: Array<[string, string, number]> = [
    ['java version "1.8.0_381"\nJava(TM) SE Runtime Environment (build 1.8.0_381-b09)', '1.8.0_381', 8],
    ['openjdk version "11.0.21" 2023-10-17\nOpenJDK Runtime Environment', '11.0.21', 11],
    ['openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)', '17.0.15', 17],
    ['openjdk version "21" 2023-09-19\nOpenJDK Runtime Environment (build 21+35-2513)', '21', 21],
    ['openjdk version "22-ea" 2024-03-19', '22-ea', 22],
    ['Picked up JAVA_TOOL_OPTIONS: -Xss1m\nopenjdk version "21.0.2" 2024-01-16 LTS', '21.0.2', 21],
    ['openjdk 21.0.1 2023-10-17', '21.0.1', 21],
  ];
  for (const [out, version, major] of cases) {
    it(`parses ${version}`, () => expect(parseJavaVersion(out)).toMatchObject({ version, major }));
  }
  it('returns null without a version', () => expect(parseJavaVersion('bash: java: command not found')).toBeNull());
});

describe('checkJava', () => {
  const runner = (stderr: string, code = 0): JavaRunner => async () => ({ code, stdout: '', stderr });

  it('accepts 11+', async () => {
    const j = await checkJava({ run: runner('openjdk version "17.0.15" 2025-04-15'), platform: 'linux' });
    expect(j).toMatchObject({ major: 17, version: '17.0.15', binDir: null });
  });

  it('uses JAVA_HOME/bin/java and reports binDir', async () => {
    let ran = '';
    const j = await checkJava({ javaHome: 'C:\\Program Files\\Java\\jdk-21', platform: 'win32', run: async (p) => { ran = p; return { code: 0, stdout: '', stderr: 'openjdk version "21" 2023-09-19' }; } });
    expect(ran).toBe('C:\\Program Files\\Java\\jdk-21\\bin\\java.exe');
    expect(j.binDir).toBe('C:\\Program Files\\Java\\jdk-21\\bin');
  });

  it('rejects Java 8 with a JAVA_TOO_OLD naming the fix (exit 2)', async () => {
    await expect(checkJava({ run: runner('java version "1.8.0_381"'), platform: 'linux' })).rejects.toMatchObject({
      code: 'JAVA_TOO_OLD', exitCode: 2, hint: expect.stringContaining('JAVA_HOME'),
    });
  });

  it('java missing from PATH: JAVA_NOT_FOUND with a per-platform hint', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-nojava-'));
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      await expect(checkJava({ pathEnv: dir, platform })).rejects.toMatchObject({ code: 'JAVA_NOT_FOUND', exitCode: 2 });
    }
    expect(javaFixHint('win32', 'missing')).toMatch(/setx JAVA_HOME.*%JAVA_HOME%\\bin/);
    expect(javaFixHint('darwin', 'missing')).toMatch(/java_home/);
    expect(javaFixHint('linux', 'missing')).toMatch(/export JAVA_HOME/);
  });

  it('a JAVA_HOME without java: JAVA_NOT_FOUND', async () => {
    await expect(checkJava({ javaHome: path.join(root, 'nojdk'), platform: 'linux' })).rejects.toMatchObject({ code: 'JAVA_NOT_FOUND', message: expect.stringContaining('JAVA_HOME') });
  });

  it('runs but prints garbage: JAVA_FAILED (exit 1)', async () => {
    await expect(checkJava({ run: runner('Segmentation fault', 139), platform: 'linux' })).rejects.toMatchObject({ code: 'JAVA_FAILED', exitCode: 1 });
  });

  // A Windows environment as process.env shows it: mixed-case names, secrets among them.
  const winEnv = {
    Path: 'C:\\Windows\\system32;C:\\Windows', PATHEXT: '.COM;.EXE;.BAT;.CMD', SystemRoot: 'C:\\Windows', windir: 'C:\\Windows',
    SystemDrive: 'C:', TEMP: 'C:\\Users\\me\\AppData\\Local\\Temp', TMP: 'C:\\Users\\me\\AppData\\Local\\Temp',
    USERPROFILE: 'C:\\Users\\me', LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local', APPDATA: 'C:\\Users\\me\\AppData\\Roaming',
    ComSpec: 'C:\\Windows\\system32\\cmd.exe', ProgramData: 'C:\\ProgramData', ProgramFiles: 'C:\\Program Files',
    'ProgramFiles(x86)': 'C:\\Program Files (x86)', HOMEDRIVE: 'C:', HOMEPATH: '\\Users\\me', USERNAME: 'me', COMPUTERNAME: 'PC',
    PROCESSOR_ARCHITECTURE: 'AMD64', NUMBER_OF_PROCESSORS: '8', OS: 'Windows_NT',
    JAVA_HOME: 'C:\\old-jdk', PGPASSWORD: 'hunter2-secret', DTX_PG_URL: 'postgresql://u:hunter2-secret@h/db', JAVA_TOOL_OPTIONS: '-Xfoo',
  };

  it('javaEnv (win32): keeps what a JVM and cmd.exe need (SystemRoot for sockets, TEMP, profile dirs...), never secrets', () => {
    const env = javaEnv({ env: winEnv, platform: 'win32', pathEnv: 'C:\\jdk\\bin;C:\\Windows\\system32', javaHome: 'C:\\jdk' });
    for (const k of ['SystemRoot', 'windir', 'SystemDrive', 'TEMP', 'TMP', 'USERPROFILE', 'LOCALAPPDATA', 'APPDATA', 'ComSpec', 'PATHEXT', 'ProgramData', 'ProgramFiles', 'ProgramFiles(x86)', 'HOMEDRIVE', 'HOMEPATH', 'USERNAME', 'COMPUTERNAME', 'PROCESSOR_ARCHITECTURE', 'NUMBER_OF_PROCESSORS', 'OS']) {
      expect(env[k], k).toBe(winEnv[k as keyof typeof winEnv]);
    }
    expect(env.PATH).toBe('C:\\jdk\\bin;C:\\Windows\\system32');
    expect(env.Path).toBeUndefined(); // one PATH, not two spellings
    expect(env.JAVA_HOME).toBe('C:\\jdk');
    expect(JSON.stringify(env)).not.toContain('hunter2-secret');
    expect(env.JAVA_TOOL_OPTIONS).toBeUndefined();
    // Names are matched case-insensitively, as Windows does.
    expect(javaEnv({ env: { systemroot: 'C:\\Win' }, platform: 'win32', pathEnv: undefined }).systemroot).toBe('C:\\Win');
  });

  it('javaEnv (linux): PATH and JAVA_HOME only', () => {
    expect(javaEnv({ env: { PATH: '/usr/bin', HOME: '/home/me', PGPASSWORD: 'x', SystemRoot: 'C:\\Windows' }, platform: 'linux', pathEnv: '/usr/bin', javaHome: '/jdk' })).toEqual({ PATH: '/usr/bin', JAVA_HOME: '/jdk' });
  });

  it('the java -version check runs with that environment (win32)', async () => {
    let seen: Record<string, string | undefined> = {};
    await checkJava({
      javaHome: 'C:\\jdk', platform: 'win32', env: winEnv, pathEnv: winEnv.Path,
      run: async (_p, _a, env) => { seen = env; return { code: 0, stdout: '', stderr: 'openjdk version "21" 2023-09-19' }; },
    });
    expect(seen).toMatchObject({ SystemRoot: 'C:\\Windows', TEMP: winEnv.TEMP, ComSpec: winEnv.ComSpec, JAVA_HOME: 'C:\\jdk' });
    expect(JSON.stringify(seen)).not.toContain('hunter2-secret');
  });

  it('whichOnPath honours PATHEXT on win32 layouts', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-which-'));
    await writeFile(path.join(dir, 'java.EXE'), '');
    expect(await whichOnPath('java', `/nonexistent;${dir}`, 'win32', '.COM;.EXE')).toBe(path.join(dir, 'java.EXE'));
    expect(await whichOnPath('java', dir, 'linux')).toBeNull();
  });
});

describe('missingFromLayout (archive listings)', () => {
  const full = ['bin/transactor', 'bin/transactor.cmd', 'bin/run', 'lib/x.jar', 'datomic-transactor-pro-1.0.7469.jar'];
  it('accepts a complete layout, with or without folder entries', () => {
    expect(missingFromLayout(full)).toEqual([]);
    expect(missingFromLayout(['bin/', 'lib/', ...full.filter((f) => !f.startsWith('lib'))])).toEqual([]);
  });
  it('names each missing part', () => {
    expect(missingFromLayout(full.filter((f) => f !== 'bin/transactor.cmd'))).toEqual(['bin/transactor.cmd']);
    expect(missingFromLayout(['bin/run', 'peer-1.0.7469.jar'])).toEqual(['bin/transactor', 'bin/transactor.cmd', 'lib/', 'datomic-transactor-pro-<version>.jar']);
    // the jar must sit at the root, not deeper
    expect(missingFromLayout([...full.slice(0, 4), 'lib/datomic-transactor-pro-1.0.7469.jar'])).toEqual(['datomic-transactor-pro-<version>.jar']);
  });
});

describe('distribution hints name `dtx datomic install`', () => {
  it('missing, not an install, and the doctor without one: the install command, not "download and unzip"', async () => {
    const { checkDistribution } = await import('../../src/core/doctor/checks/runtime.js');
    const notFound = await findDistribution({ datomicHome: path.join(root, 'no-such-home'), platform: 'linux' }).catch((e: unknown) => e);
    const invalid = await findDistribution({ datomicHome: await layout(path.join(root, 'hint-no-lib'), { lib: false }), platform: 'linux' }).catch((e: unknown) => e);
    const doctor = (await checkDistribution(undefined, '', 'linux')).result;
    for (const hint of [(notFound as { hint: string }).hint, (invalid as { hint: string }).hint, doctor.fix as string]) {
      expect(hint).toContain('`dtx datomic install`');
      expect(hint).not.toMatch(/unzip|Download/);
    }
    expect(notFound).toMatchObject({ code: 'DATOMIC_HOME_NOT_FOUND', hint: expect.stringMatching(/^Check the path given by --datomic-home \/ DATOMIC_HOME, or install Datomic Pro with `dtx datomic install` /) });
    expect(invalid).toMatchObject({ code: 'DATOMIC_HOME_INVALID', hint: expect.stringContaining('Point --datomic-home / DATOMIC_HOME at the unpacked datomic-pro-<version> folder') });
    expect(doctor).toMatchObject({ status: 'warn', fix: expect.stringMatching(/`dtx datomic install`.*1\.0\.7469.*--datomic-home.*DATOMIC_HOME/s) });
  });
});
