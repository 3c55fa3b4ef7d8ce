/**
 * Fressian, as org.fressian 0.6.8 (the version Datomic's peer 1.0.7556 uses) writes it.
 * See reader.ts for the facts the reader relies on, values.ts for the value model.
 *
 *   readObject(bytes, opts)  one object, trailing bytes ignored
 *   readAll(bytes, opts)     every object to the end (footers between them validated)
 *   decodeVal(val, opts)     a datomic_kvs val: gunzip when gzip, then one object
 *   printValue(v)            canonical text, for tests and debugging
 *
 * A log tail (the oldest tail row's 0xEE BEGIN_OPEN_LIST, then every row's txes, each starting
 * with RESET_CACHES) is ONE object: readObject(concatenation) returns the list of tx maps.
 *
 * Options: rowId (named in errors), knownTags (strict mode, e.g. DATOMIC_STRUCT_TAGS),
 * structReaders (per-tag hooks for generic structs), validateChecksum, maxDepth.
 * Errors are always DtxError with code FRESSIAN_TRUNCATED | FRESSIAN_MALFORMED |
 * FRESSIAN_UNKNOWN_CODE | FRESSIAN_UNKNOWN_TAG | FRESSIAN_BAD_GZIP and the row and offset.
 */
export * from './values.js';
export { readObject, readAll } from './api.js';
export { decodeVal, gunzipVal, isGzip, type DecodeValOptions } from './val.js';
export { FressianReader, BUILTIN_TAGS, type ReaderOptions, type StructReader } from './reader.js';
export { DATOMIC_STRUCT_TAGS } from './tags.js';
export { FressianErrorCode, type FressianErrorCodeValue } from './errors.js';
export { printValue, printString, doubleBits, floatBits, type PrintOptions } from './print.js';
export { Codes } from './codes.js';
