/**
 * `dtx` or `npx dtx`: how the process was started decides the command hints print (src/cli/invocation.ts),
 * and the io object and main's printer apply it to stderr, human stdout, JSON error hints and --help.
 */
import { describe, it, expect } from 'vitest';
import { detectInvocation, forInvocation, helpForInvocation } from '../../src/cli/invocation.js';
import { captureIo } from '../helpers/io.js';
import { main } from '../../src/cli/main.js';

const npx = { npm_lifecycle_event: 'npx', npm_lifecycle_script: "'dtx'", npm_command: 'exec', npm_config_local_prefix: '/home/ann/dtx' };

describe('detectInvocation', () => {
  it('npx dtx / npm exec dtx (the script npx runs names dtx)', () => {
    expect(detectInvocation({ env: npx, script: '/root/.npm/_npx/4d2ffb1891010e5b/node_modules/.bin/dtx', platform: 'linux' })).toBe('npx dtx');
    expect(detectInvocation({ env: { ...npx, npm_lifecycle_script: 'dtx up --db x' }, script: '/somewhere/dtx.js', platform: 'linux' })).toBe('npx dtx');
    expect(detectInvocation({ env: { ...npx, npm_lifecycle_script: "'dtx@0.1.0'" }, script: '/x/dtx.js', platform: 'linux' })).toBe('npx dtx');
    expect(detectInvocation({ env: npx, script: 'C:\\Users\\ann\\AppData\\Local\\npm-cache\\_npx\\1\\node_modules\\dtx\\bin\\dtx.js', platform: 'win32' })).toBe('npx dtx');
  });

  it('inherited npx variables of another tool (npx vitest spawning dtx) do not count', () => {
    expect(detectInvocation({ env: { ...npx, npm_lifecycle_script: 'vitest' }, script: '/home/ann/dtx/bin/dtx.js', platform: 'linux' })).toBe('dtx');
  });

  it('a project-local install run through node_modules/.bin, or from an npm script on Windows', () => {
    expect(detectInvocation({ env: {}, script: '/home/ann/app/node_modules/.bin/dtx', platform: 'linux' })).toBe('npx dtx');
    expect(
      detectInvocation({ env: { npm_lifecycle_event: 'setup', npm_config_local_prefix: 'C:\\app' }, script: 'C:\\app\\node_modules\\dtx\\bin\\dtx.js', platform: 'win32' }),
    ).toBe('npx dtx');
  });

  it('global installs, npm link and a clone run as dtx', () => {
    expect(detectInvocation({ env: {}, script: '/usr/local/bin/dtx', platform: 'linux' })).toBe('dtx');
    expect(detectInvocation({ env: {}, script: '/usr/local/lib/node_modules/dtx/bin/dtx.js', platform: 'linux' })).toBe('dtx');
    expect(detectInvocation({ env: {}, script: 'C:\\Users\\ann\\AppData\\Roaming\\npm\\node_modules\\dtx\\bin\\dtx.js', platform: 'win32' })).toBe('dtx');
    expect(detectInvocation({ env: {}, script: '/home/ann/dtx/bin/dtx.js', platform: 'linux' })).toBe('dtx');
    // a globally installed dtx run by some project's npm script: the script lies outside that project
    expect(detectInvocation({ env: { npm_lifecycle_event: 'db', npm_config_local_prefix: '/home/ann/app' }, script: '/usr/local/bin/dtx', platform: 'linux' })).toBe('dtx');
    expect(detectInvocation({ env: {}, script: undefined, platform: 'linux' })).toBe('dtx');
  });
});

describe('forInvocation / helpForInvocation', () => {
  it('rewrites commands in backticks only', () => {
    const hint = 'Run `dtx init-postgres` first; `dtx` alone too. dtx never alters a table; `dtxfoo` stays.';
    expect(forInvocation(hint, 'npx dtx')).toBe('Run `npx dtx init-postgres` first; `npx dtx` alone too. dtx never alters a table; `dtxfoo` stays.');
    expect(forInvocation(hint, 'dtx')).toBe(hint);
  });

  it('help: the usage line and example lines', () => {
    const help = 'Usage: dtx up [options]\n\nExamples:\n  dtx up --db my-app   # all\n  dtx down\nA dtx state dir';
    expect(helpForInvocation(help, 'npx dtx')).toBe('Usage: npx dtx up [options]\n\nExamples:\n  npx dtx up --db my-app   # all\n  npx dtx down\nA dtx state dir');
  });
});

describe('the CLI applies it', () => {
  const capture = (cmd: string) => captureIo({ cwd: process.cwd(), cmd });

  it('error hints (human and JSON) and --help say npx dtx when run through npx', async () => {
    const human = capture('npx dtx');
    expect(await main(['node', 'dtx', 'db'], human.io)).toBe(2);
    expect(human.err()).toMatch(/Usage: npx dtx db/);
    const json = capture('npx dtx');
    expect(await main(['node', 'dtx', '--json', 'db', 'nope'], json.io)).toBe(2);
    expect(JSON.parse(json.out())).toMatchObject({ ok: false, error: { hint: expect.stringContaining('`npx dtx db --help`') } });
    const help = capture('npx dtx');
    expect(await main(['node', 'dtx', 'up', '--help'], help.io)).toBe(0);
    expect(help.out()).toMatch(/^Usage: npx dtx up/m);
    expect(help.out()).toMatch(/^ {2}npx dtx up --db my-app/m);
    const plain = capture('dtx');
    expect(await main(['node', 'dtx', 'up', '--help'], plain.io)).toBe(0);
    expect(plain.out()).toMatch(/^ {2}dtx up --db my-app/m);
  });

  it('a --json document is data: never rewritten', () => {
    const c = capture('npx dtx');
    c.io.json = true;
    c.io.out('{"name": "`dtx x"}\n');
    expect(c.out()).toBe('{"name": "`dtx x"}\n');
    c.io.json = false;
    c.io.out('Next: `dtx up`\n');
    expect(c.out()).toContain('Next: `npx dtx up`');
  });
});
