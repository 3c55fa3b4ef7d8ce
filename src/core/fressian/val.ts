/**
 * Decoding a `datomic_kvs.val` the way Datomic's `val->obj` does: gunzip (when the bytes start
 * with the gzip magic 1f 8b), then read ONE object and ignore what follows (the footer). Log tail
 * rows are raw Fressian, not gzipped, and are read as they are.
 */
import { gunzipSync } from 'node:zlib';
import { fressianError, FressianErrorCode } from './errors.js';
import { readObject } from './api.js';
import type { ReaderOptions } from './reader.js';
import type { Value } from './values.js';

export interface DecodeValOptions extends Omit<ReaderOptions, 'gunzipped'> {
  /** Largest gunzipped size accepted (default 512 MiB); more is FRESSIAN_BAD_GZIP. */
  maxGunzippedBytes?: number | undefined;
}

export function isGzip(val: Uint8Array): boolean {
  return val.length >= 2 && val[0] === 0x1f && val[1] === 0x8b;
}

/** Gunzips a gzip val (FRESSIAN_BAD_GZIP when it does not gunzip); returns other bytes as they are. */
export function gunzipVal(val: Uint8Array, opts: DecodeValOptions = {}): Uint8Array {
  if (!isGzip(val)) return val;
  try {
    return gunzipSync(val, { maxOutputLength: opts.maxGunzippedBytes ?? 512 * 1024 * 1024 });
  } catch (e) {
    throw fressianError(FressianErrorCode.badGzip, `the value does not gunzip (${(e as Error).message})`, {
      offset: 0,
      rowId: opts.rowId,
    });
  }
}

/** One object from a stored val. Footer checksums are not checked (Datomic's val reader doesn't). */
export function decodeVal(val: Uint8Array, opts: DecodeValOptions = {}): Value {
  const gz = isGzip(val);
  const bytes = gunzipVal(val, opts);
  return readObject(bytes, { validateChecksum: false, ...opts, gunzipped: gz });
}
