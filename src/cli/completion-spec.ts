/**
 * The completion spec read from the commander program itself: commands, flags (hidden ones left
 * out), positional arguments. How values complete follows from names, so new commands are covered
 * without a list to update:
 * - an argument <name>, <old> or <db> of a `db` subcommand completes existing database names,
 *   except where it names a new database (`db create`, `db undelete`'s second argument);
 * - <db-id> completes the deleted db-ids in the catalog; <dir>/<directory> folders; <file> files;
 * - --config, --properties, --out complete files; --state-dir, --datomic-home, --java-home folders;
 * - arguments and options with commander choices complete those words, <shell> the shells.
 */
import type { Argument, Command, Option } from 'commander';
import { SHELLS, type CompletionSpec, type CommandSpec, type OptionSpec, type ValueKind } from '../core/completion/spec.js';

const FILE_OPTIONS = new Set(['--config', '--properties', '--out']);
const DIR_OPTIONS = new Set(['--state-dir', '--datomic-home', '--java-home']);
const DB_NAME_ARGS = new Set(['name', 'old', 'db']);
/** db subcommands whose <name> is a database that does not exist yet */
const NEW_NAME_COMMANDS = new Set(['create', 'undelete']);

function optionSpec(o: Option): OptionSpec {
  const flags = [o.short, o.long].filter((f): f is string => Boolean(f));
  let value: ValueKind | null = null;
  if (o.required || o.optional) {
    const long = o.long ?? '';
    if (o.argChoices?.length) value = { kind: 'choices', choices: [...o.argChoices] };
    else if (FILE_OPTIONS.has(long)) value = { kind: 'file' };
    else if (DIR_OPTIONS.has(long)) value = { kind: 'dir' };
    else value = { kind: 'none' };
  }
  return { flags, description: o.description ?? '', value };
}

function argValue(path: string[], a: Argument): ValueKind {
  const name = a.name();
  if (a.argChoices?.length) return { kind: 'choices', choices: [...a.argChoices] };
  if (path[0] === 'db' && DB_NAME_ARGS.has(name) && !NEW_NAME_COMMANDS.has(path[1] ?? '')) return { kind: 'db-name' };
  if (name === 'db-id') return { kind: 'db-id' };
  if (name === 'shell') return { kind: 'choices', choices: [...SHELLS] };
  if (name === 'dir' || name === 'directory') return { kind: 'dir' };
  if (name === 'file') return { kind: 'file' };
  return { kind: 'none' };
}

export function completionSpec(program: Command): CompletionSpec {
  const help = program.createHelp();
  const globals = help.visibleOptions(program).map(optionSpec);
  // --version only works before a subcommand
  const subGlobals = globals.filter((g) => !g.flags.includes('--version'));
  const commands: CommandSpec[] = [];
  const visit = (cmd: Command, path: string[]) => {
    const subs = help.visibleCommands(cmd).filter((s) => s.name() !== 'help');
    const own = path.length === 0 ? [] : help.visibleOptions(cmd).map(optionSpec);
    const seen = new Set(own.flatMap((o) => o.flags));
    commands.push({
      path,
      description: cmd.description(),
      subcommands: subs.map((s) => ({ name: s.name(), description: s.description() })),
      options: [...own, ...(path.length === 0 ? globals : subGlobals).filter((g) => !g.flags.some((f) => seen.has(f)))],
      args: cmd.registeredArguments.map((a) => ({ name: a.name(), value: argValue(path, a), variadic: a.variadic })),
    });
    for (const s of subs) visit(s, [...path, s.name()]);
  };
  visit(program, []);
  return { program: program.name(), commands };
}
