/**
 * `dtx datomic install` (and `dtx up --install`) on a terminal: the stages after the unpacking bar
 * are still shown on the status line (the spinner stopped for the bar used to stay stopped).
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createIo } from '../../src/cli/io.js';
import type { Ctx } from '../../src/cli/context.js';
import { install } from '../../src/commands/datomic/install.js';
import { fakeDistributionZip } from '../helpers/datomic-zip.js';
import { screen } from '../helpers/pty.js';

describe('install progress on a terminal', () => {
  it('shows the stages after the unpacking bar and leaves nothing on the screen', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dtx-install-progress-'));
    try {
      const file = path.join(dir, 'datomic-pro-1.0.7469.zip');
      writeFileSync(file, fakeDistributionZip());
      let err = '';
      const io = createIo({ stdout: { write: () => {} }, stderr: { write: (s: string) => (err += s), isTTY: true, columns: 200 }, env: {}, cwd: dir });
      const ctx: Ctx = { io, signal: new AbortController().signal, flags: {}, config: () => { throw new Error('not needed'); }, dtxHome: () => path.join(dir, 'home') };
      await install(ctx, { fromFile: file });
      const frames = err.split('\r\x1b[2K').filter(Boolean);
      const bar = frames.findIndex((f) => f.startsWith('unpacking'));
      expect(bar).toBeGreaterThanOrEqual(0);
      expect(frames.slice(bar).some((f) => /installing into /.test(f))).toBe(true);
      expect(screen(err)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
