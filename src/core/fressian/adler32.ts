/** Adler-32 of buf[start, end), as java.util.zip.Adler32 computes it (Fressian footer checksums). */
export function adler32(buf: Uint8Array, start: number, end: number): number {
  let a = 1;
  let b = 0;
  let i = start;
  while (i < end) {
    // 5552 is the largest n for which 255n(n+1)/2 + (n+1)(65520) stays below 2^32 (zlib's NMAX)
    const stop = Math.min(end, i + 5552);
    for (; i < stop; i++) {
      a += buf[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
