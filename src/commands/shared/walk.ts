/**
 * What the commands that walk storage share: progress (a bar over the databases walked, with nodes
 * read and leaves seen, shown once a walk has taken more than 500 ms, on stderr), and how they
 * report the parts of the trees that could not be read.
 */
import type { Io } from '../../cli/io.js';
import { DtxError, ExitCode } from '../../core/errors.js';
import type { MarkProgress } from '../../core/storage/walk/mark-all.js';
import type { WalkProblem } from '../../core/storage/walk/walk.js';
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

/**
 * Parts of the trees that could not be read: each is named on stderr (the first 20), then the
 * command fails with exit 1. With --json the document on stdout stays the data (it lists them under
 * `unreadable`) and the exit code is returned; otherwise a STORAGE_UNREADABLE error says what the
 * figures shown leave out (`consequence`). Returns 0 when there are none.
 */
export function failOnUnreadable(io: Io, problems: readonly WalkProblem[], o: { scope: string; consequence: string; hint: string }): number {
  if (problems.length === 0) return 0;
  for (const u of problems.slice(0, 20)) io.err(`${io.chalk.red('unreadable:')} ${u.dbId}: ${u.id}: ${u.problem}\n`);
  if (io.json) return ExitCode.failed;
  const n = problems.length;
  throw new DtxError({
    code: 'STORAGE_UNREADABLE',
    message: `${n} part${n === 1 ? '' : 's'} of ${o.scope} could not be read (listed above); ${o.consequence}`,
    hint: o.hint,
    exitCode: ExitCode.failed,
  });
}
