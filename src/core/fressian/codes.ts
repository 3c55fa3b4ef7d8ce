/**
 * Fressian byte codes, exactly as org.fressian 0.6.8 `org.fressian.impl.Codes` defines them.
 * Ranges (`*_START` inclusive, `*_END` exclusive) are the packed forms: the code itself carries a
 * small length, cache index or the high bits of an integer.
 */
export const Codes = {
  PRIORITY_CACHE_PACKED_START: 0x80,
  PRIORITY_CACHE_PACKED_END: 0xa0,
  STRUCT_CACHE_PACKED_START: 0xa0,
  STRUCT_CACHE_PACKED_END: 0xb0,
  LONG_ARRAY: 0xb0,
  DOUBLE_ARRAY: 0xb1,
  BOOLEAN_ARRAY: 0xb2,
  INT_ARRAY: 0xb3,
  FLOAT_ARRAY: 0xb4,
  OBJECT_ARRAY: 0xb5,
  MAP: 0xc0,
  SET: 0xc1,
  UUID: 0xc3,
  REGEX: 0xc4,
  URI: 0xc5,
  BIGINT: 0xc6,
  BIGDEC: 0xc7,
  INST: 0xc8,
  SYM: 0xc9,
  KEY: 0xca,
  GET_PRIORITY_CACHE: 0xcc,
  PUT_PRIORITY_CACHE: 0xcd,
  PRECACHE: 0xce,
  FOOTER: 0xcf,
  FOOTER_MAGIC: 0xcfcfcfcf,
  BYTES_PACKED_LENGTH_START: 0xd0,
  BYTES_PACKED_LENGTH_END: 0xd8,
  BYTES_CHUNK: 0xd8,
  BYTES: 0xd9,
  STRING_PACKED_LENGTH_START: 0xda,
  STRING_PACKED_LENGTH_END: 0xe2,
  STRING_CHUNK: 0xe2,
  STRING: 0xe3,
  LIST_PACKED_LENGTH_START: 0xe4,
  LIST_PACKED_LENGTH_END: 0xec,
  LIST: 0xec,
  BEGIN_CLOSED_LIST: 0xed,
  BEGIN_OPEN_LIST: 0xee,
  STRUCTTYPE: 0xef,
  STRUCT: 0xf0,
  META: 0xf1,
  ANY: 0xf4,
  TRUE: 0xf5,
  FALSE: 0xf6,
  NULL: 0xf7,
  INT: 0xf8,
  FLOAT: 0xf9,
  DOUBLE: 0xfa,
  DOUBLE_0: 0xfb,
  DOUBLE_1: 0xfc,
  END_COLLECTION: 0xfd,
  RESET_CACHES: 0xfe,
  INT_PACKED_1_START: 0xff,
  INT_PACKED_1_END: 0x40,
  INT_PACKED_2_START: 0x40,
  INT_PACKED_2_ZERO: 0x50,
  INT_PACKED_2_END: 0x60,
  INT_PACKED_3_START: 0x60,
  INT_PACKED_3_ZERO: 0x68,
  INT_PACKED_3_END: 0x70,
  INT_PACKED_4_START: 0x70,
  INT_PACKED_4_ZERO: 0x72,
  INT_PACKED_4_END: 0x74,
  INT_PACKED_5_START: 0x74,
  INT_PACKED_5_ZERO: 0x76,
  INT_PACKED_5_END: 0x78,
  INT_PACKED_6_START: 0x78,
  INT_PACKED_6_ZERO: 0x7a,
  INT_PACKED_6_END: 0x7c,
  INT_PACKED_7_START: 0x7c,
  INT_PACKED_7_ZERO: 0x7e,
  INT_PACKED_7_END: 0x80,
} as const;

/** Single codes that org.fressian 0.6.8 names but its FressianReader rejects ("expected any"). */
const UNREADABLE_NAMES: Record<number, string> = {
  [Codes.PRECACHE]: 'PRECACHE',
  [Codes.META]: 'META',
  [Codes.ANY]: 'ANY',
};

/** `0xC2`, plus the Codes.java name when the code is named but unreadable. For error messages. */
export function describeCode(code: number): string {
  const hex = `0x${code.toString(16).toUpperCase().padStart(2, '0')}`;
  const name = UNREADABLE_NAMES[code];
  return name === undefined ? hex : `${hex} (${name})`;
}
