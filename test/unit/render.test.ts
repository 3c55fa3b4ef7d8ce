/**
 * The shared renderers on a (fake) terminal and on a pipe: the spinner line is cleared before any
 * other output, table widths are computed on the masked text, tables fit the terminal (one column
 * truncated with …, else a vertical layout), pipes get tab-separated rows without a header.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { applyColor } from '../../src/cli/io.js';
import { renderTable, keyValues } from '../../src/render/output.js';
import { startProgress } from '../../src/render/progress.js';
import { createColors } from '../../src/render/colors.js';
import { boxTable, displayWidth, fitWidths, MIN_TRUNCATED, plainRows, truncate, verticalTable, wrap } from '../../src/render/table.js';
import { screen } from '../helpers/pty.js';
import { captureIo } from '../helpers/io.js';


const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

describe('the spinner line on a terminal', () => {
  it('is cleared before a note and redrawn after it: nothing is glued to it', () => {
    const t = captureIo({ tty: true });
    const p = startProgress(t.io, 'starting');
    t.io.note('nothing listened on localhost:5432, so dtx started the embedded PostgreSQL');
    t.io.out('data line\n');
    p.stop();
    t.io.err('after\n');
    const lines = screen(t.both());
    expect(lines).toEqual(['note: nothing listened on localhost:5432, so dtx started the embedded PostgreSQL', 'data line', 'after']);
  });

  it('is redrawn below the note while it still runs', () => {
    const t = captureIo({ tty: true });
    const p = startProgress(t.io, 'starting');
    t.io.warn('slow disk');
    const lines = screen(t.both());
    expect(lines[0]).toBe('warning: slow disk');
    expect(lines[1]).toMatch(/^⠋|^⠙/);
    expect(lines[1]).toContain('starting');
    p.succeed('started');
    expect(screen(t.both())).toEqual(['warning: slow disk', '✔ started']);
  });

  it('never wraps: a long stage is cut to the terminal width, so clearing it leaves nothing behind', () => {
    const t = captureIo({ tty: true, columns: 40 });
    const p = startProgress(t.io, 'downloading https://datomic-pro-downloads.s3.amazonaws.com/1.0.7469/datomic-pro-1.0.7469.zip');
    p.update('downloading https://datomic-pro-downloads.s3.amazonaws.com/1.0.7469/datomic-pro-1.0.7469.zip 12%');
    const drawn = t.err().split('\r\x1b[2K').filter(Boolean);
    expect(drawn.length).toBeGreaterThan(0);
    for (const d of drawn) expect(displayWidth(d)).toBeLessThan(40);
    expect(drawn.at(-1)).toContain('…');
    p.fail('cannot download');
    expect(screen(t.both())).toEqual(['✖ cannot download']);
  });

  it('is not drawn over a line someone else left open', () => {
    const t = captureIo({ tty: true });
    t.io.err('partial ');
    const p = startProgress(t.io, 'working');
    t.io.err('rest\n');
    p.stop();
    expect(screen(t.both())).toEqual(['partial rest']);
  });

  it('prints plain stage lines when not on a terminal', () => {
    const t = captureIo({ tty: false });
    const p = startProgress(t.io, 'starting');
    t.io.note('x');
    p.update('waiting');
    p.succeed('done');
    expect(t.err()).toBe('… starting\nnote: x\n… waiting\n✔ done\n');
    expect(t.err()).not.toMatch(SPINNER);
  });
});

describe('renderTable on a terminal', () => {
  const head = ['key', 'value', 'source'];
  const rows = [
    ['pgUrl', 'postgresql://datomic:a-long-secret-password@localhost:5432/datomic', 'flag'],
    ['port', '4334', 'default'],
  ];

  it('computes widths on the masked text, so every border lines up', () => {
    const t = captureIo({ tty: true, columns: 160 });
    t.io.out(renderTable(t.io, head, rows));
    const lines = screen(t.out());
    expect(lines.find((l) => l.includes('pgUrl'))).toContain('datomic:***@localhost');
    expect(new Set(lines.map(displayWidth)).size).toBe(1);
    expect(t.out()).not.toContain('a-long-secret-password');
  });

  it('fits 80 columns by truncating the widest column with …', () => {
    const t = captureIo({ tty: true, columns: 40 });
    t.io.out(renderTable(t.io, head, rows));
    const lines = screen(t.out());
    for (const l of lines) expect(displayWidth(l)).toBe(40);
    expect(lines.find((l) => l.includes('pgUrl'))).toMatch(/│ postgresql:\/\/dato… │ flag {4}│$/);
  });

  it('lists rows vertically when one truncated column is not enough', () => {
    const t = captureIo({ tty: true, columns: 30 });
    t.io.out(renderTable(t.io, ['row', 'map'], [['pod-log-tail/a-6a1f0c2e-1111-2222-3333-444455556666', '{:d/r "x", :tail "y"}']]));
    const lines = screen(t.out());
    expect(lines).toEqual(['row  pod-log-tail/a-6a1f0c2e-1', '     111-2222-3333-44445555666', '     6', 'map  {:d/r "x", :tail "y"}']);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(30);
  });

  it('uses the COLUMNS of the environment when the terminal does not say', () => {
    const t = captureIo({ tty: true, env: { COLUMNS: '50' } });
    expect(t.io.columns()).toBe(50);
    expect(captureIo({ tty: true }).io.columns()).toBe(80);
  });
});

describe('renderTable on a pipe', () => {
  it('prints tab-separated rows without a header, box or colors, secrets masked', () => {
    const t = captureIo({ tty: false });
    t.io.color = true; // even when stderr would color, a pipe gets no escape codes
    applyColor(t.io);
    t.io.out(renderTable(t.io, ['name', 'db-id'], [['a', t.io.chalk.green('a-1')], ['b\tc', 'password=hunter22x']]));
    expect(t.out()).toBe('a\ta-1\nb c\tpassword=***\n');
  });
});

describe('keyValues', () => {
  it('wraps long values under the value column on a terminal, never on a pipe', () => {
    const long = `datomic:sql://x?jdbc:postgresql://h:5432/d?user=u&password=secret-pw-1&${'z'.repeat(60)}`;
    const t = captureIo({ tty: true, columns: 40 });
    t.io.out(keyValues(t.io, [['uri', long], ['db', 'x']]));
    const lines = screen(t.out());
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(40);
    expect(lines[0]?.startsWith('uri  datomic:sql://')).toBe(true);
    expect(lines.slice(1, -1).every((l) => l.startsWith('     '))).toBe(true);
    expect(lines.join('')).toContain('password=***');
    const p = captureIo({ tty: false });
    p.io.out(keyValues(p.io, [['uri', long]]));
    expect(p.out().split('\n')).toHaveLength(2);
  });
});

describe('table layout (pure)', () => {
  it('truncate keeps colors and ends with … within the width', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(truncate('\x1b[32mabcdef\x1b[39m', 4)).toBe('\x1b[32mabc…\x1b[0m');
    expect(displayWidth(truncate('日本語のテキスト', 7))).toBeLessThanOrEqual(7);
  });

  it('fitWidths truncates only the widest column, and not below the minimum', () => {
    expect(fitWidths([5, 10], 100)).toEqual([5, 10]);
    expect(fitWidths([5, 50], 40)).toEqual([5, 28]);
    expect(fitWidths([40, 50], 40)).toBeNull();
    expect(fitWidths([5, 50], 7 + 5 + MIN_TRUNCATED - 1)).toBeNull();
  });

  it('any table fits its width, box or vertical (property)', () => {
    const cell = fc.string({ maxLength: 60 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 20, max: 200 }), fc.array(fc.array(cell, { minLength: 5, maxLength: 5 }), { maxLength: 6 }), (n, width, raw) => {
        const head = Array.from({ length: n }, (_, i) => `col${i}`);
        const rows = raw.map((r) => r.slice(0, n));
        const box = boxTable(head, rows, width);
        const lines = box ?? verticalTable(head, rows, width);
        for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(width);
        if (box) expect(new Set(box.map(displayWidth)).size).toBe(1);
      }),
    );
  });

  it('wrap and plainRows', () => {
    expect(wrap('abcdefgh', 3)).toEqual(['abc', 'def', 'gh']);
    expect(plainRows([['a', 'b\nc']])).toEqual(['a\tb c']);
  });
});

describe('colors', () => {
  it('wrap text in ANSI codes at level 1, nest like chalk, and leave it plain at level 0', () => {
    const c = createColors(1);
    expect(c.green('ok')).toBe('\x1b[32mok\x1b[39m');
    expect(c.dim(`a ${c.bold('b')} c`)).toBe('\x1b[2ma \x1b[1mb\x1b[22m\x1b[2m c\x1b[22m');
    expect(createColors(0).red('plain')).toBe('plain');
  });
});
