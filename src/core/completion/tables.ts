/**
 * The tables every completion script embeds, computed once from the spec: subcommands and options
 * per command path (the path joined by spaces; "" is the program), the kind of each positional
 * argument, and the kind of value each flag takes. Each script walks the words typed so far with
 * the same rules:
 * - `--` ends the options: every later word is a positional argument;
 * - a flag that takes a value consumes the next word (or carries it after `=`);
 * - a word that names a subcommand of the current path extends the path (before any positional);
 * - anything else is the next positional argument.
 * Then the word under the cursor completes as the value of the flag before it, a flag (when it
 * starts with -), a subcommand, or the positional argument's kind (database names and db-ids are
 * asked from `dtx __complete`, which reads the catalog and prints nothing on any error).
 */
import { kindWord, valueFlags, type CompletionSpec, type ValueKind } from './spec.js';

export interface Tables {
  program: string;
  /** path -> [name, description] */
  subs: Map<string, [string, string][]>;
  /** path -> [flag, description] (every spelling listed) */
  opts: Map<string, [string, string][]>;
  /** path -> kinds of its positional arguments; the last one ends in "..." when it repeats */
  args: Map<string, string[]>;
  /** flag -> kind of its value (only flags that take one) */
  values: Map<string, ValueKind>;
}

export function buildTables(spec: CompletionSpec): Tables {
  const subs = new Map<string, [string, string][]>();
  const opts = new Map<string, [string, string][]>();
  const args = new Map<string, string[]>();
  for (const c of spec.commands) {
    const key = c.path.join(' ');
    if (c.subcommands.length) subs.set(key, c.subcommands.map((s) => [s.name, oneLine(s.description)]));
    opts.set(key, c.options.flatMap((o) => o.flags.map((f): [string, string] => [f, oneLine(o.description)])));
    const kinds = c.args.map((a) => `${kindWord(a.value)}${a.variadic ? '...' : ''}`);
    if (kinds.some((k) => k !== 'none')) args.set(key, kinds);
  }
  return { program: spec.program, subs, opts, args, values: valueFlags(spec) };
}

/** Descriptions on one line, without control characters. */
function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
