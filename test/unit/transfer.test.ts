/** The byte progress bar of downloads and unpacking (src/render/transfer.ts). */
import { describe, it, expect } from 'vitest';
import { startTransferProgress, transferLine } from '../../src/render/transfer.js';
import { startProgress } from '../../src/render/progress.js';
import { displayWidth } from '../../src/render/table.js';
import { captureIo } from '../helpers/io.js';
import { screen } from '../helpers/pty.js';

const io = (tty: boolean, columns = 80) => captureIo({ tty, columns });

describe('transferLine', () => {
  it('bar, percent, bytes and rate; fits the width; no bar without a total', () => {
    const l = transferLine('downloading', 512 * 1024, 1024 * 1024, 2 * 1024 * 1024, 80);
    expect(l).toMatch(/^downloading \[█+░+\] {2}50% {2}512 KiB \/ 1\.0 MiB {2}2\.0 MiB\/s$/);
    expect(l.length).toBeLessThanOrEqual(80);
    expect(transferLine('downloading', 3 * 1024 * 1024, null, null, 80)).toBe('downloading  3.0 MiB');
    expect(transferLine('downloading', 1, 2, null, 30)).not.toContain('['); // too narrow for a bar
  });
});

describe('startTransferProgress', () => {
  it('piped: one plain line per 10 %, nothing in between', () => {
    const c = io(false);
    const p = startTransferProgress(c.io, 'downloading');
    for (let i = 0; i <= 1000; i++) p.update(i, 1000);
    p.stop('done');
    const lines = c.err().trim().split('\n');
    expect(lines.length).toBe(12); // 0 %, 10 % ... 100 %, done
    expect(lines[0]).toMatch(/^… downloading {2}\s*0%/);
    expect(lines.at(-1)).toBe('done');
    expect(c.err()).not.toContain('\r');
  });

  it('on a terminal: redraws one line at most every 100 ms, and clears it at the end', () => {
    const c = io(true);
    let t = 0;
    const p = startTransferProgress(c.io, 'unpacking', () => t);
    for (let i = 0; i < 100; i++) {
      t += 10;
      p.update(i, 100);
    }
    p.update(100, 100);
    p.stop();
    const draws = c.err().split('\r\x1b[2K').filter(Boolean);
    expect(draws.length).toBeGreaterThanOrEqual(9);
    expect(draws.length).toBeLessThanOrEqual(12);
    expect(draws.at(-1)).toMatch(/100%/);
    expect(c.err().endsWith('\r\x1b[2K')).toBe(true);
  });

  it('--json: nothing', () => {
    const c = io(true);
    c.io.json = true;
    const p = startTransferProgress(c.io, 'downloading');
    p.update(5, 10);
    p.stop('x');
    expect(c.err()).toBe('');
  });
});

describe('startTransferProgress and the io status line', () => {
  it('gives the status line back: a spinner started after the bar is drawn', () => {
    const c = io(true);
    const tio = c.io;
    let t = 0;
    const bar = startTransferProgress(tio, 'downloading', () => t);
    for (let i = 0; i <= 10; i++) {
      t += 200;
      bar.update(i, 10);
    }
    bar.stop();
    const spinner = startProgress(tio, 'starting the transactor');
    expect(screen(c.err())).toEqual([expect.stringMatching(/^\S starting the transactor 0s$/)]);
    spinner.succeed('started');
    expect(screen(c.err())).toEqual(['✔ started']);
  });

  it('on a narrow terminal every frame fits one row (a wrapped frame would stay as debris)', () => {
    const c = io(true, 30);
    let t = 0;
    const p = startTransferProgress(c.io, 'downloading', () => t);
    for (let i = 0; i <= 20; i++) {
      t += 200;
      p.update(i * 1024 * 1024, 20 * 1024 * 1024);
    }
    const frames = c.err().split('\r\x1b[2K').filter(Boolean);
    expect(frames.length).toBeGreaterThan(5);
    for (const f of frames) expect(displayWidth(f)).toBeLessThan(30);
    p.stop('downloaded');
    expect(screen(c.err())).toEqual(['downloaded']);
  });
});
