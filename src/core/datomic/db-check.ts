/**
 * `dtx db check NAME`: the connectivity test people write by hand in a REPL, run through the
 * distribution's bin/run and dtx_peer.clj's `check` op: d/connect, d/sync (the transactor's
 * latest basis-t), a query, each timed. Read-only unless `write`: then the peer also creates a
 * scratch database (`dtx-check-<random uuid>`; a name that exists is refused, never touched),
 * transacts and retracts a probe datom there, and deletes it whatever happened. If the peer dies
 * before it could delete it (killed, timed out), dtx finds the scratch name in the catalog and
 * deletes it through a second peer run, or says exactly what is left.
 */
import { randomUUID } from 'node:crypto';
import { DtxError, ExitCode } from '../errors.js';
import type { Distribution } from './distribution.js';
import { runPeer, type PeerResult, type ScratchInfo } from './peer.js';
import type { Env } from './script.js';

export const SCRATCH_PREFIX = 'dtx-check-';

/** A scratch database name no user picks by accident: the prefix and a random UUID. */
export function scratchName(): string {
  return `${SCRATCH_PREFIX}${randomUUID()}`;
}

export interface DbCheckOptions {
  dist: Pick<Distribution, 'home' | 'scripts' | 'platform'>;
  name: string;
  /** the database's datomic: URI (with the password) */
  uri: string;
  /** the URI of another database name on the same storage (the scratch one) */
  uriFor: (name: string) => string;
  write: boolean;
  env: Env;
  javaBinDir?: string | null;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** the live names in the catalog (after a failed write probe: is the scratch database left?) */
  catalogNames: () => Promise<string[]>;
  /** test seam: the scratch name (default scratchName()) */
  scratch?: string;
  onStage?: (stage: string) => void;
  scriptPath?: string;
}

export interface DbCheckResult {
  name: string;
  basisT: number;
  idents: number | null;
  /** ms per step as the peer measured them, plus totalMs (wall clock, JVM start included) and jvmMs (the rest) */
  timings: Record<string, number>;
  write: { t: number | null; scratch: ScratchInfo } | null;
}

export async function checkDatabase(o: DbCheckOptions): Promise<DbCheckResult> {
  const scratch = o.write ? (o.scratch ?? scratchName()) : undefined;
  const t0 = performance.now();
  o.onStage?.(`starting a peer JVM: connect to ${o.name}, sync, query${o.write ? ', then the write probe in a scratch database' : ''}`);
  let r: PeerResult;
  try {
    r = await runPeer({ dist: o.dist, op: 'check', uri: o.uri, arg: scratch, env: o.env, javaBinDir: o.javaBinDir, timeoutMs: o.timeoutMs, signal: o.signal, scriptPath: o.scriptPath });
  } catch (e) {
    if (scratch) throw await afterFailedProbe(o, scratch, e);
    throw e;
  }
  const totalMs = Math.round(performance.now() - t0);
  const steps = r.timings ?? {};
  const stepSum = Object.values(steps).reduce((a, b) => a + b, 0);
  return {
    name: o.name,
    basisT: r.basisT ?? -1,
    idents: r.idents ?? null,
    timings: { ...steps, jvmMs: Math.max(0, Math.round(totalMs - stepSum)), totalMs },
    write: r.write ? { t: r.write.t ?? null, scratch: r.write.scratch } : null,
  };
}

/** The peer failed during a write check: make sure the scratch database is gone, or say it is not. */
async function afterFailedProbe(o: DbCheckOptions, scratch: string, e: unknown): Promise<unknown> {
  const err = e instanceof DtxError ? e : new DtxError({ code: 'PEER_FAILED', message: String((e as Error)?.message ?? e), cause: e });
  let names: string[];
  try {
    names = await o.catalogNames();
  } catch {
    return withScratch(err, { name: scratch, created: true, deleted: false }, `The scratch database ${scratch} may be left: check \`dtx db list\` and delete it with \`dtx db delete ${scratch} --yes\`.`);
  }
  if (!names.includes(scratch)) {
    const info = (err.details?.scratch as ScratchInfo | undefined) ?? { name: scratch, created: false, deleted: false };
    return withScratch(err, { ...info, deleted: info.created ? true : info.deleted });
  }
  // Left behind (the JVM was killed, or timed out, before its cleanup ran).
  if (o.signal?.aborted) {
    return withScratch(err, { name: scratch, created: true, deleted: false }, `The scratch database ${scratch} was left behind: delete it with \`dtx db delete ${scratch} --yes\`.`);
  }
  o.onStage?.(`deleting the scratch database ${scratch} that the failed check left behind`);
  try {
    const d = await runPeer({ dist: o.dist, op: 'delete', uri: o.uriFor(scratch), env: o.env, javaBinDir: o.javaBinDir, timeoutMs: o.timeoutMs, scriptPath: o.scriptPath });
    return withScratch(err, { name: scratch, created: true, deleted: Boolean(d.deleted), cleanedUp: true });
  } catch {
    return withScratch(err, { name: scratch, created: true, deleted: false }, `The scratch database ${scratch} was left behind and could not be deleted: run \`dtx db delete ${scratch} --yes\`.`);
  }
}

function withScratch(err: DtxError, scratch: ScratchInfo & { cleanedUp?: boolean }, extraHint?: string): DtxError {
  return new DtxError({
    code: err.code,
    message: err.message,
    hint: extraHint ? `${extraHint}${err.hint ? ` ${err.hint}` : ''}` : err.hint,
    exitCode: err.exitCode === ExitCode.ok ? ExitCode.failed : err.exitCode,
    cause: err.cause ?? err,
    details: { ...(err.details ?? {}), scratch },
  });
}
