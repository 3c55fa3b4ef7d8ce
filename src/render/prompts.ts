/**
 * Questions on the terminal: yes/no, and the confirmation of destructive actions (a prompt on a TTY,
 * otherwise --yes is required, exit 2).
 */
import type { Io } from '../cli/io.js';
import { DtxError, ExitCode } from '../core/errors.js';

/**
 * The error code of a declined prompt (an answer of "no", Ctrl-C or Ctrl-D at the prompt). It is a
 * choice, not a failure: the CLI prints its message as a plain line, without `error:`, and exits 130.
 */
export const DECLINED = 'DECLINED';

export interface ConfirmOptions {
  yes?: boolean;
  /** Asked on a TTY. */
  question: string;
  /** Names what needs confirming in the error without a terminal. */
  action: string;
  flagHint?: string;
  /** Said when the user declines (default "nothing changed"), e.g. "nothing deleted". */
  declined?: string;
  /** Ctrl-C while asking (the command's abort signal). */
  signal?: AbortSignal;
}

export async function confirmDestructive(io: Io, opts: ConfirmOptions): Promise<void> {
  if (opts.yes) return;
  if (!io.canPrompt()) {
    throw new DtxError({
      code: 'CONFIRMATION_REQUIRED',
      message: `${opts.action} needs confirmation, and there is no terminal to ask on`,
      hint: `Re-run with ${opts.flagHint ?? '--yes'} to confirm.`,
      exitCode: ExitCode.usage,
    });
  }
  const ok = await askYesNo({ question: opts.question, default: false, signal: opts.signal });
  if (ok !== true) {
    throw new DtxError({ code: DECLINED, message: opts.declined ?? 'nothing changed', exitCode: ExitCode.cancelled });
  }
}

export interface YesNoOptions {
  question: string;
  /** The answer of a plain Enter. */
  default: boolean;
  /** Closes the prompt when it fires (the command's abort signal). */
  signal?: AbortSignal | undefined;
}

/**
 * A yes/no question on the terminal (callers check io.canPrompt() first): the answer, or null when
 * the prompt was closed without one (Ctrl-C or Ctrl-D at the prompt, or the signal).
 */
export async function askYesNo(opts: YesNoOptions): Promise<boolean | null> {
  const { confirm } = await import('@inquirer/prompts');
  // Ctrl-D closes inquirer's readline without settling its promise (the command would hang on
  // its open connections), so it cancels the prompt through an abort signal instead.
  const eof = new AbortController();
  const onKey = (_s: unknown, key?: { ctrl?: boolean; name?: string }) => {
    if (key?.ctrl && key.name === 'd') eof.abort();
  };
  const signal = opts.signal ? AbortSignal.any([opts.signal, eof.signal]) : eof.signal;
  process.stdin.on('keypress', onKey);
  try {
    return await confirm({ message: opts.question, default: opts.default }, { signal });
  } catch {
    return null; // Ctrl-C or Ctrl-D inside the prompt
  } finally {
    process.stdin.off('keypress', onKey);
  }
}
