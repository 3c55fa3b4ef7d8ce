/**
 * What a completion script knows, extracted from the commander program (src/cli/completion-spec.ts)
 * so the scripts never drift from the real commands and flags.
 */

/** How a value is completed: database names or deleted db-ids from the catalog, paths, fixed words, nothing. */
export type ValueKind = { kind: 'db-name' } | { kind: 'db-id' } | { kind: 'file' } | { kind: 'dir' } | { kind: 'choices'; choices: string[] } | { kind: 'none' };

export interface OptionSpec {
  /** every spelling: ["-y", "--yes"] */
  flags: string[];
  description: string;
  /** set when the option takes a value (`--pg-url <url>`) */
  value: ValueKind | null;
}

export interface CommandSpec {
  /** [] for the program itself, ["db", "inspect"] for `dtx db inspect` */
  path: string[];
  description: string;
  subcommands: { name: string; description: string }[];
  /** this command's own options, and the program's (global) ones */
  options: OptionSpec[];
  /** positional arguments in order; the last one may repeat */
  args: { name: string; value: ValueKind; variadic: boolean }[];
}

export interface CompletionSpec {
  /** the command name the script registers (dtx) */
  program: string;
  commands: CommandSpec[];
}

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type Shell = (typeof SHELLS)[number];

/** Every flag that takes a value, with how its value is completed (one meaning per flag across commands). */
export function valueFlags(spec: CompletionSpec): Map<string, ValueKind> {
  const out = new Map<string, ValueKind>();
  for (const c of spec.commands) {
    for (const o of c.options) {
      if (!o.value) continue;
      for (const f of o.flags) {
        const prev = out.get(f);
        if (prev && JSON.stringify(prev) !== JSON.stringify(o.value)) {
          throw new Error(`completion: flag ${f} completes differently in two commands`);
        }
        out.set(f, o.value);
      }
    }
  }
  return out;
}

/** A value kind as one word for the scripts' tables: db-name, db-id, file, dir, none, or "choices:a,b,c". */
export function kindWord(v: ValueKind, sep = ','): string {
  return v.kind === 'choices' ? `choices:${v.choices.join(sep)}` : v.kind;
}
