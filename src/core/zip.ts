/**
 * A small zip reader (PKWARE APPNOTE 6.3): the central directory (zip64 too), entries stored or
 * deflated, streamed through zlib's raw inflater and checked against their CRC-32 and sizes.
 * Extraction refuses what could write outside the target folder (absolute paths, drive letters,
 * `..` segments, symbolic links) and keeps the unix permission bits of the external attributes.
 *
 * Not supported, with a clear error: encryption, compression methods other than stored/deflate,
 * archives split over several disks.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { cancelledError, throwIfAborted } from './abort.js';
import { crc32 } from './crc32.js';
import { DtxError, ExitCode } from './errors.js';

export interface ZipEntry {
  /** The name as stored, with `/` separators (a directory ends with `/`). */
  name: string;
  isDirectory: boolean;
  isSymlink: boolean;
  /** 0 stored, 8 deflated. */
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Offset of the local file header (already shifted by any bytes before the archive). */
  localHeaderOffset: number;
  /** Unix permission bits (e.g. 0o755) when the archive was made on unix, else null. */
  mode: number | null;
  encrypted: boolean;
}

export interface ZipArchive {
  file: string;
  /** Size of the archive file in bytes. */
  size: number;
  entries: ZipEntry[];
  comment: string;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;
const EOCD_SIZE = 22;

function invalid(file: string, what: string, code = 'ZIP_INVALID'): DtxError {
  return new DtxError({
    code,
    message: `${file} is not a readable zip archive: ${what}`,
    hint: code === 'ZIP_TRUNCATED'
      ? 'The file is incomplete (an interrupted download?). Download it again.'
      : 'Download the archive again; if it keeps failing, check that the URL or file is a Datomic Pro zip.',
    exitCode: ExitCode.failed,
  });
}

function corrupt(file: string, entry: string, what: string): DtxError {
  return new DtxError({
    code: 'ZIP_CORRUPT',
    message: `${file} is damaged: entry ${entry} ${what}`,
    hint: 'Download the archive again (the copy is corrupt or incomplete).',
    exitCode: ExitCode.failed,
  });
}

// Code page 437, the zip default for names without the UTF-8 flag (bytes 0x80-0xFF).
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

function decodeName(bytes: Buffer, utf8Flag: boolean): string {
  if (utf8Flag) return bytes.toString('utf8');
  let ascii = true;
  for (const b of bytes) if (b >= 0x80) ascii = false;
  if (ascii) return bytes.toString('latin1');
  // Many unix zips store UTF-8 names without the flag: take them when they decode cleanly.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let s = '';
    for (const b of bytes) s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
    return s;
  }
}

function u64(buf: Buffer, at: number, file: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(file, 'a zip64 size or offset is too large');
  return Number(v);
}

