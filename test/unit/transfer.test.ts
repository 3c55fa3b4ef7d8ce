/** The byte progress bar of downloads and unpacking (src/render/transfer.ts). */
import { describe, it, expect } from 'vitest';
import { startTransferProgress, transferLine } from '../../src/render/transfer.js';
import { captureIo } from '../helpers/io.js';

const io = (tty: boolean) => captureIo({ tty, columns: 80 });

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
