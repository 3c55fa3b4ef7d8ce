/**
 * Issue 9, item 3, through the built CLI: random passwords of printable characters (space, quotes,
 * comma, backslash, % + = : # and non-ASCII, emoji) never show up, whole or as any 4-character
 * piece, in anything dtx prints or writes: init-postgres (and --dry-run), transactor properties
 * --out -, config, db uri, error messages, transactor start/status/logs (with printConnectionInfo
 * turned on by the user, so the transactor's own output holds the password) and the files of the
 * state dir. The one exception is the 0600 properties file, where the password must be. The
 * transactor's own logs live in directories only the owner can enter.
 */
import { describe, it, expect, beforeAll, inject } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dtx, tempStateDir, type CliResult } from '../helpers/cli.js';
import { adminUrl, uniqueName } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';
import { installFakeDatomic } from '../fixtures/fake-datomic/install.mjs';

const RUNS = 3;
const WITH_TRANSACTOR = 2;

/** mulberry32: a small seeded PRNG, so every run tests the same passwords. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// No NBSP or other characters SASLprep maps: mixed with an emoji they make a password init-postgres
// refuses (node-postgres could not log in with it; test/integration/scram.test.ts).
const SPECIAL = [' ', '"', "'", ',', '\\', '%', '+', '=', ':', '#', '!', '&', '?', '/', '@', ';', '$', '{', '}', 'ä', 'ö', '€', '日', '😀'];

function password(rand: () => number): string {
  const len = 10 + Math.floor(rand() * 11);
  let pw = '';
  for (let i = 0; i < len; i++) {
    pw += rand() < 0.45 ? (SPECIAL[Math.floor(rand() * SPECIAL.length)] as string) : String.fromCharCode(0x21 + Math.floor(rand() * 94));
  }
  // never only spaces at either end: some shells and tools trim, and it must stay a fair test
  return `q${pw}z`;
}

function pieces(pw: string): string[] {
  const cps = [...pw];
  const out = new Set<string>();
  for (let i = 0; i + 4 <= cps.length; i++) {
    const w = cps.slice(i, i + 4).join('');
    if (w.trim().length >= 2) out.add(w);
  }
  const enc = encodeURIComponent(pw);
  for (let i = 0; i + 9 <= enc.length; i++) out.add(enc.slice(i, i + 9));
  return [...out];
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

let home = '';
beforeAll(async () => {
  home = await installFakeDatomic(path.join(mkdtempSync(path.join(tmpdir(), 'dtx-sec-')), 'datomic-pro-1.0.7469'));
});

describe('no password, in whole or in part, in any output or file', () => {
  const rand = prng(20260901);
  const pws = Array.from({ length: RUNS }, () => password(rand));

  pws.forEach((pw, i) => {
    it(`password #${i} ${JSON.stringify(pw)}`, async () => {
      const state = tempStateDir('dtx-sec-state-');
      const port = inject('pgPort');
      const url = `postgresql://${uniqueName('sr')}:${encodeURIComponent(pw)}@127.0.0.1:${port}/${uniqueName('sd')}`;
      const base = ['--state-dir', state, '--pg-url', url];
      const outputs: [string, CliResult][] = [];
      const run = async (label: string, args: string[], expectCode?: number): Promise<CliResult> => {
        const r = await dtx(args);
        outputs.push([label, r]);
        if (expectCode !== undefined) expect(r.code, `${label}\n${r.stdout}\n${r.stderr}`).toBe(expectCode);
        return r;
      };
      await run('init-postgres --dry-run', ['init-postgres', '--dry-run', ...base, '--admin-url', adminUrl()], 0);
      await run('init-postgres', ['init-postgres', ...base, '--admin-url', adminUrl()], 0);
      await run('init-postgres --json', ['--json', 'init-postgres', ...base, '--admin-url', adminUrl()], 0);
      await run('init-postgres --dry-run (exists)', ['init-postgres', '--dry-run', ...base, '--admin-url', adminUrl()], 0);
      await run('transactor properties --out -', ['transactor', 'properties', '--out', '-', ...base], 0);
      await run('transactor properties --out - --json', ['--json', 'transactor', 'properties', '--out', '-', ...base], 0);
      await run('config', ['config', ...base], 0);
      await run('config --json', ['--json', 'config', ...base], 0);
      await run('db uri', ['db', 'uri', 'app', ...base], 0);
      await run('db uri --json', ['--json', 'db', 'uri', 'app', ...base], 0);
      await run('db list', ['db', 'list', ...base], 0);
      await run('error: malformed URL', ['db', 'list', '--state-dir', state, '--pg-url', url.replace(`:${port}/`, ':99999/')], 2);
      await run('error: wrong admin password', ['init-postgres', ...base, '--admin-url', `postgresql://postgres:${encodeURIComponent(pw)}@127.0.0.1:${port}/postgres`], 1);
      if (i < WITH_TRANSACTOR) {
        const tx = [...base, '--datomic-home', home, '--port', String(await freePort()), '--ping-port', String(await freePort()), '--heartbeat-interval-msec', '1000'];
        // Run #0: the user turns printConnectionInfo on, so the transactor prints the JDBC URL with
        // the password. Run #1: dtx alone never turns it on.
        const printInfo = i === 0;
        await run('transactor start', ['transactor', 'start', ...tx, ...(printInfo ? ['--java-opts', '-Ddatomic.printConnectionInfo=true'] : [])], 0);
        try {
          await run('transactor status', ['transactor', 'status', ...tx], 0);
          await run('transactor status --json', ['--json', 'transactor', 'status', ...tx], 0);
          const logs = await run('transactor logs', ['transactor', 'logs', ...tx], 0);
          const infoLine = 'you may need to change the user and password parameters';
          if (printInfo) expect(logs.stdout).toContain(infoLine); // the line is there, masked
          else expect(logs.stdout).not.toContain(infoLine);
          await run('transactor logs --json', ['--json', 'transactor', 'logs', ...tx], 0);
        } finally {
          await run('transactor stop', ['transactor', 'stop', ...tx, '--timeout', '5'], 0);
        }
        const t = path.join(state, 'transactor');
        for (const dir of [t, path.join(t, 'log')]) {
          expect((statSync(dir).mode & 0o077).toString(8), `${dir} must be private`).toBe('0');
        }
      }
      const leaks: string[] = [];
      for (const [label, r] of outputs) {
        for (const p of pieces(pw)) {
          if (r.stdout.includes(p)) leaks.push(`${label} stdout: ${JSON.stringify(p)}`);
          if (r.stderr.includes(p)) leaks.push(`${label} stderr: ${JSON.stringify(p)}`);
        }
      }
      const propsFile = path.join(state, 'transactor', 'transactor.properties');
      for (const f of files(state)) {
        if (f === propsFile) {
          expect((statSync(f).mode & 0o777).toString(8)).toBe('600');
          continue;
        }
        // The transactor's own output (printConnectionInfo is on) is protected by the private directories above.
        if (f.startsWith(path.join(state, 'transactor', 'log') + path.sep) || f.endsWith('transactor.out.log')) continue;
        const text = readFileSync(f, 'utf8');
        for (const p of pieces(pw)) if (text.includes(p)) leaks.push(`${path.relative(state, f)}: ${JSON.stringify(p)}`);
      }
      expect(leaks).toEqual([]);
    });
  });
});
