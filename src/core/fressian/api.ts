/**
 * Entry points over FressianReader: every failure is a DtxError (FRESSIAN_*); anything else
 * thrown inside (which would be a bug) is turned into FRESSIAN_MALFORMED at the current offset.
 */
import { isDtxError, type DtxError } from '../errors.js';
import { fressianError, FressianErrorCode } from './errors.js';
import { FressianReader, type ReaderOptions } from './reader.js';
import type { Value } from './values.js';

function guarded<T>(bytes: Uint8Array, opts: ReaderOptions, fn: (r: FressianReader) => T): T {
  const r = new FressianReader(bytes, opts);
  try {
    return fn(r);
  } catch (e) {
    if (isDtxError(e)) throw e;
    const err: DtxError = fressianError(FressianErrorCode.malformed, `decoder failure (${String((e as Error)?.message ?? e)})`, {
      offset: r.offset,
      rowId: opts.rowId,
      gunzipped: opts.gunzipped,
    });
    throw err;
  }
}

/** Reads ONE object and ignores any bytes after it (as Datomic's val reader does). */
export function readObject(bytes: Uint8Array, opts: ReaderOptions = {}): Value {
  return guarded(bytes, opts, (r) => r.readObject());
}

/** Reads objects until the end of the input, validating and skipping footers between them. */
export function readAll(bytes: Uint8Array, opts: ReaderOptions = {}): Value[] {
  return guarded(bytes, opts, (r) => r.readAll());
}
