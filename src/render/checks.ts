/**
 * The mark of a check's outcome, shared by `dtx doctor` and `dtx transactor service` (each lays out
 * its own lines: doctor aligns its names on stdout, service writes "name: detail" on stderr).
 */
import type { Io } from '../cli/io.js';

export interface CheckOutcome {
  status: 'pass' | 'warn' | 'fail';
  /** The check could not run. */
  skipped?: boolean;
}

/** ✔ passed, ! a warning, ✖ failed, - not run. */
export function checkMark(io: Io, x: CheckOutcome): string {
  const c = io.chalk;
  if (x.skipped) return c.dim('-');
  return x.status === 'pass' ? c.green('✔') : x.status === 'warn' ? c.yellow('!') : c.red('✖');
}
