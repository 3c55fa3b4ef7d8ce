/**
 * Progress on stderr. On a TTY (and not --json) a spinner redraws the io's status line (other
 * output clears it first, see io.ts); otherwise each stage is printed once as a plain line, so logs
 * and CI output stay readable.
 */
import type { Io } from '../cli/io.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Progress {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export function startProgress(io: Io, text: string): Progress {
  const live = io.stderrIsTTY && !io.json;
  let current = text;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const started = Date.now();
  const draw = () => {
    const secs = ((Date.now() - started) / 1000).toFixed(0);
    io.status(`${io.chalk.cyan(FRAMES[frame++ % FRAMES.length] ?? '')} ${current} ${io.chalk.dim(`${secs}s`)}`);
  };
  if (live) {
    draw();
    timer = setInterval(draw, 100);
    timer.unref();
  } else if (!io.json) {
    io.err(`… ${current}\n`);
  }
  const end = (mark: string, final?: string) => {
    // Only a spinner still running owns the status line (a second stop() leaves another's alone).
    if (timer) io.status(null);
    if (timer) clearInterval(timer);
    timer = undefined;
    if (final && !io.json) io.err(`${mark} ${final}\n`);
  };
  return {
    update(t) {
      if (t === current) return;
      current = t;
      if (timer) draw();
      else if (!live && !io.json) io.err(`… ${t}\n`);
    },
    succeed(t) {
      end(io.chalk.green('✔'), t);
    },
    fail(t) {
      end(io.chalk.red('✖'), t);
    },
    stop() {
      end('');
    },
  };
}
