import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtemp, readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  parseProperties, parsePropertiesEntries, stringifyProperties, escapeProperty, memoryProfile, parseSizeMb,
  formatSizeMb, renderTransactorProperties, validateTransactorProperties, pgUrlToJdbc, jdbcToPgUrl,
  writeSecretFile, loadTransactorProperties, REQUIRED_SQL_PROPERTIES, writeTransactorProperties,
} from '../../src/core/datomic/properties.js';
import { DtxError } from '../../src/core/errors.js';
import { urlDatabase } from '../../src/core/postgres/client.js';

describe('properties parser (java.util.Properties syntax)', () => {
  it('handles separators: =, :, whitespace, and combinations', () => {
    const p = parseProperties('a=1\nb:2\nc 3\nd = 4\ne : 5\nf\t\t6\ng =: 7\nh\n i = \n');
    expect(p).toEqual({ a: '1', b: '2', c: '3', d: '4', e: '5', f: '6', g: ': 7', h: '', i: '' });
  });

  it('skips # and ! comments and blank lines, including indented ones', () => {
    const p = parseProperties('# c\n! c2\n   # indented\n\n\t\nk=v # not a comment\n');
    expect(p).toEqual({ k: 'v # not a comment' });
  });

  it('joins continuation lines and drops leading whitespace of the next line', () => {
    const p = parseProperties('k = one \\\n     two \\\n\tthree\nx=y');
    expect(p.k).toBe('one two three');
    expect(p.x).toBe('y');
  });

  it('an even number of trailing backslashes is not a continuation', () => {
    const p = parseProperties('k=a\\\\\nn=2');
    expect(p).toEqual({ k: 'a\\', n: '2' });
  });

  it('a comment line ending in a backslash does not continue', () => {
    expect(parseProperties('# comment \\\nk=v')).toEqual({ k: 'v' });
  });

  it('a continuation line may start with # (not a comment there)', () => {
    expect(parseProperties('k=a\\\n  #b')).toEqual({ k: 'a#b' });
  });

  it('a blank line ends a continuation; a backslash at EOF is dropped', () => {
    expect(parseProperties('k=a\\\n\nj=b')).toEqual({ k: 'a', j: 'b' });
    expect(parseProperties('k=a\\')).toEqual({ k: 'a' });
  });

  it('decodes escapes: \\t \\n \\r \\f \\uXXXX, escaped separators in keys, other chars literal', () => {
    const p = parseProperties('my\\ key\\=x\\:y = v\\tw\\nz\\u00e9\\u20AC\\q\\\\');
    expect(p['my key=x:y']).toBe('v\tw\nzé€q\\');
  });

  it('handles \\r\\n and \\r line endings', () => {
    expect(parseProperties('a=1\r\nb=2\rc=3')).toEqual({ a: '1', b: '2', c: '3' });
    expect(parseProperties('a=x\\\r\n  y')).toEqual({ a: 'xy' });
  });

  it('rejects malformed \\u escapes with the file and line', () => {
    expect(() => parseProperties('a=1\nb=\\u12G4', 'f.properties')).toThrow(/f\.properties:2: malformed \\uxxxx/);
  });

  it('last duplicate wins; entries keep line numbers', () => {
    expect(parseProperties('a=1\na=2')).toEqual({ a: '2' });
    expect(parsePropertiesEntries('x=1\n\n# c\ny=\\\n 2').map((e) => [e.key, e.line])).toEqual([['x', 1], ['y', 4]]);
  });

  it('a value keeps trailing whitespace and inner separators', () => {
    expect(parseProperties('sql-url=jdbc:postgresql://h:5432/db?a=b  ')).toEqual({ 'sql-url': 'jdbc:postgresql://h:5432/db?a=b  ' });
  });

  it('strips a UTF-8 BOM', () => {
    expect(parseProperties('\uFEFFprotocol=sql')).toEqual({ protocol: 'sql' });
  });
});

