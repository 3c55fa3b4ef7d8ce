/**
 * The zip reader (src/core/zip.ts): archives from our test writer, from Info-ZIP's `zip` and from
 * Python's zipfile when present (zip64 too), and broken or hostile ones: truncated, wrong CRC,
 * zip-slip names, symlinks, encryption, unknown methods.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { crc32, crc32Js } from '../../src/core/crc32.js';
import { extractZip, openZip, safeEntryPath } from '../../src/core/zip.js';
import { expectDtxError } from '../helpers/dtx-error.js';
import { writeZip, type ZipInput } from '../helpers/zip-writer.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dtx-zip-'));
});

function save(name: string, buf: Buffer): string {
  const f = path.join(dir, name);
  writeFileSync(f, buf);
  return f;
}

const code = async (p: Promise<unknown>): Promise<string> => (await expectDtxError(p)).code;

const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const posix = process.platform !== 'win32';

const sample: ZipInput[] = [
  { name: 'top/', directory: true },
  { name: 'top/bin/', directory: true },
  { name: 'top/bin/run', data: '#!/bin/sh\necho hi\n', mode: 0o755 },
  { name: 'top/lib/big.jar', data: randomBytes(300_000), method: 0 },
  { name: 'top/README', data: 'x'.repeat(100_000) },
  { name: 'top/empty.txt', data: '' },
  { name: 'top/ünïcode ñame.txt', data: 'utf-8 name' },
];

describe('crc32', () => {
  it('matches the known check value and zlib.crc32, also in pieces', () => {
    expect(crc32Js(Buffer.from('123456789'))).toBe(0xcbf43926);
    const data = randomBytes(10_000);
    expect(crc32Js(data)).toBe(crc32(data));
    expect(crc32Js(data.subarray(5000), crc32Js(data.subarray(0, 5000)))).toBe(crc32Js(data));
  });
});

describe('openZip + extractZip', () => {
  it('reads and extracts stored and deflated entries, empty files, directories, UTF-8 names, and keeps exec bits', async () => {
    const f = save('ok.zip', writeZip(sample));
    const z = await openZip(f);
    expect(z.entries.map((e) => e.name)).toEqual(sample.map((e) => e.name));
    expect(z.entries.find((e) => e.name === 'top/bin/run')).toMatchObject({ mode: 0o755, isDirectory: false, method: 8 });
    const out = path.join(dir, 'ok');
    const r = await extractZip(z, out);
    expect(r).toMatchObject({ files: 5, directories: 2 });
    expect(readFileSync(path.join(out, 'top/bin/run'), 'utf8')).toContain('echo hi');
    expect(readFileSync(path.join(out, 'top/lib/big.jar'))).toEqual(sample[3]!.data);
    expect(readFileSync(path.join(out, 'top/ünïcode ñame.txt'), 'utf8')).toBe('utf-8 name');
    expect(statSync(path.join(out, 'top/empty.txt')).size).toBe(0);
    if (posix) {
      expect(statSync(path.join(out, 'top/bin/run')).mode & 0o111).not.toBe(0);
      expect(statSync(path.join(out, 'top/README')).mode & 0o111).toBe(0);
    }
  });

  it('reads zip64 records and an archive with bytes before it', async () => {
    const z64 = await openZip(save('z64.zip', writeZip(sample, { zip64: true })));
    expect(z64.entries.map((e) => [e.name, e.size])).toEqual(sample.map((e) => [e.name.endsWith('/') ? e.name : e.name, e.directory ? 0 : Buffer.from(e.data ?? '').length]));
    await extractZip(z64, path.join(dir, 'z64'));
    expect(readFileSync(path.join(dir, 'z64/top/README'), 'utf8')).toBe('x'.repeat(100_000));
    const shifted = await openZip(save('sfx.zip', writeZip(sample, { prefix: Buffer.from('#!/bin/sh\nexit 0\n'), comment: 'hello' })));
    expect(shifted.comment).toBe('hello');
    await extractZip(shifted, path.join(dir, 'sfx'));
    expect(readFileSync(path.join(dir, 'sfx/top/lib/big.jar'))).toEqual(sample[3]!.data);
    const shifted64 = await openZip(save('sfx64.zip', writeZip(sample, { zip64: true, prefix: Buffer.alloc(1000, 7) })));
    await extractZip(shifted64, path.join(dir, 'sfx64'));
    expect(readFileSync(path.join(dir, 'sfx64/top/bin/run'), 'utf8')).toContain('echo hi');
  });

  it('decodes names without the UTF-8 flag as code page 437 when they are not UTF-8', async () => {
    const z = await openZip(save('cp437.zip', writeZip([{ name: '', rawName: Buffer.from([0x82, 0x74, 0x65]), data: 'x' }])));
    expect(z.entries[0]!.name).toBe('éte');
  });

  it.skipIf(!has('zip', ['-v']))("extracts what Info-ZIP's zip writes, with exec bits and forced zip64", async () => {
    const src = path.join(dir, 'izsrc');
    mkdirSync(path.join(src, 'd', 'bin'), { recursive: true });
    writeFileSync(path.join(src, 'd', 'bin', 'transactor'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(path.join(src, 'd', 'data.bin'), randomBytes(200_000));
    writeFileSync(path.join(src, 'd', 'text.txt'), 'hello '.repeat(10_000));
    for (const [name, flags] of [['iz.zip', ['-r', '-q']], ['iz64.zip', ['-r', '-q', '-fz']]] as const) {
      const f = path.join(dir, name);
      execFileSync('zip', [...flags, f, 'd'], { cwd: src });
      const out = path.join(dir, `${name}.out`);
      await extractZip(await openZip(f), out);
      expect(readFileSync(path.join(out, 'd/data.bin'))).toEqual(readFileSync(path.join(src, 'd/data.bin')));
      expect(readFileSync(path.join(out, 'd/text.txt'), 'utf8')).toBe('hello '.repeat(10_000));
      if (posix) expect(statSync(path.join(out, 'd/bin/transactor')).mode & 0o777).toBe(0o755);
    }
    // streamed from stdin: data descriptors after each entry
    const f = path.join(dir, 'izstream.zip');
    execFileSync('sh', ['-c', `cat d/text.txt | zip -q - - > ${JSON.stringify(f)}`], { cwd: src });
    await extractZip(await openZip(f), path.join(dir, 'izstream'));
    expect(readFileSync(path.join(dir, 'izstream', '-'), 'utf8')).toBe('hello '.repeat(10_000));
  });

  it.skipIf(!has('python3', ['-c', 'import zipfile']))("extracts Python zipfile's zip64 entries", async () => {
    const f = path.join(dir, 'py64.zip');
    execFileSync('python3', ['-c', `
import zipfile
with zipfile.ZipFile(${JSON.stringify(f)}, 'w', zipfile.ZIP_DEFLATED) as z:
    with z.open('a/b.txt', 'w', force_zip64=True) as w:
        w.write(b'py' * 50000)
    z.writestr('a/c.txt', 'plain')
`]);
    const z = await openZip(f);
    await extractZip(z, path.join(dir, 'py64'));
    expect(readFileSync(path.join(dir, 'py64/a/b.txt'), 'utf8')).toBe('py'.repeat(50000));
    expect(readFileSync(path.join(dir, 'py64/a/c.txt'), 'utf8')).toBe('plain');
  });
});

describe('broken and hostile archives', () => {
  it('a truncated archive is ZIP_TRUNCATED, whatever the cut', async () => {
    const whole = writeZip(sample);
    for (const len of [0, 10, 1000, whole.length >> 1, whole.length - 30, whole.length - 1]) {
      expect(await code(openZip(save(`cut-${len}.zip`, whole.subarray(0, len)))), `cut at ${len}`).toBe('ZIP_TRUNCATED');
    }
    expect(await code(openZip(save('html.zip', Buffer.from('<html>Access Denied</html>'))))).toBe('ZIP_TRUNCATED');
  });

  it('a wrong CRC, a lying size or damaged data is ZIP_CORRUPT', async () => {
    expect(await code(extractZip(await openZip(save('crc.zip', writeZip([{ name: 'a.txt', data: 'hello', crc: 1234 }]))), path.join(dir, 'crc')))).toBe('ZIP_CORRUPT');
    // flip bytes inside the deflated data of the big text entry
    const buf = writeZip([{ name: 'a.txt', data: 'abc'.repeat(5000) + randomBytes(2000).toString('hex') }]);
    for (let i = 40; i < 60; i++) buf[i] = buf[i]! ^ 0xff;
    expect(await code(extractZip(await openZip(save('flip.zip', buf)), path.join(dir, 'flip')))).toBe('ZIP_CORRUPT');
  });

  it('zip-slip names, absolute paths, drive letters and symlinks are refused before anything is written', async () => {
    for (const [i, name] of ['../evil.txt', 'top/../../evil.txt', '/etc/evil', 'C:/evil.txt', 'C:\\evil.txt', '..\\evil.txt', 'top/a:b'].entries()) {
      const out = path.join(dir, `slip${i}`, 'out');
      const z = await openZip(save(`slip${i}.zip`, writeZip([{ name: 'top/ok.txt', data: 'ok' }, { name, data: 'evil' }])));
      expect(await code(extractZip(z, out)), name).toBe('ZIP_UNSAFE_PATH');
      expect(existsSync(path.join(dir, `slip${i}`, 'evil.txt'))).toBe(false);
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    }
    const link = await openZip(save('link.zip', writeZip([{ name: 'top/bin', data: '/etc', symlink: true, method: 0 }])));
    expect(await code(extractZip(link, path.join(dir, 'link')))).toBe('ZIP_UNSAFE_PATH');
    expect(() => safeEntryPath('a/./b/')).not.toThrow();
    expect(safeEntryPath('a/./b/')).toBe(path.join('a', 'b'));
  });

  it('encrypted entries and unknown methods are ZIP_UNSUPPORTED', async () => {
    expect(await code(extractZip(await openZip(save('enc.zip', writeZip([{ name: 'a', data: 'x', encrypted: true }]))), path.join(dir, 'enc')))).toBe('ZIP_UNSUPPORTED');
    expect(await code(extractZip(await openZip(save('bz.zip', writeZip([{ name: 'a', data: 'x', method: 12 }]))), path.join(dir, 'bz')))).toBe('ZIP_UNSUPPORTED');
  });

  it('an aborted extraction throws CANCELLED', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await code(extractZip(await openZip(save('abort.zip', writeZip(sample))), path.join(dir, 'abort'), { signal: ac.signal }))).toBe('CANCELLED');
  });
});
