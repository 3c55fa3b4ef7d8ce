/** Confirmation for destructive actions: a prompt on a TTY, otherwise --yes is required (exit 2). */
import type { Io } from '../cli/io.js';
import { DtxError, ExitCode } from '../core/errors.js';

/** `question` is asked on a TTY; `action` names what needs confirming in the error without one. */
export async function confirmDestructive(io: Io, opts: { yes?: boolean; question: string; action: string; flagHint?: string }): Promise<void> {
  if (opts.yes) return;
  if (!io.canPrompt()) {
    throw new DtxError({
      code: 'CONFIRMATION_REQUIRED',
      message: `${opts.action} needs confirmation, and there is no terminal to ask on`,
      hint: `Re-run with ${opts.flagHint ?? '--yes'} to confirm.`,
      exitCode: ExitCode.usage,
    });
  }
  const { confirm } = await import('@inquirer/prompts');
  let ok: boolean;
  try {
    ok = await confirm({ message: opts.question, default: false });
  } catch {
    ok = false; // Ctrl-C inside the prompt
  }
  if (!ok) {
    throw new DtxError({ code: 'CANCELLED', message: 'cancelled', exitCode: ExitCode.cancelled });
  }
}