describe('properties writer', () => {
  it('escapes like Properties.store', () => {
    expect(escapeProperty(' a b', 'key')).toBe('\\ a\\ b');
    expect(escapeProperty(' a b', 'value')).toBe('\\ a b');
    expect(escapeProperty('x=y:z#!\\', 'value')).toBe('x\\=y\\:z\\#\\!\\\\');
    expect(escapeProperty('\t\n\r\f', 'value')).toBe('\\t\\n\\r\\f');
    expect(escapeProperty('é€', 'value')).toBe('\\u00E9\\u20AC');
  });

  it('writes comments and blanks', () => {
    expect(stringifyProperties([{ comment: 'hi\nthere' }, { blank: true }, { key: 'a', value: 'b' }])).toBe('# hi\n# there\n\na=b\n');
  });

  it('round-trips arbitrary keys and values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string(), { maxKeys: 8 }), (rec) => {
        const text = stringifyProperties(rec);
        expect(parseProperties(text)).toEqual({ ...rec });
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips full unicode, including surrogate pairs', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary', minLength: 1 }), (v, k) => {
        expect(parseProperties(stringifyProperties({ [k]: v }))).toEqual({ [k]: v });
      }),
      { numRuns: 300 },
    );
  });
});

describe('memory profile rule', () => {
  it('matches Datomic\'s documented profiles', () => {
    expect(memoryProfile('1g')).toEqual({ 'memory-index-threshold': '32m', 'memory-index-max': '256m', 'object-cache-max': '128m' });
    expect(memoryProfile('4g')).toEqual({ 'memory-index-threshold': '32m', 'memory-index-max': '512m', 'object-cache-max': '1g' });
    expect(memoryProfile('4096m')).toEqual(memoryProfile('4g'));
  });

  it('scales other sizes', () => {
    expect(memoryProfile('512m')).toEqual({ 'memory-index-threshold': '32m', 'memory-index-max': '128m', 'object-cache-max': '64m' });
    expect(memoryProfile('2g')).toEqual({ 'memory-index-threshold': '32m', 'memory-index-max': '512m', 'object-cache-max': '512m' });
    expect(memoryProfile('8g')).toEqual({ 'memory-index-threshold': '32m', 'memory-index-max': '512m', 'object-cache-max': '2g' });
    expect(memoryProfile('1536m')).toEqual({ 'memory-index-threshold': '32m', 'memory-index-max': '384m', 'object-cache-max': '192m' });
  });

  it('never lets index max + cache exceed half the heap', () => {
    for (const mb of [256, 300, 768, 1024, 1500, 2048, 3000, 4096, 6144, 16384, 65536]) {
      const p = memoryProfile(`${mb}m`);
      expect(parseSizeMb(p['memory-index-max']) + parseSizeMb(p['object-cache-max'])).toBeLessThanOrEqual(mb / 2);
      expect(parseSizeMb(p['memory-index-max'])).toBeGreaterThan(32);
    }
  });

  it('rejects tiny or malformed sizes (exit 2)', () => {
    expect(() => memoryProfile('128m')).toThrow(expect.objectContaining({ code: 'XMX_TOO_SMALL', exitCode: 2 }));
    expect(() => memoryProfile('lots')).toThrow(expect.objectContaining({ code: 'INVALID_SIZE', exitCode: 2 }));
  });

  it('parses and formats sizes', () => {
    expect(parseSizeMb('1G')).toBe(1024);
    expect(parseSizeMb('2048k')).toBe(2);
    expect(parseSizeMb('1073741824')).toBe(1024);
    expect(formatSizeMb(1024)).toBe('1g');
    expect(formatSizeMb(1536)).toBe('1536m');
  });
});

