/**
 * What the README and `--help` promise about the commands: every command's help has an Examples
 * section, the README's synopsis names each command with the arguments it really takes, and the
 * README's config table states the defaults the code uses.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { main } from '../../src/cli/main.js';
import { CONFIG_KEYS, DEFAULTS } from '../../src/core/config.js';
import { ROOT } from '../helpers/cli.js';
import { captureIo } from '../helpers/io.js';


function program(): Command {
  return buildProgram(captureIo({ cwd: ROOT }).io, { signal: new AbortController().signal, setExitCode: () => {} });
}

/** Every command below the root, as its path of names (`['db', 'create']`). */
function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const sub of cmd.commands.filter((c) => !isHidden(c))) {
    const p = [...prefix, sub.name()];
    out.push(p, ...commandPaths(sub, p));
  }
  return out;
}

/** Internal commands (e.g. `__complete`, called by the completion scripts) are not documented. */
function isHidden(cmd: Command): boolean {
  return Boolean((cmd as unknown as { _hidden?: boolean })._hidden);
}

function leafCommands(cmd: Command, prefix: string[] = []): { path: string[]; cmd: Command }[] {
  return cmd.commands.filter((c) => !isHidden(c)).flatMap((sub) => (sub.commands.length ? leafCommands(sub, [...prefix, sub.name()]) : [{ path: [...prefix, sub.name()], cmd: sub }]));
}

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('--help', () => {
  for (const p of commandPaths(program())) {
    it(`dtx ${p.join(' ')} --help has an Examples section with runnable dtx lines`, async () => {
      const c = captureIo({ cwd: ROOT });
      const code = await main(['node', 'dtx', ...p, '--help'], c.io);
      expect(code).toBe(0);
      const help = c.out();
      expect(help).toMatch(/\nExamples:\n/);
      const examples = help.slice(help.indexOf('\nExamples:\n')).split('\n').slice(2).filter((l) => l.startsWith('  dtx '));
      expect(examples.length).toBeGreaterThan(0);
      // each example starts with this command's own path
      for (const e of examples) expect(e.startsWith(`  dtx ${p.join(' ')}`), e).toBe(true);
    });
  }
});

describe('README', () => {
  it('the synopsis names every command with the arguments it takes', () => {
    const block = /```\n(dtx [\s\S]*?)```/.exec(README)?.[1] ?? '';
    const lines = block.split('\n').filter(Boolean).map((l) => l.replace(/#.*$/, '').trim());
    for (const { path: p, cmd } of leafCommands(program())) {
      const group = p.slice(0, -1).join(' ');
      const name = p[p.length - 1] as string;
      const args = cmd.registeredArguments.map((a) => a.name().toUpperCase()).join(' ');
      const hit = lines.find((l) => {
        const words = l.split(/\s+/);
        const prefix = ['dtx', ...(group ? group.split(' ') : [])];
        if (prefix.some((w, i) => words[i] !== w)) return false;
        const alts = (words[prefix.length] ?? '').split('|');
        return alts.includes(name) && words.slice(prefix.length + 1).join(' ') === args;
      });
      expect(hit, `README synopsis line for dtx ${p.join(' ')}${args ? ` ${args}` : ''}`).toBeDefined();
    }
  });

  it("the config table's defaults are the code's", () => {
    const rows = README.split('\n').filter((l) => /^\| `[a-zA-Z]+` \|/.test(l));
    const table = new Map(rows.map((r) => {
      const cells = r.split('|').map((c) => c.trim());
      return [cells[1]?.replace(/`/g, '') ?? '', cells[4] ?? ''];
    }));
    for (const key of Object.keys(CONFIG_KEYS)) expect(table.has(key), `README config table has ${key}`).toBe(true);
    for (const [key, value] of Object.entries(DEFAULTS)) {
      const cell = table.get(key) ?? '';
      expect(cell, `default of ${key}`).toContain(key === 'stateDir' ? `./${value}` : String(value));
    }
  });
});
