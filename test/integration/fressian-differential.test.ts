/**
 * Differential test of src/core/fressian against org.fressian 0.6.8 (the version the Datomic peer
 * 1.0.7556 depends on): test/peer/fressian_gen.clj writes, in ONE JVM, a fixed set of cases plus
 * random values (fixed seed; override with DTX_FRESSIAN_SEED / DTX_FRESSIAN_COUNT) with the real
 * FressianWriter and Datomic's write handlers (and Datomic's own segment writers), reads each back
 * with Java's FressianReader + Datomic's read handlers, and prints the canonical text of what Java
 * read. Every case must decode here to exactly that text.
 * Needs the fetched peer (bash test/peer/fetch-peer.sh); skipped otherwise, a failure in CI.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { realPeerAvailable, REAL_PEER_SKIP_REASON, runRealPeer, REPO_ROOT, type PeerRun } from '../helpers/real-peer.js';
import { parseJavaCases, decodeCase, type JavaCase } from '../helpers/fressian.js';
import { printValue, DATOMIC_STRUCT_TAGS } from '../../src/core/fressian/index.js';

const available = realPeerAvailable();
if (!available && process.env.CI === 'true') throw new Error(`the real Datomic peer is required in CI: ${REAL_PEER_SKIP_REASON}`);
const skip = !available;
if (skip) console.warn(`[fressian-differential.test] skipped: ${REAL_PEER_SKIP_REASON}`);

const SEED = process.env.DTX_FRESSIAN_SEED ?? '20251';
const COUNT = process.env.DTX_FRESSIAN_COUNT ?? '1000';
const GENERATOR = path.join(REPO_ROOT, 'test', 'peer', 'fressian_gen.clj');

/** The only values the Java writer changes: it writes -0.0 as DOUBLE_0 (`d == 0.0`), read back as 0.0. */
const normalise = (written: string) => written.replaceAll('#f64 8000000000000000', '#f64 0000000000000000');

describe.skipIf(skip)(`Fressian reader vs org.fressian (seed ${SEED})`, () => {
  let run: PeerRun;
  let cases: JavaCase[];
  const byName = (name: string) => {
    const c = cases.find((x) => x.name === name);
    if (!c) throw new Error(`no case ${name}`);
    return c;
  };

  beforeAll(async () => {
    run = await runRealPeer([GENERATOR, 'cases', SEED, COUNT], { timeoutMs: 180_000 });
    if (run.code !== 0) throw new Error(`fressian_gen.clj failed (exit ${run.code}): ${run.stderr.slice(-3000)}`);
    cases = parseJavaCases(run.stdout);
  }, 200_000);

  it('the generator ran to the end in one JVM', () => {
    expect(run.stdout.trimEnd().endsWith('\nEND')).toBe(true);
    expect(cases.length).toBeGreaterThan(Number(COUNT) + 150);
    console.log(`[fressian-differential] ${cases.length} cases, ${(run.stdout.length / 1e6).toFixed(1)} MB, JVM ${run.ms} ms`);
  });

  it('every case decodes to what Java reads back', () => {
    const wrong: string[] = [];
    for (const c of cases) {
      let got: string;
      try {
        got = printValue(decodeCase(c));
      } catch (e) {
        got = `ERROR ${(e as Error).message}`;
      }
      if (got !== c.expected) {
        let i = 0;
        while (got[i] === c.expected[i]) i++;
        wrong.push(`${c.name} (${c.mode}) at char ${i}: got …${got.slice(Math.max(0, i - 60), i + 60)}… want …${c.expected.slice(Math.max(0, i - 60), i + 60)}…`);
      }
    }
    expect(wrong.slice(0, 5), `${wrong.length} of ${cases.length} cases differ`).toEqual([]);
  });

  it('Java reads back what was written, except -0.0 (written as DOUBLE_0)', () => {
    const lines = new Map(run.stdout.split('\n').map((l) => [l.split('\t')[0], l.split('\t')]));
    const changed = cases.filter((c) => c.same === 'false');
    for (const c of changed) expect(normalise(lines.get(c.name)![5]!), c.name).toBe(c.expected);
    expect(changed.map((c) => c.name)).toEqual(expect.arrayContaining(['double -0.0', 'double[]']));
    expect(byName('float -0.0').same).toBe('true'); // floats are written raw
  });

  it("Datomic's own segment writers (index nodes, tdata, log dir/leaf/tail) use only known struct tags", () => {
    const datomic = cases.filter((c) => c.name.startsWith('datomic '));
    expect(datomic.length).toBeGreaterThanOrEqual(8);
    for (const c of datomic) expect(printValue(decodeCase(c, { knownTags: DATOMIC_STRUCT_TAGS })), c.name).toBe(c.expected);
  });

  it('the cases exercise chunking, both caches and footers (facts about the Java writer)', () => {
    // strings: chunks of up to 65,536 UTF-8 bytes, never splitting a char; the last piece is STRING
    const s65537 = byName('string chunked ascii 65537').bytes;
    expect([...s65537.subarray(0, 4)]).toEqual([0xe2, 0x69, 0x00, 0x00]); // STRING_CHUNK, count 65536 (packed 3-byte int)
    expect(byName('string chunked ascii 65536').bytes[0]).toBe(0xe3); // exactly one buffer: STRING
    const s3 = byName('string chunked 3-byte 30000').bytes;
    expect([...s3.subarray(0, 4)]).toEqual([0xe2, 0x68, 0xff, 0xff]); // 21,845 chars = 65,535 bytes: no char is split
    // bytes: BYTES_CHUNK of 65,535, last piece BYTES
    const b = byName('bytes 65536').bytes;
    expect([...b.subarray(0, 4)]).toEqual([0xd8, 0x68, 0xff, 0xff]);
    expect(b[4 + 65535]).toBe(0xd9);
    // surrogate pairs: two 3-byte sequences (CESU-8 style), not one 4-byte sequence
    expect([...byName('string surrogate pair').bytes]).toEqual([0xe3, 0x08, 0x61, 0xed, 0xa0, 0xb4, 0xed, 0xb4, 0x9e, 0x62]);
    // keywords: KEY, ns and name each PUT in the priority cache, then referred to as 0x80+i
    const kws = byName('datomic keywords').bytes;
    expect(kws.includes(0xca) && kws.includes(0xcd) && kws.includes(0x80)).toBe(true);
    expect(byName('priority cache 50 values').bytes.includes(0xcc)).toBe(true); // GET_PRIORITY_CACHE beyond 32
    expect(byName('struct cache 20 tags x3').bytes.includes(0xf0)).toBe(true); // STRUCT beyond 16
    // a segment val: gzip of (object ++ footer 0xCFCFCFCF length adler32)
    const root = gunzipSync(byName('datomic index-root-node').bytes);
    expect([...root.subarray(root.length - 12, root.length - 8)]).toEqual([0xcf, 0xcf, 0xcf, 0xcf]);
    expect(root.readUInt32BE(root.length - 8)).toBe(root.length - 12);
    // a log tail: BEGIN_OPEN_LIST, then txes that each begin with RESET_CACHES
    const tail = byName('datomic log tail').bytes;
    expect([tail[0], tail[1]]).toEqual([0xee, 0xfe]);
  });
});