describe('URLs', () => {
  it('postgresql:// → jdbc:postgresql:// without credentials, keeping other params', () => {
    const j = pgUrlToJdbc('postgresql://datomic:s%40cret@db.example:5433/datomic?sslmode=require');
    expect(j).toMatchObject({ sqlUrl: 'jdbc:postgresql://db.example:5433/datomic?sslmode=require', user: 'datomic', password: 's@cret' });
    expect(pgUrlToJdbc('postgres://u@h/d').sqlUrl).toBe('jdbc:postgresql://h:5432/d');
  });

  it('rejects non-postgres URLs (exit 2)', () => {
    expect(() => pgUrlToJdbc('mysql://a@b/c')).toThrow(expect.objectContaining({ code: 'INVALID_PG_URL', exitCode: 2 }));
    expect(() => pgUrlToJdbc('not a url')).toThrow(expect.objectContaining({ code: 'INVALID_PG_URL' }));
  });

  it('jdbc + user/password → postgresql://', () => {
    expect(jdbcToPgUrl('jdbc:postgresql://h:5432/db', 'u', 'p w')).toBe('postgresql://u:p%20w@h:5432/db');
    expect(jdbcToPgUrl('jdbc:postgresql://h/db?user=a&password=b&ssl=true')).toBe('postgresql://a:b@h/db?ssl=true');
  });

  it('the database in sql-url means what pgjdbc reads there (URLDecoder: + is a space), decoded once', () => {
    expect(urlDatabase(jdbcToPgUrl('jdbc:postgresql://h:1/a+b%3Bc%2B', 'u', 'p'))).toBe('a b;c+');
    for (const name of ['a;b', 'a,b', 'a+b', 'a$b', 'a@b', 'a=b', 'a&b', 'a?b', 'a#b', 'a/b', 'a b', 'a%b', 'a:b', 'ü']) {
      const jdbc = pgUrlToJdbc(`postgresql://u:p@h:1/${encodeURIComponent(name)}`).sqlUrl;
      expect(urlDatabase(jdbcToPgUrl(jdbc, 'u', 'p')), name).toBe(name);
    }
  });
});

describe('renderTransactorProperties', () => {
  const base = { pgUrl: 'postgresql://datomic:pw%3D%23!%3Ax@localhost:5432/datomic', dataDir: '/s/data', logDir: '/s/log', pidFile: '/s/t.pid' };

  it('renders a complete SQL file that parses back and validates', () => {
    const r = renderTransactorProperties({ ...base, pingHost: 'localhost', pingPort: 9999, heartbeatIntervalMsec: 1000, altHost: '10.0.0.5' });
    const back = parseProperties(r.text);
    expect(back).toEqual(r.properties);
    expect(back).toMatchObject({
      protocol: 'sql', host: 'localhost', port: '4334', 'alt-host': '10.0.0.5',
      'sql-url': 'jdbc:postgresql://localhost:5432/datomic', 'sql-user': 'datomic', 'sql-password': 'pw=#!:x',
      'sql-driver-class': 'org.postgresql.Driver',
      'memory-index-threshold': '32m', 'memory-index-max': '256m', 'object-cache-max': '128m',
      'data-dir': '/s/data', 'log-dir': '/s/log', 'pid-file': '/s/t.pid',
      'ping-host': 'localhost', 'ping-port': '9999', 'heartbeat-interval-msec': '1000',
    });
    expect(r.text).toContain('sql-password=pw\\=\\#\\!\\:x');
    const s = validateTransactorProperties(back, 'x');
    expect(s.storageUrl).toBe('postgresql://datomic:pw%3D%23!%3Ax@localhost:5432/datomic');
  });

  it('uses the 4g profile and makes relative paths absolute', () => {
    const r = renderTransactorProperties({ ...base, xmx: '4g', dataDir: 'rel/data' });
    expect(r.properties['object-cache-max']).toBe('1g');
    expect(path.isAbsolute(r.properties['data-dir'] as string)).toBe(true);
  });

  it('refuses a heartbeat interval under 1000', () => {
    expect(() => renderTransactorProperties({ ...base, heartbeatIntervalMsec: 500 })).toThrow(/at least 1000/);
  });
});

