/** Completion scripts for each shell, from the spec read off the commander program. */
import { bashScript } from './bash.js';
import { fishScript } from './fish.js';
import { powershellScript } from './powershell.js';
import type { CompletionSpec, Shell } from './spec.js';
import { buildTables } from './tables.js';
import { zshScript } from './zsh.js';

export { SHELLS, type Shell, type CompletionSpec } from './spec.js';

export function completionScript(shell: Shell, spec: CompletionSpec): string {
  const t = buildTables(spec);
  switch (shell) {
    case 'bash':
      return bashScript(t);
    case 'zsh':
      return zshScript(t);
    case 'fish':
      return fishScript(t);
    case 'powershell':
      return powershellScript(t);
  }
}
