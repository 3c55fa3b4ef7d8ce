/**
 * A byte progress bar on stderr for downloads and unpacking. On a terminal it is the io's status
 * line (bar, percent, bytes, rate), redrawn at most ten times a second; piped, it prints a plain
 * line at every 10 % (every 10 MiB when the total is unknown), so logs stay short. Nothing with
 * --json.
 */
import type { Io } from '../cli/io.js';
import { fillBar, formatBytes } from './units.js';

export interface TransferProgress {
  update(done: number, total: number | null): void;
  /** Ends the bar; `final` (if any) is printed as the last line. */
  stop(final?: string): void;
}

export function transferLine(label: string, done: number, total: number | null, rate: number | null, width: number): string {
  const amount = total !== null ? `${formatBytes(done)} / ${formatBytes(total)}` : formatBytes(done);
  const speed = rate !== null && rate > 0 ? `  ${formatBytes(Math.round(rate))}/s` : '';
  if (total === null || total <= 0) return `${label}  ${amount}${speed}`;
  const frac = Math.min(1, done / total);
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  const fixed = `${label}  ${pct}  ${amount}${speed}`;
  const barWidth = Math.max(0, Math.min(30, width - fixed.length - 4));
  if (barWidth < 5) return fixed;
  return `${label} ${fillBar(frac, barWidth)} ${pct}  ${amount}${speed}`;
}

export function startTransferProgress(io: Io, label: string, now: () => number = Date.now): TransferProgress {
  const live = io.stderrIsTTY && !io.json;
  const started = now();
  let lastDraw = 0;
  let lastStep = -1;
  let last: { done: number; total: number | null } = { done: 0, total: null };
  // io.status cuts the line to this width too; a narrower line first drops its bar.
  const width = () => (io.stderr.columns ?? 80) - 1;
  const rate = (done: number) => {
    const secs = (now() - started) / 1000;
    return secs > 0.5 ? done / secs : null;
  };
  const draw = () => {
    io.status(transferLine(label, last.done, last.total, rate(last.done), width()));
  };
  return {
    update(done, total) {
      last = { done, total };
      if (io.json) return;
      if (live) {
        const t = now();
        if (t - lastDraw >= 100 || (total !== null && done >= total)) {
          lastDraw = t;
          draw();
        }
        return;
      }
      const step = total !== null && total > 0 ? Math.floor((done / total) * 10) : Math.floor(done / (10 * 1024 * 1024));
      if (step > lastStep) {
        lastStep = step;
        io.err(`… ${transferLine(label, done, total, null, 0)}\n`);
      }
    },
    stop(final) {
      if (io.json) return;
      if (live) io.status(null);
      if (final) io.err(`${final}\n`);
    },
  };
}
