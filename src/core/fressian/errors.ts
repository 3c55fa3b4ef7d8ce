/**
 * The errors a Fressian decode can raise: always a DtxError with one of these stable codes, a
 * message naming the row (when the caller gave one) and the byte offset, and the same facts in
 * `details` ({rowId, offset, reason, gunzipped}).
 */
import { DtxError } from '../errors.js';

export const FressianErrorCode = {
  /** Input ends inside an object (or where an object was expected). */
  truncated: 'FRESSIAN_TRUNCATED',
  /** Structurally wrong: bad length, bad cache index, undeclared struct, bad footer, bad UTF-8... */
  malformed: 'FRESSIAN_MALFORMED',
  /** A byte that is no readable Fressian code (reserved, or PRECACHE/META/ANY). */
  unknownCode: 'FRESSIAN_UNKNOWN_CODE',
  /** Strict mode: a struct tag outside the known set. */
  unknownTag: 'FRESSIAN_UNKNOWN_TAG',
  /** A value that starts with the gzip magic but does not gunzip. */
  badGzip: 'FRESSIAN_BAD_GZIP',
} as const;
export type FressianErrorCodeValue = (typeof FressianErrorCode)[keyof typeof FressianErrorCode];

export interface ErrorPlace {
  offset: number;
  rowId?: string | undefined;
  /** Offsets count bytes of the gunzipped value, not of the stored one. */
  gunzipped?: boolean | undefined;
}

export function fressianError(code: FressianErrorCodeValue, reason: string, place: ErrorPlace): DtxError {
  const row = place.rowId === undefined ? '' : ` in row ${place.rowId}`;
  const of = place.gunzipped ? ' of the gunzipped value' : '';
  return new DtxError({
    code,
    message: `cannot decode Fressian${row} at byte ${place.offset}${of}: ${reason}`,
    details: { rowId: place.rowId ?? null, offset: place.offset, reason, gunzipped: place.gunzipped ?? false },
  });
}
