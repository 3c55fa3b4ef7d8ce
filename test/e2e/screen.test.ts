/**
 * What a user sees: the main screens rendered on a pseudo-terminal at 80 and 160 columns (tables fit
 * the width, borders line up, no spinner left behind), plain tab-separated rows when piped, prompts
 * that are declined or closed with Ctrl-D, and a reader that goes away early (`| head -1`).
 * Against the real test PostgreSQL and the fake Datomic distribution.
 */
import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { BIN, dtx, dtxEnv, ok, ROOT, tempStateDir } from '../helpers/cli.js';
import { adminUrl, uniqueName } from '../helpers/pg.js';
import { loadedRealStorage } from '../helpers/real-storage-copy.js';
import { freePort } from '../helpers/ports.js';
import { HAS_PTY, dtxPty, screen, type PtyResult } from '../helpers/pty.js';

const HOME = path.join(ROOT, 'test/fixtures/fake-datomic');
const PASSWORD = 'Screen-pw-12345';
const LONG = 'screen-with-a-long-name-for-narrow-terms'; // 40: its db-id (77) makes db list wider than 80
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

let state = '';
let pgUrl = '';
let st: string[] = []; // storage + state dir
let db: string[] = []; // + distribution
let startScreen: PtyResult | undefined;
let realUrl = ''; // storage written by real Datomic code (db inspect shows its trees)

const width = (line: string) => [...line].length;
const boxLines = (lines: string[]) => lines.filter((l) => /^[┌├│└]/.test(l));

function expectFits(lines: string[], cols: number) {
  for (const l of lines) expect(width(l), `wider than ${cols} columns: ${JSON.stringify(l)}`).toBeLessThanOrEqual(cols);
}

/** Every box-drawn line of each table has the same width: the borders line up. */
function expectAligned(lines: string[]) {
  const box = boxLines(lines);
  expect(box.length).toBeGreaterThan(0);
  const widths = new Set(box.map(width));
  expect([...widths], box.join('\n')).toHaveLength(1);
}

beforeAll(async () => {
  state = tempStateDir('dtx-screen-');
  pgUrl = `postgresql://${uniqueName('scrrole')}:${PASSWORD}@127.0.0.1:${inject('pgPort')}/${uniqueName('screen')}`;
  st = ['--state-dir', state, '--pg-url', pgUrl];
  db = [...st, '--datomic-home', HOME];
  await ok(dtx(['init-postgres', ...st, '--admin-url', adminUrl()]));
  const txArgs = [...db, '--port', String(await freePort()), '--ping-port', String(await freePort()), '--heartbeat-interval-msec', '1000'];
  if (HAS_PTY) {
    startScreen = await dtxPty(['transactor', 'start', ...txArgs], { cols: 80 });
    if (startScreen.code !== 0) throw new Error(`transactor start exited ${startScreen.code}\n${startScreen.raw}`);
  } else {
    await ok(dtx(['transactor', 'start', ...txArgs]));
  }
  await ok(dtx(['db', 'create', 'screen-a', ...db]));
  await ok(dtx(['db', 'create', LONG, ...db]));
  if (inject('realStorageDir')) {
    realUrl = (await loadedRealStorage('scrreal')).url;
  }
}, 120_000);

afterAll(async () => {
  await dtx(['transactor', 'stop', '--state-dir', state, '--timeout', '5']);
});

