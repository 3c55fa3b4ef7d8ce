/** The fake distribution's README is read from a clone anywhere: it names no path of one machine. */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
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
