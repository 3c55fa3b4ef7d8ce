/**
 * Cancellation (Ctrl-C). The CLI aborts its AbortController with a CANCELLED DtxError (exit 130);
 * core code calls throwIfAborted before every write and waits with abortableSleep, so an aborted
 * wait ends in that error and never in a result that looks like a verdict.
 */
import { DtxError, ExitCode } from './errors.js';

/** The error to throw for an aborted signal: its reason when that is a DtxError, else CANCELLED. */
export function cancelledError(signal?: AbortSignal): DtxError {
  const reason: unknown = signal?.reason;
  if (reason instanceof DtxError) return reason;
  return new DtxError({ code: 'CANCELLED', message: 'cancelled', exitCode: ExitCode.cancelled, cause: reason });
}

/** Throws CANCELLED (exit 130) when the signal has fired. Call it before each write. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw cancelledError(signal);
}

/** setTimeout as a promise that rejects with CANCELLED as soon as the signal fires. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelledError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
