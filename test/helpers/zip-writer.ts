/**
 * A minimal zip writer for tests: stored or deflated entries, unix modes in the external
 * attributes, optional zip64 records, and knobs to make broken archives (wrong CRC, symlinks,
 * hostile names, encryption flag, odd methods). Independent of src/core/zip.ts on purpose.
 * classFile() makes the class files of test jars.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { crc32Js } from '../../src/core/crc32.js';

export interface ZipInput {
  name: string;
  data?: Buffer | string;
  /** Unix permission bits (default 0o644, directories 0o755). */
  mode?: number;
  /** 0 stored, 8 deflate (default), anything else is written as is (stored bytes). */
  method?: number;
  directory?: boolean;
  symlink?: boolean;
  /** Write this CRC instead of the real one. */
  crc?: number;
  encrypted?: boolean;
  /** Made on MS-DOS (no unix mode). */
  dos?: boolean;
  /** Raw name bytes (no UTF-8 flag), instead of `name` encoded as UTF-8 with the flag. */
  rawName?: Buffer;
}

export interface ZipOptions {
  zip64?: boolean;
  /** Bytes before the archive (a self-extractor stub). */
  prefix?: Buffer;
  comment?: string;
}

export function writeZip(entries: ZipInput[], opts: ZipOptions = {}): Buffer {
  const prefix = opts.prefix ?? Buffer.alloc(0);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = e.directory ? Buffer.alloc(0) : Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '');
    const method = e.directory ? 0 : (e.method ?? 8);
    const body = method === 8 ? zlib.deflateRawSync(data) : data;
    const crc = e.crc ?? crc32Js(data);
    const name = e.rawName ?? Buffer.from(e.directory && !e.name.endsWith('/') ? `${e.name}/` : e.name, 'utf8');
    const flags = (e.rawName ? 0 : 0x800) | (e.encrypted ? 1 : 0);
    const type = e.symlink ? 0o120000 : e.directory ? 0o040000 : 0o100000;
    const mode = e.mode ?? (e.directory ? 0o755 : 0o644);
    const external = e.dos ? (e.directory ? 0x10 : 0) : ((((type | mode) << 16) | (e.directory ? 0x10 : 0)) >>> 0);
    const z64 = Boolean(opts.zip64);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(z64 ? 45 : 20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(z64 ? 0xffffffff : body.length, 18);
    local.writeUInt32LE(z64 ? 0xffffffff : data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const localExtra = z64 ? zip64Extra([data.length, body.length]) : Buffer.alloc(0);
    local.writeUInt16LE(localExtra.length, 28);
    locals.push(local, name, localExtra, body);
    const cdExtra = z64 ? zip64Extra([data.length, body.length, offset]) : Buffer.alloc(0);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(((e.dos ? 0 : 3) << 8) | 45, 4);
    c.writeUInt16LE(z64 ? 45 : 20, 6);
    c.writeUInt16LE(flags, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(z64 ? 0xffffffff : body.length, 20);
    c.writeUInt32LE(z64 ? 0xffffffff : data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(cdExtra.length, 30);
    c.writeUInt32LE(external, 38);
    c.writeUInt32LE(z64 ? 0xffffffff : offset, 42);
    centrals.push(c, name, cdExtra);
    offset += local.length + name.length + localExtra.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const cdOffset = offset;
  const comment = Buffer.from(opts.comment ?? '', 'latin1');
  const tail: Buffer[] = [];
  if (opts.zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(entries.length), 24);
    rec.writeBigUInt64LE(BigInt(entries.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(cdOffset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(opts.zip64 ? 0xffff : entries.length, 8);
  eocd.writeUInt16LE(opts.zip64 ? 0xffff : entries.length, 10);
  eocd.writeUInt32LE(opts.zip64 ? 0xffffffff : cd.length, 12);
  eocd.writeUInt32LE(opts.zip64 ? 0xffffffff : cdOffset, 16);
  eocd.writeUInt16LE(comment.length, 20);
  return Buffer.concat([prefix, ...locals, cd, ...tail, eocd, comment]);
}

function zip64Extra(values: number[]): Buffer {
  const b = Buffer.alloc(4 + 8 * values.length);
  b.writeUInt16LE(0x0001, 0);
  b.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return b;
}

/** The first bytes of a class file of the given major version (52 = Java 8, 55 = 11, 61 = 17), plus filler. */
export function classFile(major: number, filler = 200): Buffer {
  const b = Buffer.alloc(8 + filler, 7);
  b.writeUInt32BE(0xcafebabe, 0);
  b.writeUInt16BE(0, 4);
  b.writeUInt16BE(major, 6);
  return b;
}

/** Entries for every file and folder under dir, named `${top}/relative/path`, modes from disk. */
export function entriesFromDir(dir: string, top: string, opts: { skip?: (rel: string) => boolean } = {}): ZipInput[] {
  const out: ZipInput[] = [{ name: `${top}/`, directory: true }];
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (opts.skip?.(r)) continue;
      const st = statSync(path.join(dir, r));
      if (st.isDirectory()) {
        out.push({ name: `${top}/${r}/`, directory: true });
        walk(r);
      } else {
        out.push({ name: `${top}/${r}`, data: readFileSync(path.join(dir, r)), mode: st.mode & 0o777 });
      }
    }
  };
  walk('');
  return out;
}
