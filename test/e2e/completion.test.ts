/**
 * `dtx completion SHELL` and the name lookup behind it (`dtx __complete`) through the built binary:
 * database names and deleted db-ids come from a catalog in the real test PostgreSQL, in bash (for
 * real: sourced, completion function called), zsh (pty) and fish (`complete -C`) when installed.
 * The lookup is quiet: no output and exit 0 for a wrong password, a closed port, a server that never
 * answers (its connect timeout ends it), a bad URL; and it never starts the embedded PostgreSQL.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, dtx, tempStateDir } from '../helpers/cli.js';
import { freshStorage } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';
import { writeHandCatalog } from '../helpers/real-peer.js';
import { bashComplete, fishComplete, hasShell, syntaxCheck, zshComplete } from '../helpers/shell-completion.js';

let url = '';
let password = '';
const DELETED = 'old-5f0e1c2a-0000-4000-8000-000000000001';
/** a folder whose `dtx` is the built binary, first on PATH (zsh and fish run `dtx __complete`) */
const binDir = mkdtempSync(path.join(tmpdir(), 'dtx-comp-bin-'));
symlinkSync(BIN, path.join(binDir, 'dtx'));
const env = { PATH: `${binDir}${path.delimiter}${process.env.PATH}`, DTX_PG_URL: undefined, DATABASE_URL: undefined };

beforeAll(async () => {
  const st = await freshStorage('comp');
  url = st.url;
  password = st.password;
  await writeHandCatalog(url, [`{"app" {:db-id "app-1"}, "a b" {:db-id "ab-1"}, "zeta" {:db-id "zeta-1"}, :datomic/deleted #{"${DELETED}"}}`]);
});

const script = async (shell: string) => {
  const r = await dtx(['completion', shell]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

describe('dtx completion', () => {
  it('prints each shell\'s script (pwsh is an alias); --json wraps it; bash -n passes on the printed script', async () => {
    const bash = await script('bash');
    expect(bash).toMatch(/^# bash completion for dtx/);
    expect(await syntaxCheck('bash', bash)).toEqual({ code: 0, stderr: '' });
    expect(await script('pwsh')).toMatch(/Register-ArgumentCompleter -Native/);
    const j = await dtx(['--json', 'completion', 'fish']);
    expect(j.code).toBe(0);
    expect(j.json()).toEqual({ ok: true, shell: 'fish', script: await script('fish') });
  });

  it('an unknown shell: exit 2 naming the shells; one JSON error with --json', async () => {
    const r = await dtx(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: no completion for shell "tcsh"/);
    expect(r.stderr).toMatch(/hint: Choose one of: bash, zsh, fish, powershell/);
    const j = await dtx(['--json', 'completion', 'tcsh']);
    expect(j.code).toBe(2);
    expect(j.json()).toMatchObject({ ok: false, error: { code: 'SHELL_UNKNOWN' } });
    const none = await dtx(['completion']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/missing required argument 'shell'/);
  });
});

describe('dtx __complete (what the scripts call)', () => {
  it('database names (one per line, in catalog order) and deleted db-ids, from --pg-url in the words or DTX_PG_URL', async () => {
    const names = await dtx(['__complete', 'db-name', '--', 'dtx', 'db', 'inspect', '--pg-url', url]);
    expect(names).toMatchObject({ code: 0, stdout: 'a b\napp\nzeta\n', stderr: '' });
    const ids = await dtx(['__complete', 'db-id', '--', 'dtx', 'db', 'purge'], { env: { DTX_PG_URL: url } });
    expect(ids).toMatchObject({ code: 0, stdout: `${DELETED}\n`, stderr: '' });
    // bash passes its raw line: quotes and --pg-url=... are understood
    const line = await dtx(['__complete', '--shell-line', 'db-name', '--', `dtx db check --pg-url='${url}' a`]);
    expect(line.stdout).toBe('a b\napp\nzeta\n');
  });

  it('quiet on every error: wrong password, closed port, a server that never answers, a bad URL, an unknown kind', async () => {
    const closed = `postgresql://u:p@127.0.0.1:${await freePort()}/d`;
    const silent = net.createServer(() => {}); // accepts, never speaks: the connect timeout ends it
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const hang = `postgresql://u:p@127.0.0.1:${(silent.address() as net.AddressInfo).port}/d`;
    try {
      for (const args of [
        ['db-name', '--', 'dtx', '--pg-url', url.replace(password, 'Wrong-pw-1')],
        ['db-name', '--', 'dtx', '--pg-url', closed],
        ['db-name', '--', 'dtx', '--pg-url', hang],
        ['db-name', '--', 'dtx', '--pg-url', 'mysql://nope'],
        ['db-name', '--', 'dtx', '--config', '/no/such/config.json'],
        ['tables', '--', 'dtx'],
        [],
        ['--bogus-flag', 'db-name'],
      ]) {
        const r = await dtx(['__complete', ...args]);
        expect({ args, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ args, code: 0, stdout: '', stderr: '' });
      }
    } finally {
      silent.close();
    }
  });

  it('never starts the embedded PostgreSQL (the default target with nothing listening)', async () => {
    const state = tempStateDir();
    const r = await dtx(['__complete', 'db-name', '--', 'dtx', 'db', 'inspect', '--pg-url', `postgresql://datomic:datomic@localhost:${await freePort()}/datomic`], { env: { DTX_STATE_DIR: state } });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const d = await dtx(['__complete', 'db-name', '--', 'dtx'], { env: { DTX_STATE_DIR: state, DTX_PG_URL: undefined, DATABASE_URL: undefined } });
    expect(d).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(path.join(state, 'postgres'))).toBe(false);
  });
});

describe('database names in the shells', () => {
  let bash = '';
  beforeAll(async () => {
    bash = await script('bash');
  });
  afterAll(() => {});

  it('bash: names for db inspect/check/delete (a name with a space comes escaped), db-ids for db purge, none for db create', async () => {
    const r = await bashComplete(
      bash,
      [
        [BIN, 'db', 'inspect', '--pg-url', url, ''],
        [BIN, 'db', 'check', '--pg-url', url, 'a'],
        [BIN, '--json', 'db', 'delete', 'z', '--pg-url', url, ''], // the name was given: nothing more
        [BIN, 'db', 'delete', '--pg-url', url, 'ze'],
        [BIN, 'db', 'purge', '--pg-url', url, ''],
        [BIN, 'db', 'create', '--pg-url', url, ''],
      ],
      env,
    );
    expect(r).toEqual([['a\\ b', 'app', 'zeta'], ['a\\ b', 'app'], [], ['zeta'], [DELETED], []]);
  });

  it.skipIf(!hasShell('zsh'))('zsh: names from the catalog', async () => {
    expect(await zshComplete(await script('zsh'), `dtx db inspect --pg-url '${url}' `, env)).toEqual(['a\\ b', 'app', 'zeta']);
  });

  it.skipIf(!hasShell('fish'))('fish: names from the catalog', async () => {
    expect(await fishComplete(await script('fish'), `dtx db check --pg-url '${url}' `, env)).toEqual(['a b', 'app', 'zeta']);
  });
});