describe.skipIf(!HAS_PTY)('on a terminal', () => {
  it('transactor start leaves no spinner line behind', () => {
    const lines = screen(startScreen?.raw ?? '');
    expect(lines.some((l) => l.startsWith('✔ transactor ready'))).toBe(true);
    for (const l of lines) expect(l, 'spinner residue').not.toMatch(SPINNER);
  });

  for (const cols of [80, 160]) {
    describe(`at ${cols} columns`, () => {
      it('db list: one box table that fits', async () => {
        const r = await dtxPty(['db', 'list', ...st], { cols });
        expect(r.code).toBe(0);
        const lines = screen(r.raw);
        expectFits(lines, cols);
        expectAligned(lines);
        expect(lines.join('\n')).toContain('screen-a');
        expect(lines.filter((l) => l.startsWith('┌'))).toHaveLength(1);
      });

      // the fake transactor writes no rows dtx parses: inspect runs on storage written by real Datomic code
      it.skipIf(!inject('realStorageDir'))('db inspect: the root rows and the footprint fit the width (truncated with … or listed vertically), never wrapped boxes', async () => {
        const r = await dtxPty(['db', 'inspect', 'alpha', '--pg-url', realUrl, '--state-dir', state], { cols });
        expect(r.code).toBe(0);
        const lines = screen(r.raw);
        expectFits(lines, cols);
        expect(lines.filter((l) => l.startsWith('┌')).length).toBeLessThanOrEqual(2);
        const text = lines.join('\n');
        expect(text).toContain('pod-log-tail/');
        expect(text).toContain('ref-index-root/');
        expect(text).toMatch(/db-id\s+alpha-/);
        expect(text).toMatch(/footprint\s+\d+ rows/);
        expect(text).toMatch(/fulltext/);
        if (cols === 160) expect(text).toMatch(/┌/); // wide enough for the box, the map truncated with …
        if (cols === 160) expect(text).toContain('…');
      });

      it('config: the masked pgUrl row lines up with the others', async () => {
        const r = await dtxPty(['config', ...st], { cols });
        expect(r.code).toBe(0);
        const lines = screen(r.raw);
        expectFits(lines, cols);
        expectAligned(lines);
        expect(lines.find((l) => l.includes('pgUrl'))).toContain(':***@');
        expect(r.raw).not.toContain(PASSWORD);
      });

      it('transactor status (fake distribution)', async () => {
        const r = await dtxPty(['transactor', 'status', ...st], { cols });
        expect(r.code).toBe(0);
        const lines = screen(r.raw);
        expectFits(lines, cols);
        expect(lines[0]).toMatch(/^transactor +running$/);
        expect(lines.find((l) => l.startsWith('active'))).toMatch(/^active +alive +localhost:\d+ +v1\.0\.7469 +heartbeat [\d.]+ s ago$/);
        for (const l of lines) expect(l).not.toMatch(SPINNER);
      });

      it('init-postgres (a re-run: nothing to do)', async () => {
        const r = await dtxPty(['init-postgres', ...st, '--admin-url', adminUrl()], { cols });
        expect(r.code).toBe(0);
        const lines = screen(r.raw);
        expectFits(lines, cols);
        expect(lines).toContain('✔ nothing to do: everything was already in place');
        expect(lines.find((l) => l.startsWith('sql-password'))).toMatch(/^sql-password +\*\*\*$/);
        for (const l of lines) expect(l).not.toMatch(SPINNER);
      });

      it('error output: error: and hint: lines, no stack', async () => {
        const r = await dtxPty(['db', 'inspect', 'screen-b', ...st], { cols });
        expect(r.code).toBe(3);
        const lines = screen(r.raw);
        expectFits(lines, cols);
        expect(lines[0]).toBe('error: database "screen-b" does not exist');
        expect(lines.some((l) => l.startsWith('hint: '))).toBe(true);
        expect(r.raw).not.toMatch(/\n\s+at /);
      });
    });
  }

  it('declining the delete prompt is a choice: a plain note, exit 130, nothing deleted', async () => {
    const r = await dtxPty(['db', 'delete', 'screen-a', ...db], { steps: [{ waitFor: 'y/N', send: 'n\r' }], timeoutMs: 30_000 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(130);
    const lines = screen(r.raw);
    expect(lines.join('\n')).not.toContain('error:');
    expect(lines.at(-1)).toBe('nothing deleted');
    const list = await ok(dtx(['--json', 'db', 'list', ...st]));
    expect((list.json() as { databases: { name: string }[] }).databases.map((d) => d.name)).toContain('screen-a');
  });

  it('Ctrl-D at the prompt cancels (exit 130) instead of hanging', async () => {
    const r = await dtxPty(['db', 'delete', 'screen-a', ...db], { steps: [{ waitFor: 'y/N', send: '\x04' }], timeoutMs: 20_000 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(130);
    const lines = screen(r.raw);
    expect(lines.join('\n')).not.toContain('error:');
    expect(lines.at(-1)).toBe('nothing deleted');
    const list = await ok(dtx(['--json', 'db', 'list', ...st]));
    expect((list.json() as { databases: { name: string }[] }).databases.map((d) => d.name)).toContain('screen-a');
  });
});

describe('piped (not a terminal)', () => {
  it('db list prints tab-separated rows, no header, no box', async () => {
    const r = await ok(dtx(['db', 'list', ...st]));
    expect(r.stdout).not.toMatch(/[┌│└─]/);
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows.map((f) => f[0])).toEqual(['screen-a', LONG]);
    for (const f of rows) {
      expect(f).toHaveLength(3);
      expect(f[1]).toMatch(new RegExp(`^${f[0]}-[0-9a-f-]{36}$`));
      expect(f[2]).toBe('missing'); // the fake transactor writes only the catalog, no root rows
    }
  });

  it('config prints key, value, source rows with the password masked', async () => {
    const r = await ok(dtx(['config', ...st]));
    expect(r.stdout).not.toMatch(/[┌│└─]/);
    const rows = new Map(r.stdout.trimEnd().split('\n').map((l) => l.split('\t')).map((f) => [f[0], f]));
    expect(rows.get('pgUrl')).toEqual(['pgUrl', pgUrl.replace(PASSWORD, '***'), 'flag']);
    expect(rows.get('port')).toEqual(['port', '4334', 'default']);
  });

  it.skipIf(!inject('realStorageDir'))('db inspect prints no box', async () => {
    const r = await ok(dtx(['db', 'inspect', 'alpha', '--pg-url', realUrl, '--state-dir', state]));
    expect(r.stdout).not.toMatch(/[┌│└─]/);
    expect(r.stdout).toMatch(/^pod-log-tail\/alpha-[0-9a-f-]{36}\t\d+\t\{/m);
    expect(r.stdout).toMatch(/^fulltext\t\d+\t/m);
  });
});

/** Runs dtx with its stdout closed before it writes anything: every write gets EPIPE. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: dtxEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a reader that goes away (dtx ... | head -1)', () => {
  for (const args of [['--help'], ['config'], ['db', 'list'], ['db', 'inspect', 'screen-a']]) {
    it(`dtx ${args.join(' ')} stops quietly with exit 0`, async () => {
      const r = await withClosedStdout([...args, ...(args[0] === '--help' ? [] : st)]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });
  }
});