async function readAt(fd: Awaited<ReturnType<typeof open>>, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fd.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/**
 * Reads the central directory. Errors (DtxError, exit 1): ZIP_TRUNCATED (no end record: an
 * incomplete file), ZIP_INVALID (malformed records), ZIP_UNSUPPORTED (split archives).
 */
export async function openZip(file: string): Promise<ZipArchive> {
  const fd = await open(file, 'r');
  try {
    const size = (await fd.stat()).size;
    if (size < EOCD_SIZE) throw invalid(file, `only ${size} bytes`, 'ZIP_TRUNCATED');
    const tailLen = Math.min(size, EOCD_SIZE + MAX_COMMENT);
    const tailStart = size - tailLen;
    const tail = await readAt(fd, tailStart, tailLen);
    // The end record is the last signature whose comment length reaches exactly the end of file.
    let eocd = -1;
    for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
      if (tail.readUInt32LE(i) === SIG_EOCD && i + EOCD_SIZE + tail.readUInt16LE(i + 20) === tail.length) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw invalid(file, 'no end of central directory record (the file is incomplete, or not a zip)', 'ZIP_TRUNCATED');
    const eocdPos = tailStart + eocd;
    let disk = tail.readUInt16LE(eocd + 4);
    let cdDisk = tail.readUInt16LE(eocd + 6);
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    const comment = tail.subarray(eocd + EOCD_SIZE, eocd + EOCD_SIZE + tail.readUInt16LE(eocd + 20)).toString('latin1');
    let cdEnd = eocdPos; // where the central directory must end
    const needs64 = count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff || disk === 0xffff;
    const locPos = eocdPos - 20;
    if (locPos >= 0) {
      const loc = await readAt(fd, locPos, 20);
      if (loc.length === 20 && loc.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
        let recPos = u64(loc, 8, file);
        let rec = await readAt(fd, recPos, 56);
        if (rec.length < 56 || rec.readUInt32LE(0) !== SIG_ZIP64_EOCD) {
          // Bytes before the archive shift every offset: look for the record right before the locator.
          recPos = locPos - 56;
          rec = recPos >= 0 ? await readAt(fd, recPos, 56) : Buffer.alloc(0);
          if (rec.length < 56 || rec.readUInt32LE(0) !== SIG_ZIP64_EOCD) throw invalid(file, 'the zip64 end record is missing');
        }
        disk = rec.readUInt32LE(16);
        cdDisk = rec.readUInt32LE(20);
        count = u64(rec, 32, file);
        cdSize = u64(rec, 40, file);
        cdOffset = u64(rec, 48, file);
        cdEnd = recPos;
      } else if (needs64) {
        throw invalid(file, 'the zip64 end record locator is missing');
      }
    }
    if (disk !== 0 || cdDisk !== 0) {
      throw new DtxError({ code: 'ZIP_UNSUPPORTED', message: `${file} is split over several disks, which dtx cannot read`, hint: 'Use a single-file zip.', exitCode: ExitCode.failed });
    }
    // Bytes before the archive (a self-extractor stub) shift every offset by the same amount.
    const shift = cdEnd - (cdOffset + cdSize);
    if (shift < 0) throw invalid(file, 'the central directory runs past its end record', 'ZIP_TRUNCATED');
    const cd = await readAt(fd, cdOffset + shift, cdSize);
    if (cd.length !== cdSize) throw invalid(file, 'the central directory is cut short', 'ZIP_TRUNCATED');
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw invalid(file, `central directory entry ${n + 1} of ${count} is malformed`);
      const madeBy = cd.readUInt16LE(p + 4);
      const flags = cd.readUInt16LE(p + 8);
      const method = cd.readUInt16LE(p + 10);
      const crc = cd.readUInt32LE(p + 16);
      let compressedSize = cd.readUInt32LE(p + 20);
      let uncompressed = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const diskStart = cd.readUInt16LE(p + 34);
      const external = cd.readUInt32LE(p + 38);
      let offset = cd.readUInt32LE(p + 42);
      const end = p + 46 + nameLen + extraLen + commentLen;
      if (end > cd.length) throw invalid(file, `central directory entry ${n + 1} runs past the directory`);
      const name = decodeName(cd.subarray(p + 46, p + 46 + nameLen), (flags & 0x800) !== 0).replace(/\\/g, '/');
      // zip64 extended information: only the fields that are saturated in the record, in order.
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = cd.readUInt16LE(e);
        const len = cd.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          const need = (): void => {
            if (q + 8 > e + 4 + len) throw invalid(file, `the zip64 field of ${name} is too short`);
          };
          if (uncompressed === 0xffffffff) { need(); uncompressed = u64(cd, q, file); q += 8; }
          if (compressedSize === 0xffffffff) { need(); compressedSize = u64(cd, q, file); q += 8; }
          if (offset === 0xffffffff) { need(); offset = u64(cd, q, file); q += 8; }
        }
        e += 4 + len;
      }
      if (diskStart !== 0 && diskStart !== 0xffff) {
        throw new DtxError({ code: 'ZIP_UNSUPPORTED', message: `${file} is split over several disks, which dtx cannot read`, hint: 'Use a single-file zip.', exitCode: ExitCode.failed });
      }
      const host = madeBy >> 8;
      const unixMode = host === 3 || host === 19 ? external >>> 16 : 0;
      const type = unixMode & 0o170000;
      entries.push({
        name,
        isDirectory: name.endsWith('/') || type === 0o040000 || (unixMode === 0 && (external & 0x10) !== 0),
        isSymlink: type === 0o120000,
        method,
        crc32: crc,
        compressedSize,
        size: uncompressed,
        localHeaderOffset: offset + shift,
        mode: unixMode ? unixMode & 0o7777 : null,
        encrypted: (flags & 0x1) !== 0,
      });
      p = end;
    }
    return { file, size, entries, comment };
  } finally {
    await fd.close();
  }
}

/**
 * The relative path an entry may be written to, with the host's separators; throws ZIP_UNSAFE_PATH
 * for absolute paths, drive letters, `..` segments and other names that could escape the folder.
 */
export function safeEntryPath(name: string): string {
  const unsafe = (why: string) =>
    new DtxError({
      code: 'ZIP_UNSAFE_PATH',
      message: `the archive holds an entry that would be written outside the install folder: ${JSON.stringify(name)} (${why})`,
      hint: 'Nothing was installed. This is not a Datomic Pro distribution as published; get the archive from the official URL.',
      exitCode: ExitCode.failed,
    });
  const n = name.replace(/\\/g, '/');
  if (n.includes('\0')) throw unsafe('NUL character');
  if (n.startsWith('/')) throw unsafe('absolute path');
  if (/^[A-Za-z]:/.test(n)) throw unsafe('drive letter');
  const parts = n.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.some((s) => s === '..')) throw unsafe('.. segment');
  if (parts.some((s) => s.includes(':'))) throw unsafe('colon in a name (a drive or an NTFS stream on Windows)');
  if (parts.length === 0) throw unsafe('empty name');
  return parts.join(path.sep);
}

/** Counts bytes, computes the CRC-32 and stops past `limit` (a wrong size in the directory). */
class Check extends Transform {
  crc = 0;
  bytes = 0;
  constructor(private readonly limit: number, private readonly tooLong: () => Error) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      cb(this.tooLong());
      return;
    }
    this.crc = crc32(chunk, this.crc);
    cb(null, chunk);
  }
}

