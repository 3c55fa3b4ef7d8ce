/**
 * Progress for storage walks: a bar over the databases walked, with nodes read and leaves seen.
 * Shown only once a walk has taken more than a moment (500 ms), on stderr.
 */
import type { Io } from '../../cli/io.js';
import type { MarkProgress } from '../../core/storage/walk/mark-all.js';
import { startProgress, type Progress } from '../../render/progress.js';
import { formatCount, progressBar } from '../../render/units.js';

export function walkProgress(io: Io, label: string): { onProgress: (p: MarkProgress) => void; stop: () => void } {
  const started = Date.now();
  let progress: Progress | undefined;
  let last = 0;
  return {
    onProgress(p) {
      const now = Date.now();
      if (now - started < 500 || now - last < 100) return;
      last = now;
      const text = `${label} ${progressBar(p.done, p.total)} ${p.what}: ${formatCount(p.stats.nodes)} nodes read, ${formatCount(p.stats.leaves)} leaves`;
      if (!progress) progress = startProgress(io, text);
      else progress.update(text);
    },
    stop() {
      progress?.stop();
    },
  };
}
