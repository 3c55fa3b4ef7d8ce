import type { Ctx } from '../cli/context.js';
import { createIo } from '../cli/io.js';
import { completionSpec } from '../cli/completion-spec.js';
import { usageError } from '../core/errors.js';
import { completionScript, SHELLS, type Shell } from '../core/completion/index.js';
import { printJson } from '../render/output.js';

/** Prints the completion script for a shell, generated from the program's own commands and flags. */
export async function run(ctx: Ctx, shell: string): Promise<number> {
  const { io } = ctx;
  const name = shell.toLowerCase() === 'pwsh' ? 'powershell' : shell.toLowerCase();
  if (!(SHELLS as readonly string[]).includes(name)) {
    throw usageError('SHELL_UNKNOWN', `no completion for shell "${shell}"`, `Choose one of: ${SHELLS.join(', ')} (e.g. \`dtx completion bash\`).`);
  }
  // A program built only to be read (program.ts imports command modules lazily, so this is cheap).
  const { buildProgram } = await import('../cli/program.js');
  const quiet = createIo({ stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: io.cwd });
  const program = buildProgram(quiet, { signal: new AbortController().signal, setExitCode: () => {} });
  const script = completionScript(name as Shell, completionSpec(program));
  if (io.json) printJson(io, { ok: true, shell: name, script });
  else io.stdout.write(script);
  return 0;
}