export interface ExtractOptions {
  signal?: AbortSignal;
  /** Bytes of the archive consumed so far (compressed), for a progress bar. */
  onProgress?: (compressedBytesDone: number, compressedBytesTotal: number) => void;
}

export interface ExtractResult {
  files: number;
  directories: number;
  /** Uncompressed bytes written. */
  bytes: number;
}

/** Checks before anything is written: supported entries with safe names and no symlinks. */
export function checkEntries(archive: ZipArchive): void {
  const seen = new Set<string>();
  for (const e of archive.entries) {
    const rel = safeEntryPath(e.name);
    if (e.isSymlink) {
      throw new DtxError({
        code: 'ZIP_UNSAFE_PATH',
        message: `the archive holds a symbolic link (${e.name}), which dtx does not extract`,
        hint: 'Nothing was installed. A Datomic Pro distribution has no symbolic links; get the archive from the official URL.',
        exitCode: ExitCode.failed,
      });
    }
    if (e.encrypted) {
      throw new DtxError({ code: 'ZIP_UNSUPPORTED', message: `${archive.file}: entry ${e.name} is encrypted`, hint: 'Use an unencrypted zip.', exitCode: ExitCode.failed });
    }
    if (!e.isDirectory && e.method !== 0 && e.method !== 8) {
      throw new DtxError({
        code: 'ZIP_UNSUPPORTED',
        message: `${archive.file}: entry ${e.name} uses compression method ${e.method} (dtx reads stored and deflated entries)`,
        hint: 'Re-create the zip with standard deflate compression.',
        exitCode: ExitCode.failed,
      });
    }
    const key = process.platform === 'win32' || process.platform === 'darwin' ? rel.toLowerCase() : rel;
    if (!e.isDirectory && seen.has(key)) throw corrupt(archive.file, e.name, 'appears twice');
    seen.add(key);
  }
}

/**
 * Extracts every entry under destDir (which should be a fresh, empty folder), checking each one's
 * CRC-32 and size as it is written. Throws ZIP_* errors (nothing is cleaned: the caller owns destDir)
 * and CANCELLED when the signal fires.
 */
export async function extractZip(archive: ZipArchive, destDir: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  checkEntries(archive);
  const root = path.resolve(destDir);
  await mkdir(root, { recursive: true });
  const total = archive.entries.reduce((s, e) => s + e.compressedSize, 0);
  let done = 0;
  let files = 0;
  let directories = 0;
  let bytes = 0;
  const fd = await open(archive.file, 'r');
  try {
    for (const e of archive.entries) {
      throwIfAborted(opts.signal);
      const target = path.join(root, safeEntryPath(e.name));
      if (!target.startsWith(root + path.sep)) throw corrupt(archive.file, e.name, 'resolves outside the target folder'); // defence in depth
      if (e.isDirectory) {
        await mkdir(target, { recursive: true });
        directories++;
        continue;
      }
      await mkdir(path.dirname(target), { recursive: true });
      const local = await readAt(fd, e.localHeaderOffset, 30);
      if (local.length < 30 || local.readUInt32LE(0) !== SIG_LOCAL) throw corrupt(archive.file, e.name, 'has no local header where the directory says');
      const dataStart = e.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      if (dataStart + e.compressedSize > archive.size) throw corrupt(archive.file, e.name, 'runs past the end of the file (truncated)');
      const check = new Check(e.size, () => corrupt(archive.file, e.name, `is longer than the ${e.size} bytes the directory says`));
      const mode = e.mode !== null ? (e.mode & 0o777) | 0o600 : 0o644;
      const out = createWriteStream(target, { mode, flags: 'wx' });
      const input = e.compressedSize > 0
        ? createReadStream(archive.file, { start: dataStart, end: dataStart + e.compressedSize - 1, highWaterMark: 256 * 1024 })
        : Readable.from([]);
      const before = done;
      input.on('data', (chunk: Buffer | string) => {
        done += chunk.length;
        opts.onProgress?.(done, total);
      });
      try {
        if (e.method === 8) await pipeline(input, zlib.createInflateRaw(), check, out, { signal: opts.signal });
        else await pipeline(input, check, out, { signal: opts.signal });
      } catch (err) {
        if (opts.signal?.aborted) throw cancelledError(opts.signal);
        if (err instanceof DtxError) throw err;
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (code.startsWith('Z_') || code.startsWith('ERR_ZLIB')) throw corrupt(archive.file, e.name, `does not inflate (${(err as Error).message})`);
        throw err;
      }
      done = before + e.compressedSize;
      if (check.bytes !== e.size) throw corrupt(archive.file, e.name, `has ${check.bytes} bytes, the directory says ${e.size}`);
      if (check.crc !== e.crc32) throw corrupt(archive.file, e.name, `fails its CRC-32 check (${hex(check.crc)}, expected ${hex(e.crc32)})`);
      files++;
      bytes += e.size;
    }
  } finally {
    await fd.close();
  }
  return { files, directories, bytes };
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