describe('validateTransactorProperties', () => {
  const good = parseProperties(renderTransactorProperties({ pgUrl: 'postgresql://u:p@h:5432/d', dataDir: '/d', logDir: '/l', pidFile: '/p' }).text);

  it('gives Datomic\'s own message for each missing or empty required key (exit 2)', () => {
    for (const key of REQUIRED_SQL_PROPERTIES.filter((k) => k !== 'protocol')) {
      for (const v of [undefined, '', '   ']) {
        const props = { ...good };
        if (v === undefined) delete props[key];
        else props[key] = v;
        let err: unknown;
        try {
          validateTransactorProperties(props, '/etc/t.properties');
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(DtxError);
        expect((err as DtxError).message).toBe(`:db.error/missing-transactor-property '${key}' property not set, required for protocol: sql in /etc/t.properties`);
        expect((err as DtxError).exitCode).toBe(2);
        expect((err as DtxError).code).toBe('PROPERTY_MISSING');
      }
    }
  });

  it('missing protocol prints nil like Clojure', () => {
    const props = { ...good };
    delete props.protocol;
    expect(() => validateTransactorProperties(props, 'f')).toThrow(":db.error/missing-transactor-property 'protocol' property not set, required for protocol: nil in f");
  });

  it('checks protocol, ports, heartbeat, ping pair, sizes, sql-url', () => {
    const bad = (over: Record<string, string>, re: RegExp): void => {
      expect(() => validateTransactorProperties({ ...good, ...over }, 'f')).toThrow(re);
    };
    bad({ protocol: 'dev' }, /protocol 'dev' is not supported/);
    bad({ port: '70000' }, /'port' must be a TCP port/);
    bad({ port: 'abc' }, /'port' must be a TCP port/);
    bad({ 'heartbeat-interval-msec': '999' }, /at least 1000/);
    bad({ 'heartbeat-interval-msec': '5s' }, /number of milliseconds/);
    bad({ 'ping-host': 'localhost' }, /must be set together/);
    bad({ 'ping-host': 'localhost', 'ping-port': good.port as string }, /same as 'port'/);
    bad({ 'object-cache-max': 'big' }, /size such as/);
    bad({ 'sql-url': 'jdbc:mysql://h/d' }, /not a PostgreSQL JDBC URL/);
    const s = validateTransactorProperties({ ...good, 'ping-host': 'localhost', 'ping-port': '9000' }, 'f');
    expect(s).toMatchObject({ pingHost: 'localhost', pingPort: 9000, heartbeatIntervalMsec: 5000, port: 4334 });
  });

  it('never puts the password in error messages', () => {
    try {
      validateTransactorProperties({ ...good, 'sql-url': 'jdbc:mysql://h/d?password=hunter22' }, 'f');
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter22');
    }
  });
});

describe('files', () => {
  it('writeSecretFile creates 0600 and re-chmods an existing file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-props-'));
    const f = path.join(dir, 'sub dir', 't.properties');
    await writeSecretFile(f, 'a=1\n');
    expect((await stat(f)).mode & 0o777).toBe(0o600);
    await writeFile(f, 'old');
    await chmod(f, 0o644);
    await writeSecretFile(f, 'b=2\n');
    expect((await stat(f)).mode & 0o777).toBe(0o600);
    expect(await readFile(f, 'utf8')).toBe('b=2\n');
  });

  it('writeTransactorProperties writes a 0600 file that loads and validates', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx props '));
    const w = await writeTransactorProperties(path.join(dir, 't.properties'), { pgUrl: 'postgresql://datomic:datomic@localhost:5432/datomic', dataDir: path.join(dir, 'data'), logDir: path.join(dir, 'log'), pidFile: path.join(dir, 't.pid'), xmx: '4g' });
    expect((await stat(w.file)).mode & 0o777).toBe(0o600);
    const s = await loadTransactorProperties(w.file);
    expect(s).toMatchObject({ host: 'localhost', port: 4334, sqlUser: 'datomic', sqlPassword: 'datomic', storageUrl: 'postgresql://datomic:datomic@localhost:5432/datomic', dataDir: path.join(dir, 'data') });
    expect(s.raw['memory-index-max']).toBe('512m');
  });

  it('loadTransactorProperties reports missing files and keys with the absolute file name', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dtx-props-'));
    await expect(loadTransactorProperties(path.join(dir, 'nope'))).rejects.toMatchObject({ code: 'PROPERTIES_NOT_FOUND', exitCode: 2 });
    const f = path.join(dir, 'user.properties');
    await writeFile(f, 'protocol=sql\nhost=localhost\nport=4334\nmemory-index-threshold=32m\nmemory-index-max=256m\nobject-cache-max=128m\nsql-driver-class=org.postgresql.Driver\n');
    await expect(loadTransactorProperties(f)).rejects.toThrow(`:db.error/missing-transactor-property 'sql-url' property not set, required for protocol: sql in ${f}`);
  });
});
