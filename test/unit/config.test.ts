import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveConfig, loadConfigFile, DEFAULT_PG_URL } from '../../src/core/config.js';
import { expectDtxError } from '../helpers/dtx-error.js';

function dir(config?: unknown): string {
  const d = mkdtempSync(path.join(tmpdir(), 'dtx-cfg-'));
  if (config !== undefined) writeFileSync(path.join(d, 'dtx.config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return d;
}

describe('config precedence: flags > DTX_* env > DATABASE_URL/PG* > file > defaults', () => {
  it('uses defaults with nothing set', () => {
    const c = resolveConfig({ flags: {}, env: {}, cwd: dir() });
    expect(c.pgUrl).toBe(DEFAULT_PG_URL);
    expect(c.pg).toMatchObject({ host: 'localhost', port: 5432, database: 'datomic', user: 'datomic', password: 'datomic' });
    expect(c.adminUrl).toBe('postgresql://postgres@localhost:5432/postgres');
    expect(c.embedded).toBe(true);
    expect(c.sources.pgUrl).toBe('default');
  });

  it('applies each layer in order', () => {
    const cwd = dir({ pgUrl: 'postgresql://f:f@file/f', xmx: '2g', port: 4000 });
    const env = { DATABASE_URL: 'postgresql://d:d@dbenv/d', DTX_XMX: '3g' };
    const c1 = resolveConfig({ flags: {}, env: {}, cwd });
    expect(c1.pg.host).toBe('file');
    expect(c1.sources.pgUrl).toBe('file');
    const c2 = resolveConfig({ flags: {}, env, cwd });
    expect(c2.pg.host).toBe('dbenv');
    expect(c2.sources.pgUrl).toBe('pg-env');
    expect(c2.xmx).toBe('3g');
    const c3 = resolveConfig({ flags: {}, env: { ...env, DTX_PG_URL: 'postgresql://e:e@dtxenv/e' }, cwd });
    expect(c3.pg.host).toBe('dtxenv');
    const c4 = resolveConfig({ flags: { pgUrl: 'postgresql://x:x@flag/x', xmx: '4g' }, env: { ...env, DTX_PG_URL: 'postgresql://e:e@dtxenv/e' }, cwd });
    expect(c4.pg.host).toBe('flag');
    expect(c4.sources.pgUrl).toBe('flag');
    expect(c4.xmx).toBe('4g');
    expect(c4.port).toBe(4000);
  });

  it('builds the admin URL from PG* and points the default admin at the storage server', () => {
    const c = resolveConfig({ flags: {}, env: { PGHOST: 'h', PGPORT: '6543', PGUSER: 'adm', PGPASSWORD: 'p w' }, cwd: dir() });
    expect(c.adminUrl).toBe('postgresql://adm:p%20w@h:6543/postgres');
    expect(c.adminUrlExplicit).toBe(true);
    const d = resolveConfig({ flags: { pgUrl: 'postgresql://a:b@db.example:7777/x' }, env: {}, cwd: dir() });
    expect(d.adminUrl).toBe('postgresql://postgres@db.example:7777/postgres');
    expect(d.adminUrlExplicit).toBe(false);
  });

  it('reports unknown keys in the file, with a suggestion', () => {
    const cwd = dir({ pg_url: 'x', bogus: 1 });
    const err = expectDtxError(() => resolveConfig({ flags: {}, env: {}, cwd }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('unknown key "pg_url" (did you mean "pgUrl"?)');
    expect(err.message).toContain('unknown key "bogus"');
  });

  it('validates every value at once', () => {
    const cwd = dir({ port: 'abc', embedded: 'maybe' });
    const err = expectDtxError(() => resolveConfig({ flags: { pgUrl: 'mysql://x' }, env: { DTX_XMX: 'lots' }, cwd }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/port: expected a whole number/);
    expect(err.message).toMatch(/embedded: expected true or false/);
    expect(err.message).toMatch(/xmx: expected a JVM size/);
    expect(err.message).toMatch(/--pg-url is not a valid PostgreSQL URL/);
  });

  it('rejects invalid JSON and a missing explicit --config', () => {
    expect(() => resolveConfig({ flags: {}, env: {}, cwd: dir('{ nope') })).toThrow(/not valid JSON/);
    expect(() => resolveConfig({ flags: {}, env: {}, cwd: dir(), configPath: 'missing.json' })).toThrow(/config file not found/);
  });

  it('resolves relative paths in the file against the file folder', () => {
    const cwd = dir({ stateDir: 'state', datomicHome: '../datomic' });
    const c = resolveConfig({ flags: {}, env: {}, cwd: '/' , configPath: path.join(cwd, 'dtx.config.json') });
    expect(c.stateDir).toBe(path.join(cwd, 'state'));
    expect(c.datomicHome).toBe(path.resolve(cwd, '../datomic'));
  });

  it('--no-embedded and DTX_EMBEDDED=false turn the embedded server off', () => {
    expect(resolveConfig({ flags: { embedded: false }, env: {}, cwd: dir() }).embedded).toBe(false);
    expect(resolveConfig({ flags: {}, env: { DTX_EMBEDDED: 'false' }, cwd: dir() }).embedded).toBe(false);
  });
});

describe('config file: prototype keys and nulls (issue 9, item 6)', () => {
  const evil = 'postgresql://evil:evil-pw-123@evil.example:5432/evil';

  const fails = (text: string) => expectDtxError(() => resolveConfig({ flags: {}, env: {}, cwd: dir(text) }));

  for (const key of ['__proto__', 'constructor', 'prototype']) {
    it(`rejects a "${key}" key with a usage error and never takes pgUrl from it`, () => {
      // JSON.stringify drops __proto__ set by a literal, so write the text by hand.
      const err = fails(`{"${key}": {"pgUrl": "${evil}"}}`);
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.exitCode).toBe(2);
      expect(err.message).toContain(`"${key}"`);
      expect(err.message).not.toContain('evil-pw-123');
    });
  }

  it('a nested __proto__ never reaches the resolved config either', () => {
    const err = fails(`{"pgUrl": "postgresql://a:b@h/d", "__proto__": {"embedded": false}}`);
    expect(err.message).toContain('"__proto__"');
    expect(({} as Record<string, unknown>).pgUrl).toBeUndefined();
    expect(({} as Record<string, unknown>).embedded).toBeUndefined();
  });

  it('reports a null value instead of ignoring it', () => {
    const err = fails('{"pgUrl": null, "xmx": null}');
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/pgUrl: null is not allowed/);
    expect(err.message).toMatch(/xmx: null is not allowed/);
  });

  it('loadConfigFile returns a null-prototype object', () => {
    const cwd = dir({ xmx: '2g' });
    const { values } = loadConfigFile(undefined, cwd);
    expect(Object.getPrototypeOf(values)).toBeNull();
    expect(values.xmx).toBe('2g');
  });
});
