/**
 * Which Java a jar needs, from its class files (src/core/datomic/class-version.ts): jars written
 * here (stored and deflated entries), and the real peer jar from Maven Central when fetched
 * (5620 classes, the newest at major 55 = Java 11, as Python's zipfile read it independently).
 */
import { describe, it, expect } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jarClassVersions, javaForClassMajor, javaRequirement } from '../../src/core/datomic/class-version.js';
import { classFile, writeZip, type ZipInput } from '../helpers/zip-writer.js';
import { realPeerAvailable, realPeerClasspath } from '../helpers/real-peer.js';

async function jar(entries: ZipInput[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dtx-jar-'));
  const f = path.join(dir, 'x.jar');
  await writeFile(f, writeZip(entries));
  return f;
}

describe('class-file versions of a jar', () => {
  it('maps class-file majors to Java releases', () => {
    expect([50, 52, 55, 61, 65].map(javaForClassMajor)).toEqual([6, 8, 11, 17, 21]);
  });

  it('reads the highest major over stored and deflated classes; skips resources and META-INF/versions', async () => {
    const f = await jar([
      { name: 'a/A.class', data: classFile(52) },
      { name: 'b/B.class', data: classFile(55), method: 0 },
      { name: 'c/C$inner__123.class', data: classFile(52, 5000) },
      { name: 'META-INF/versions/21/a/A.class', data: classFile(65) },
      { name: 'readme.txt', data: Buffer.from('not a class') },
    ]);
    expect(await jarClassVersions(f)).toEqual({ classes: 3, maxMajor: 55, example: 'b/B.class' });
  });

  it('an empty file (the fake distribution\'s jars), a non-zip and a missing file read as nothing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-jar-'));
    await writeFile(path.join(dir, 'empty.jar'), '');
    await writeFile(path.join(dir, 'text.jar'), 'hello, this is no zip at all'.repeat(10));
    for (const f of ['empty.jar', 'text.jar', 'missing.jar']) {
      expect(await jarClassVersions(path.join(dir, f))).toEqual({ classes: 0, maxMajor: null, example: null });
    }
  });

  it('requirement: the newest class wins over the floor; below the floor the floor stands', async () => {
    const j17 = await jar([{ name: 'datomic/X.class', data: classFile(61) }, { name: 'datomic/Y.class', data: classFile(52) }]);
    const j8 = await jar([{ name: 'datomic/Z.class', data: classFile(52) }]);
    const r17 = await javaRequirement([j8, j17], 11, (f) => path.basename(path.dirname(f)));
    expect(r17).toMatchObject({ major: 17, jarsRead: 2, classesRead: 3 });
    expect(r17.source).toMatch(/class files of .* need it, e\.g\. datomic\/X\.class/);
    const r11 = await javaRequirement([j8], 11);
    expect(r11).toMatchObject({ major: 11, jarsRead: 1 });
    expect(r11.source).toMatch(/minimum; the 1 class files of its jar need Java 8 at most/);
    expect((await javaRequirement([], 11)).source).toMatch(/no Datomic jar/);
  });

  it.skipIf(!realPeerAvailable())('the real peer jar (com.datomic/peer 1.0.7556): 5620 classes, newest major 55 (Java 11)', async () => {
    const peer = realPeerClasspath().split(path.delimiter).find((j) => /peer-1\.0\.\d+\.jar$/.test(j))!;
    expect(readFileSync(peer).length).toBeGreaterThan(1_000_000);
    const v = await jarClassVersions(peer);
    expect(v.classes).toBe(5620);
    expect(v.maxMajor).toBe(55);
  });
});
