/** Catching the one error type in tests. */
import { expect } from 'vitest';
import { DtxError } from '../../src/core/errors.js';

/**
 * The DtxError that `run` throws (a function) or rejects with (a promise). Fails the test when there
 * is none, or when the error is of another type.
 */
export function expectDtxError(run: () => unknown): DtxError;
export function expectDtxError(run: Promise<unknown>): Promise<DtxError>;
export function expectDtxError(run: (() => unknown) | Promise<unknown>): DtxError | Promise<DtxError> {
  const check = (e: unknown): DtxError => {
    expect(e).toBeInstanceOf(DtxError);
    return e as DtxError;
  };
  if (typeof run !== 'function') {
    return run.then(() => {
      throw new Error('expected a DtxError, the promise resolved');
    }, check);
  }
  try {
    run();
  } catch (e) {
    return check(e);
  }
  throw new Error('expected a DtxError, nothing was thrown');
}
