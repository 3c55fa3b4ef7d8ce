/** The fake distribution's README is read from a clone anywhere: it names no path of one machine. */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/cli.js';

describe('test/fixtures/fake-datomic/README.md', () => {
  const text = readFileSync(path.join(ROOT, 'test/fixtures/fake-datomic/README.md'), 'utf8');

  it('names no absolute path of one machine', () => {
    expect(text).not.toMatch(/(^|[\s`(])(\/work\/|\/home\/|\/root\/|\/Users\/|[A-Z]:\\)/m);
  });

  it('cites the facts by a path inside the repository', () => {
    expect(text).toContain('docs/datomic-storage.md');
    expect(text).not.toMatch(/datomic-facts/);
  });
});

describe('citations of Datomic facts', () => {
  const docs = readFileSync(path.join(ROOT, 'docs/datomic-storage.md'), 'utf8');
  const sections = new Set([...docs.matchAll(/^## §(\d+) /gm)].map((m) => m[1]));
  const files = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(ts|mjs|clj|md)$/.test(e.name) && !e.parentPath.includes('node_modules'))
      .map((e) => path.join(e.parentPath, e.name));

  it('the code cites the repository\'s own docs, never a document outside it', () => {
    for (const f of [...files('src'), ...files('test'), ...files('bench')]) {
      if (f.endsWith('fixture-docs.test.ts')) continue;
      expect(readFileSync(f, 'utf8'), f).not.toMatch(/datomic-facts|datomic-trees/);
    }
  });

  it('every docs/datomic-storage.md §N cited exists', () => {
    for (const f of [...files('src'), ...files('test'), ...files('bench'), path.join(ROOT, 'README.md')]) {
      for (const m of readFileSync(f, 'utf8').matchAll(/docs\/datomic-storage\.md §(\d+)/g)) {
        expect(sections.has(m[1]!), `${f} cites §${m[1]}`).toBe(true);
      }
    }
  });
});
