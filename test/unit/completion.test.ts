/**
 * Completion scripts generated from the commander program (src/cli/completion-spec.ts,
 * src/core/completion): the spec follows the program (no list to keep in sync), each script passes
 * its shell's syntax check (bash -n always; zsh -n and fish -n when installed; PowerShell is only
 * read), and bash completes commands, flags, flag values and choices for real. Database names from
 * the catalog are tested against PostgreSQL in test/e2e/completion.test.ts.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildProgram } from '../../src/cli/program.js';
import { captureIo } from '../helpers/io.js';
import { completionSpec } from '../../src/cli/completion-spec.js';
import { completionScript, SHELLS } from '../../src/core/completion/index.js';
import { valueFlags, type CompletionSpec } from '../../src/core/completion/spec.js';
import { splitShellWords, storageFlags } from '../../src/core/completion/names.js';
import { bashComplete, fishComplete, hasShell, syntaxCheck, zshComplete } from '../helpers/shell-completion.js';

function spec(): CompletionSpec {
  return completionSpec(buildProgram(captureIo({ cwd: process.cwd() }).io, { signal: new AbortController().signal, setExitCode: () => {} }));
}

const cmd = (s: CompletionSpec, p: string) => s.commands.find((c) => c.path.join(' ') === p)!;

describe('the spec is read off the program', () => {
  it('every visible command and subcommand, none hidden (__complete), no hidden flag', () => {
    const s = spec();
    const program = buildProgram(captureIo({ cwd: process.cwd() }).io, { signal: new AbortController().signal, setExitCode: () => {} });
    const visible = program.commands.filter((c) => !(c as unknown as { _hidden: boolean })._hidden).map((c) => c.name());
    expect(cmd(s, '').subcommands.map((c) => c.name)).toEqual(visible);
    expect(visible).toEqual(expect.arrayContaining(['doctor', 'completion', 'db']));
    expect(s.commands.some((c) => c.path.includes('__complete'))).toBe(false);
    expect(cmd(s, 'db').subcommands.map((c) => c.name)).toContain('check');
    const allFlags = s.commands.flatMap((c) => c.options.flatMap((o) => o.flags));
    expect(allFlags).not.toContain('--heartbeat-interval-msec');
    expect(allFlags).not.toContain('--shell-line');
    // globals on every command; --version only at the top
    expect(cmd(s, 'db check').options.flatMap((o) => o.flags)).toEqual(expect.arrayContaining(['--write', '--timeout', '--pg-url', '--json', '--state-dir', '-h', '--help']));
    expect(cmd(s, 'db check').options.flatMap((o) => o.flags)).not.toContain('--version');
    expect(cmd(s, '').options.flatMap((o) => o.flags)).toContain('--version');
  });

  it('value kinds follow the names: existing database names, deleted db-ids, shells, files, folders', () => {
    const s = spec();
    const kinds = (p: string) => cmd(s, p).args.map((a) => a.value.kind);
    expect(kinds('db inspect')).toEqual(['db-name']);
    expect(kinds('db check')).toEqual(['db-name']);
    expect(kinds('db delete')).toEqual(['db-name']);
    expect(kinds('db create')).toEqual(['none']);
    expect(kinds('db purge')).toEqual(['db-id']);
    expect(kinds('db undelete')).toEqual(['db-id', 'none']);
    expect(cmd(s, 'completion').args[0]!.value).toEqual({ kind: 'choices', choices: ['bash', 'zsh', 'fish', 'powershell'] });
    const v = valueFlags(s);
    expect(v.get('--pg-url')).toEqual({ kind: 'none' });
    expect(v.get('--config')).toEqual({ kind: 'file' });
    expect(v.get('--properties')).toEqual({ kind: 'file' });
    expect(v.get('--state-dir')).toEqual({ kind: 'dir' });
    expect(v.get('--datomic-home')).toEqual({ kind: 'dir' });
    expect(v.get('-n')).toEqual({ kind: 'none' });
    expect(v.has('--json')).toBe(false);
  });
});

describe('dtx __complete helpers', () => {
  it('splits a shell line like a POSIX shell (quotes, backslashes, an open quote at the end)', () => {
    expect(splitShellWords(`dtx db inspect --pg-url 'postgresql://a:b c@h/d' "x y" z\\ w 'op`)).toEqual(['dtx', 'db', 'inspect', '--pg-url', 'postgresql://a:b c@h/d', 'x y', 'z w', 'op']);
    expect(splitShellWords('dtx  db ')).toEqual(['dtx', 'db']);
    expect(splitShellWords(`a "q\\"uote" 'it''s'`)).toEqual(['a', 'q"uote', 'its']);
  });

  it('takes --pg-url and --config from the words (both spellings), and stops at --', () => {
    expect(storageFlags(['dtx', 'db', 'inspect', '--pg-url', 'postgresql://x', '--config=c.json'])).toEqual({ pgUrl: 'postgresql://x', config: 'c.json' });
    expect(storageFlags(['dtx', '--pg-url=postgresql://y', '--', '--pg-url', 'z'])).toEqual({ pgUrl: 'postgresql://y' });
    expect(storageFlags(['dtx', 'db', '--pg-url'])).toEqual({});
  });
});

describe('the scripts', () => {
  const s = spec();

  it('bash: passes bash -n', async () => {
    expect(await syntaxCheck('bash', completionScript('bash', s))).toEqual({ code: 0, stderr: '' });
  });

  it.skipIf(!hasShell('zsh'))('zsh: passes zsh -n', async () => {
    expect(await syntaxCheck('zsh', completionScript('zsh', s))).toEqual({ code: 0, stderr: '' });
  });

  it.skipIf(!hasShell('fish'))('fish: passes fish -n', async () => {
    expect(await syntaxCheck('fish', completionScript('fish', s))).toEqual({ code: 0, stderr: '' });
  });

  it('powershell: a native completer for dtx with every command and flag in its tables; braces balance', () => {
    const ps = completionScript('powershell', s);
    expect(ps).toMatch(/^Register-ArgumentCompleter -Native -CommandName 'dtx', 'dtx\.cmd', 'dtx\.ps1' -ScriptBlock \{$/m);
    for (const c of s.commands) if (c.subcommands.length) expect(ps).toContain(`'${c.path.join(' ')}' { return @('${c.subcommands[0]!.name}\t`);
    expect(ps).toContain(`'--datomic-home' { return 'dir' }`);
    expect(ps).toContain(`'db inspect' { return @('db-name') }`);
    expect(ps).toContain(`& $Typed[0] __complete --shell-line $Kind '--' $line 2>$null`);
    const code = ps.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"`]|`.)*"/g, '""').replace(/#.*$/gm, '');
    expect((code.match(/\{/g) ?? []).length).toBe((code.match(/\}/g) ?? []).length);
    expect((code.match(/\(/g) ?? []).length).toBe((code.match(/\)/g) ?? []).length);
  });

  it('a description with quotes, $ and backslashes is quoted safely for every shell', () => {
    const odd: CompletionSpec = {
      program: 'dtx',
      commands: [
        { path: [], description: '', subcommands: [{ name: 'x', description: `it's "q" $HOME \\ \`cmd\` ’` }], options: [{ flags: ['--json'], description: `it's $(x)`, value: null }], args: [] },
        { path: ['x'], description: '', subcommands: [], options: [], args: [] },
      ],
    };
    const ps = completionScript('powershell', odd);
    expect(ps).toContain(`'x\tit''s "q" $HOME \\ \`cmd\` ’’'`);
    return Promise.all(
      (['bash', 'zsh', 'fish'] as const).filter(hasShell).map(async (sh) => expect(await syntaxCheck(sh, completionScript(sh, odd)), sh).toEqual({ code: 0, stderr: '' })),
    );
  });

  it('generation is the same for the same program (stable output)', () => {
    for (const sh of SHELLS) expect(completionScript(sh, spec())).toBe(completionScript(sh, s));
  });
});

describe('bash completes for real (sourced, completion function called)', () => {
  const script = completionScript('bash', spec());
  const dir = mkdtempSync(path.join(tmpdir(), 'dtx-comp-files-'));
  mkdirSync(path.join(dir, 'state dir'));
  writeFileSync(path.join(dir, 'dtx.config.json'), '{}');
  writeFileSync(path.join(dir, 'dtx.other.json'), '{}');

  it('commands, subcommands, flags, choices, files and folders; a flag\'s value is not taken for a command', async () => {
    const s = spec();
    const r = await bashComplete(script, [
      ['dtx', ''],
      ['dtx', 'd'],
      ['dtx', 'db', ''],
      ['dtx', 'db', 'ch'],
      ['dtx', 'db', 'check', '--w'],
      ['dtx', '--json', 'db', 'check', '--'],
      ['dtx', 'completion', ''],
      ['dtx', 'completion', 'z'],
      ['dtx', '--config', `${dir}/dtx.c`],
      ['dtx', 'db', 'list', '--config', '=', `${dir}/dtx.o`],
      ['dtx', '--state-dir', `${dir}/sta`],
      ['dtx', '--state-dir', 'db', ''],
      ['dtx', 'db', 'create', ''],
      ['dtx', 'db', 'check', 'x', 'y', ''],
      ['dtx', 'transactor', 'logs', '-n', ''],
      ['dtx', '--', 'db'],
    ]);
    expect(r[0]).toEqual(cmd(s, '').subcommands.map((c) => c.name));
    expect(r[1]).toEqual(['db', 'datomic', 'down', 'doctor']);
    expect(r[2]).toEqual(cmd(s, 'db').subcommands.map((c) => c.name));
    expect(r[3]).toEqual(['check']);
    expect(r[4]).toEqual(['--write']);
    expect(r[5]).toEqual(cmd(s, 'db check').options.flatMap((o) => o.flags).filter((f) => f.startsWith('--')));
    expect(r[6]).toEqual(['bash', 'zsh', 'fish', 'powershell']);
    expect(r[7]).toEqual(['zsh']);
    expect(r[8]).toEqual([`${dir}/dtx.config.json`]);
    expect(r[9]).toEqual([`${dir}/dtx.other.json`]);
    expect(r[10]).toEqual([`${dir}/state dir`]);
    // "db" here is the value of --state-dir, not the db command: the top-level commands are offered
    expect(r[11]).toEqual(cmd(s, '').subcommands.map((c) => c.name));
    expect(r[12]).toEqual([]); // a new name: nothing to offer
    expect(r[13]).toEqual([]); // no third argument
    expect(r[14]).toEqual([]); // -n takes a number
    expect(r[15]).toEqual([]); // after --, nothing is a command
  });
});

describe.skipIf(!hasShell('zsh'))('zsh completes for real (through a pty)', () => {
  it('commands with their descriptions, subcommands, flags, choices', async () => {
    const script = completionScript('zsh', spec());
    expect(await zshComplete(script, 'dtx db ch')).toEqual(['check']);
    expect(await zshComplete(script, 'dtx completion ')).toEqual(['bash', 'zsh', 'fish', 'powershell']);
    expect(await zshComplete(script, 'dtx db check --wr')).toEqual(['--write']);
    expect(await zshComplete(script, 'dtx --state-dir db ')).toEqual(expect.arrayContaining(['doctor', 'db', 'completion']));
  });
});

describe.skipIf(!hasShell('fish'))('fish completes for real (complete -C)', () => {
  it('commands, subcommands, flags, choices, --flag=value', async () => {
    const script = completionScript('fish', spec());
    expect(await fishComplete(script, 'dtx db ch')).toEqual(['check']);
    expect(await fishComplete(script, 'dtx completion ')).toEqual(['bash', 'fish', 'powershell', 'zsh']);
    expect(await fishComplete(script, 'dtx db check --wr')).toEqual(['--write']);
    expect(await fishComplete(script, 'dtx completion --state-dir=/')).toEqual(expect.arrayContaining(['--state-dir=/tmp/']));
  });
});
