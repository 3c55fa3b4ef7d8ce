/**
 * Runs src/peer/dtx_peer.clj through the distribution's bin/run (bin\run.cmd on Windows): the one
 * way dtx calls datomic.api (create/delete/rename/list). The URI travels in an environment
 * variable (`env:DTX_PEER_URI`), never on the command line where `ps` would show its password.
 * Contract: the last stdout line is one JSON object (see the script's header).
 */
import path from 'node:path';
import { DtxError, ExitCode } from '../errors.js';
import { maskSecrets } from '../mask.js';
import { packageRoot } from '../package-root.js';
import type { Distribution } from './distribution.js';
import { planScript, runScript, withPathFirst, type Env } from './script.js';

export const PEER_SCRIPT = path.join(packageRoot(import.meta.url), 'src', 'peer', 'dtx_peer.clj');

export type PeerOp = 'create' | 'delete' | 'rename' | 'list' | 'gc-storage' | 'check';

export interface PeerOptions {
  dist: Pick<Distribution, 'home' | 'scripts' | 'platform'>;
  op: PeerOp;
  uri: string;
  arg?: string;
  env: Env;
  /** JAVA_HOME/bin to put first on PATH (bin/run runs plain `java`). */
  javaBinDir?: string | null;
  timeoutMs?: number;
  signal?: AbortSignal;
  scriptPath?: string;
}

export interface PeerResult {
  ok: true;
  op: PeerOp;
  created?: boolean;
  deleted?: boolean;
  renamed?: boolean;
  collected?: boolean;
  names?: string[];
  /** check: the basis-t d/sync returned, the number of idents, each step's ms, the write probe */
  basisT?: number;
  idents?: number;
  timings?: Record<string, number>;
  write?: { t: number; scratch: ScratchInfo };
}

export interface ScratchInfo {
  name: string;
  created: boolean;
  deleted: boolean;
}

export interface PeerError {
  code?: string;
  message?: string;
  endpoint?: { host?: string; port?: number };
  /** check: the step that failed, the timings of the steps done, the scratch database's fate */
  step?: string;
  timings?: Record<string, number>;
  scratch?: ScratchInfo;
}

const API_NAMES: Record<PeerOp, string> = {
  create: 'd/create-database',
  delete: 'd/delete-database',
  rename: 'd/rename-database',
  list: 'd/get-database-names',
  'gc-storage': 'd/gc-storage',
  check: 'the connectivity check',
};

function lastJsonLine(stdout: string): Record<string, unknown> | null {
  const lines = stdout.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i] as string;
    if (!l.startsWith('{')) continue;
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      return null;
    }
  }
  return null;
}

export function peerErrorToDtx(op: PeerOp, e: PeerError): DtxError {
  const message = maskSecrets(e.message ?? 'unknown error');
  const code = e.code ?? ':dtx/peer-error';
  // What the real peer 1.0.7556 says without a transactor (observed in test/integration/real-peer.test.ts).
  if (code === ':db.error/read-transactor-location-failed' || /Error communicating with HOST/.test(message) || code === ':db.error/transactor-unavailable') {
    return new DtxError({
      code: 'TRANSACTOR_UNAVAILABLE',
      message: `the peer could not reach a transactor: ${message}`,
      hint: 'Start one with `dtx transactor start`, and check that its host/port are reachable from here.',
      details: { peerCode: code, ...checkDetails(e) },
    });
  }
  if (code === ':db.error/invalid-db-name') {
    return new DtxError({ code: 'DB_NAME_INVALID', message: `Datomic refused the name: ${message}`, hint: 'Database names may not contain " * : = / ?', exitCode: ExitCode.usage });
  }
  return new DtxError({
    code: 'PEER_FAILED',
    message: `${API_NAMES[op]} failed${e.step ? ` at step ${e.step}` : ''}: ${message}`,
    hint: 'Run with --verbose, or see the transactor log (`dtx transactor logs`).',
    details: { peerCode: code, ...checkDetails(e) },
  });
}

function checkDetails(e: PeerError): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (e.step) out.step = e.step;
  if (e.timings) out.timings = e.timings;
  if (e.scratch) out.scratch = e.scratch;
  return out;
}

export async function runPeer(opts: PeerOptions): Promise<PeerResult> {
  let env: Env = { ...opts.env, DTX_PEER_URI: opts.uri };
  if (opts.javaBinDir) env = withPathFirst(env, opts.javaBinDir, opts.dist.platform);
  const args = [opts.scriptPath ?? PEER_SCRIPT, opts.op, 'env:DTX_PEER_URI', ...(opts.arg !== undefined ? [opts.arg] : [])];
  const plan = planScript({ script: opts.dist.scripts.run, args, home: opts.dist.home, env, platform: opts.dist.platform });
  let r;
  try {
    r = await runScript(plan, { timeoutMs: opts.timeoutMs ?? 180_000, signal: opts.signal });
  } catch (e) {
    throw new DtxError({ code: 'PEER_LAUNCH_FAILED', message: `could not run ${opts.dist.scripts.run}: ${(e as Error).message}`, hint: 'Check --datomic-home and that the script is executable.', cause: e });
  }
  if (opts.signal?.aborted) throw new DtxError({ code: 'CANCELLED', message: 'cancelled', exitCode: ExitCode.cancelled });
  const doc = lastJsonLine(r.stdout);
  if (!doc) {
    const tail = maskSecrets(`${r.stderr}\n${r.stdout}`).trim().split('\n').slice(-8).join('\n  ');
    throw new DtxError({
      code: r.timedOut ? 'PEER_TIMEOUT' : 'PEER_FAILED',
      message: `${r.timedOut ? 'the peer timed out' : `the peer (bin/run) exited with ${r.code ?? r.signal} and no result`}${tail ? `:\n  ${tail}` : ''}`,
      hint: 'Check Java (java -version, 11+) and the Datomic installation; run with --verbose.',
    });
  }
  if (doc.ok !== true) throw peerErrorToDtx(opts.op, (doc.error ?? {}) as PeerError);
  return doc as unknown as PeerResult;
}
