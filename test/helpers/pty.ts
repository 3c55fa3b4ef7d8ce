/**
 * Run the built CLI on a pseudo-terminal (stdin, stdout and stderr all a TTY) of a given size, as a
 * user at a terminal would, through python3's pty module (test/helpers/run-on-pty.py): no native Node
 * dependency. `steps` type keys when the screen shows a pattern. `screen()` turns the raw output
 * (spinner redraws, cursor moves, colors) into the lines a terminal would finally show.
 */
import { spawnSync, execFile } from 'node:child_process';
import path from 'node:path';
import { BIN, ROOT, dtxEnv } from './cli.js';

export const HAS_PTY = process.platform !== 'win32' && spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;

export interface PtyResult {
  /** The exit code, or null when a signal ended the process. */
  code: number | null;
  /** The signal that ended the process (SIGKILL on a timeout), or null when it exited. */
  signal: string | null;
  /** Everything written to the terminal, escape sequences included. */
  raw: string;
  timedOut: boolean;
}

export interface PtyOptions {
  cols?: number;
  rows?: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
  steps?: { waitFor: string; send: string }[];
  timeoutMs?: number;
}

export function dtxPty(args: string[], opts: PtyOptions = {}): Promise<PtyResult> {
  const env = dtxEnv({ CI: undefined, TERM: 'xterm-256color', ...opts.env });
  const spec = {
    cmd: [process.execPath, BIN, ...args],
    cwd: opts.cwd ?? ROOT,
    env,
    cols: opts.cols ?? 80,
    rows: opts.rows ?? 40,
    steps: opts.steps ?? [],
    timeoutMs: opts.timeoutMs ?? 60_000,
  };
  return new Promise((resolve, reject) => {
    execFile('python3', [path.join(ROOT, 'test/helpers/run-on-pty.py'), JSON.stringify(spec)], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`pty.py failed: ${err.message}\n${stderr}`));
      const r = JSON.parse(stdout) as { code: number | null; signal: string | null; output: string; timedOut: boolean };
      resolve({ code: r.code, signal: r.signal, raw: r.output, timedOut: r.timedOut });
    });
  });
}

/**
 * The lines a terminal shows at the end: applies \r (carriage return), ESC[2K / ESC[K (erase
 * line), ESC[nA / ESC[nB / ESC[nG cursor moves, drops colors and other sequences. Lines wider than
 * the terminal are left long (callers check widths themselves).
 */
export function screen(raw: string): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  const cur = () => (lines[row] ??= []);
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch === '\x1b') {
      // eslint-disable-next-line no-control-regex
      const m = /^\x1b\[([0-9;?]*)([A-Za-z])/.exec(raw.slice(i));
      if (!m) {
        i++; // a two-character escape
        continue;
      }
      i += m[0].length - 1;
      const n = Number.parseInt(m[1] || '1', 10) || 1;
      const line = cur();
      switch (m[2]) {
        case 'K':
          if (m[1] === '2') line.length = 0;
          else line.length = Math.min(line.length, col);
          break;
        case 'A':
          row = Math.max(0, row - n);
          break;
        case 'B':
          row += n;
          break;
        case 'G':
          col = n - 1;
          break;
        case 'J':
          // erase below
          lines.length = row + 1;
          line.length = Math.min(line.length, col);
          break;
        default:
          break; // colors (m), cursor show/hide (h/l), ...
      }
      continue;
    }
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row++;
      col = 0;
      cur();
    } else {
      const line = cur();
      while (line.length < col) line.push(' ');
      line[col++] = ch;
    }
  }
  const out = lines.map((l) => (l ?? []).join('').replace(/\s+$/, ''));
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}
