/**
 * Which Java a distribution's jars need, read from their class files: a class file's major version
 * is the oldest Java that loads it (52 = Java 8, 55 = 11, 61 = 17, 65 = 21). The jar is read as a
 * zip: the central directory, then the first bytes of each `.class` entry (a partial inflate), so a
 * jar of thousands of classes costs one read of the file. Versioned entries of multi-release jars
 * (META-INF/versions/N/...) are skipped: older JVMs ignore them.
 */
import { open } from 'node:fs/promises';
import { constants as zc, inflateRawSync } from 'node:zlib';

/** Java release that a class-file major version needs (major 45 = Java 1.1 ... 52 = 8, 55 = 11). */
export function javaForClassMajor(major: number): number {
  return major >= 53 ? major - 44 : major >= 49 ? major - 44 : 1;
}

export interface JarClassVersions {
  /** class files read */
  classes: number;
  /** the highest class-file major version found; null when the file is no zip or holds no classes */
  maxMajor: number | null;
  /** a class with that version, e.g. "datomic/Foo.class" */
  example: string | null;
}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;

function findEocd(buf: Buffer): number {
  for (let i = buf.length - 22; i >= 0; i--) if (buf.readUInt32LE(i) === EOCD_SIG) return i;
  return -1;
}

/** The first bytes of an entry's data (stored or deflated), or null when unreadable. */
function entryHead(buf: Buffer, localOffset: number, method: number, compressedSize: number, want: number): Buffer | null {
  if (localOffset + 30 > buf.length || buf.readUInt32LE(localOffset) !== LOC_SIG) return null;
  const start = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
  if (method === 0) return buf.subarray(start, Math.min(start + want, buf.length));
  if (method !== 8) return null;
  // A few dozen compressed bytes hold the header; Z_SYNC_FLUSH returns what they decode to.
  const end = Math.min(start + Math.min(compressedSize, 256), buf.length);
  try {
    return inflateRawSync(buf.subarray(start, end), { finishFlush: zc.Z_SYNC_FLUSH });
  } catch {
    return null;
  }
}

/** Reads the class-file versions of one jar. Never throws: an unreadable or empty file gives maxMajor null. */
export async function jarClassVersions(file: string): Promise<JarClassVersions> {
  const none: JarClassVersions = { classes: 0, maxMajor: null, example: null };
  let buf: Buffer;
  try {
    const fh = await open(file, 'r');
    try {
      buf = await fh.readFile();
    } finally {
      await fh.close();
    }
  } catch {
    return none;
  }
  if (buf.length < 22) return none;
  const eocd = findEocd(buf.subarray(Math.max(0, buf.length - 65_557)));
  if (eocd < 0) return none;
  const base = Math.max(0, buf.length - 65_557) + eocd;
  const entries = buf.readUInt16LE(base + 10);
  let p = buf.readUInt32LE(base + 16);
  let classes = 0;
  let maxMajor: number | null = null;
  let example: string | null = null;
  for (let n = 0; n < entries && p + 46 <= buf.length; n++) {
    if (buf.readUInt32LE(p) !== CEN_SIG) break;
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (!name.endsWith('.class') || name.startsWith('META-INF/')) continue;
    const head = entryHead(buf, local, method, csize, 8);
    if (!head || head.length < 8 || head.readUInt32BE(0) !== 0xcafebabe) continue;
    classes++;
    const major = head.readUInt16BE(6);
    if (maxMajor === null || major > maxMajor) {
      maxMajor = major;
      example = name;
    }
  }
  return { classes, maxMajor, example };
}

export interface JavaRequirement {
  /** the oldest Java release that loads every class read */
  major: number;
  /** where it comes from: "class files of peer-1.0.7556.jar (datomic/x.class)" or the documented minimum */
  source: string;
  jarsRead: number;
  classesRead: number;
}

/**
 * The Java release the given jars need (the highest class-file version among them), at least
 * `floor` (Datomic Pro's documented minimum). Jars that are empty or no zips are ignored.
 */
export async function javaRequirement(jars: string[], floor: number, label: (file: string) => string = (f) => f): Promise<JavaRequirement> {
  let best: { major: number; jar: string; example: string | null } | null = null;
  let jarsRead = 0;
  let classesRead = 0;
  for (const jar of jars) {
    const v = await jarClassVersions(jar);
    if (v.maxMajor === null) continue;
    jarsRead++;
    classesRead += v.classes;
    const java = javaForClassMajor(v.maxMajor);
    if (!best || java > best.major) best = { major: java, jar, example: v.example };
  }
  if (!best || best.major <= floor) {
    return {
      major: floor,
      source: jarsRead
        ? `Datomic Pro's minimum; the ${classesRead} class files of its ${jarsRead === 1 ? 'jar' : `${jarsRead} jars`} need Java ${best?.major ?? '?'} at most`
        : "Datomic Pro's minimum; no Datomic jar with class files to read",
      jarsRead,
      classesRead,
    };
  }
  return { major: best.major, source: `the class files of ${label(best.jar)} need it${best.example ? `, e.g. ${best.example}` : ''}`, jarsRead, classesRead };
}
