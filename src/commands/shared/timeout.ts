/** The --timeout flag of the commands that wait (transactor start/stop, up, down, db check). */
import type { Ctx } from '../../cli/context.js';
import { TIMEOUT_SECONDS } from '../../cli/options.js';
import { usageError } from '../../core/errors.js';

/**
 * `raw` seconds (the flag's text, or undefined for `defaultSeconds`) as milliseconds. Zero is
 * accepted only where it means "do not wait" (`allowZero`); anything else not a finite number of
 * seconds is a usage error (exit 2) with an example.
 */
export function timeoutMsFlag(raw: unknown, defaultSeconds: number, opts: { allowZero?: boolean } = {}): number {
  const text = raw === undefined ? String(defaultSeconds) : String(raw).trim();
  const s = text === '' ? Number.NaN : Number(text);
  const min = opts.allowZero ? 0 : Number.MIN_VALUE;
  if (!Number.isFinite(s) || s < min) {
    const what = opts.allowZero ? 'a number of seconds (0 or more)' : 'a positive number of seconds';
    throw usageError('TIMEOUT_INVALID', `--timeout must be ${what}, got "${String(raw)}"`, `For example --timeout ${Math.max(defaultSeconds * 2, 60)}.`);
  }
  return Math.round(s * 1000);
}

/** transactor start and up: how long to wait for the transactor to be ready. */
export function startTimeoutMs(ctx: Ctx): number {
  return timeoutMsFlag(ctx.flags.timeout, TIMEOUT_SECONDS.start);
}

/** transactor stop and down: the grace period before the transactor is killed (0: none). */
export function stopTimeoutMs(ctx: Ctx): number {
  return timeoutMsFlag(ctx.flags.timeout, TIMEOUT_SECONDS.stop, { allowZero: true });
}

/** db check: how long the peer may take. */
export function peerTimeoutMs(ctx: Ctx): number {
  return timeoutMsFlag(ctx.flags.timeout, TIMEOUT_SECONDS.peer);
}
