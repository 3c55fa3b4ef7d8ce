/**
 * A doctor check's result. The JSON contract allows three statuses; a check that could not run
 * (an earlier check failed, or there is nothing to measure) is reported as `warn` with a detail
 * starting "skipped: " and `skipped: true`, so it never passes silently and never counts twice
 * as a failure (exit 1 comes only from checks that ran and failed).
 */
import { DtxError } from '../errors.js';
import { maskSecrets } from '../mask.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  /** stable id, e.g. "postgres-role" */
  name: string;
  status: CheckStatus;
  /** what was found (one or two sentences, secrets masked) */
  detail: string;
  /** what to do about it; null when nothing needs doing */
  fix: string | null;
  /** present (true) when the check could not run */
  skipped?: true;
}

const clean = (s: string): string => maskSecrets(s);

export function pass(name: string, detail: string): CheckResult {
  return { name, status: 'pass', detail: clean(detail), fix: null };
}

export function warn(name: string, detail: string, fix: string | null): CheckResult {
  return { name, status: 'warn', detail: clean(detail), fix: fix === null ? null : clean(fix) };
}

export function fail(name: string, detail: string, fix: string | null): CheckResult {
  return { name, status: 'fail', detail: clean(detail), fix: fix === null ? null : clean(fix) };
}

export function skipped(name: string, why: string, fix: string | null = null): CheckResult {
  return { ...warn(name, `skipped: ${why}`, fix), skipped: true };
}

/** A DtxError (message + hint) as a check result; other errors keep their message. */
export function fromError(name: string, e: unknown, status: CheckStatus = 'fail', fallbackFix: string | null = null): CheckResult {
  const message = e instanceof DtxError ? e.message : e instanceof Error ? e.message : String(e);
  const fix = e instanceof DtxError && e.hint ? e.hint : fallbackFix;
  return status === 'pass' ? pass(name, message) : status === 'warn' ? warn(name, message, fix) : fail(name, message, fix);
}
