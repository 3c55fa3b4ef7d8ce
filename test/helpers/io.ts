/** An Io (src/cli/io.ts) that writes into strings: what dtx prints, without a process or a terminal. */
import { createIo, type Io } from '../../src/cli/io.js';

export interface CapturedIo {
  io: Io;
  out: () => string;
  err: () => string;
  /** stdout and stderr interleaved, as a terminal shows them */
  both: () => string;
}

export function captureIo(opts: { tty?: boolean; columns?: number; env?: Record<string, string>; cwd?: string; cmd?: string } = {}): CapturedIo {
  let out = '';
  let err = '';
  let both = '';
  const tty = Boolean(opts.tty);
  const io = createIo({
    stdout: { write: (s: string) => ((out += s), (both += s)), isTTY: tty, columns: opts.columns },
    stderr: { write: (s: string) => ((err += s), (both += s)), isTTY: tty, columns: opts.columns },
    env: opts.env ?? {},
    cwd: opts.cwd ?? '/',
    stdinIsTTY: tty,
    cmd: opts.cmd,
  });
  return { io, out: () => out, err: () => err, both: () => both };
}
