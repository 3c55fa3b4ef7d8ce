/**
 * Driving the generated completion scripts in real shells: bash (sourced, then the completion
 * function called with COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT set, many lines per bash run),
 * zsh (through a pty, test/helpers/zsh-capture.zsh) and fish (`complete -C`).
 */
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dtxEnv } from './cli.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export function hasShell(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: dtxEnv(env), timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as NodeJS.ErrnoException & { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Syntax check: bash -n, zsh -n, fish -n. */
export async function syntaxCheck(shell: 'bash' | 'zsh' | 'fish', script: string): Promise<{ code: number; stderr: string }> {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'dtx-comp-')), `completion.${shell}`);
  writeFileSync(f, script);
  const r = await run(shell, ['-n', f]);
  return { code: r.code, stderr: r.stderr };
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * For each list of words (the last one is the word under the cursor), what bash puts in COMPREPLY.
 * `words[0]` is the command (what the script runs for database names).
 */
export async function bashComplete(script: string, cases: string[][], env: NodeJS.ProcessEnv = {}): Promise<string[][]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dtx-comp-'));
  const f = path.join(dir, 'completion.bash');
  writeFileSync(f, script);
  const fn = /^complete -F (\S+) /m.exec(script)?.[1] ?? '_dtx';
  const body = cases
    .map((words) => {
      const line = words.join(' ');
      return `COMP_WORDS=(${words.map(q).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE=${q(line)}; COMP_POINT=${line.length}; COMPREPLY=(); ${fn}; printf '%s\\0' "\${COMPREPLY[@]}"; printf '\\1\\n'`;
    })
    .join('\n');
  const r = await run('bash', ['--norc', '--noprofile', '-c', `source ${q(f)}\n${body}`], env);
  if (r.code !== 0) throw new Error(`bash failed (${r.code}): ${r.stderr}`);
  return r.stdout
    .split('\x01\n')
    .slice(0, cases.length)
    .map((chunk) => chunk.split('\0').filter((x) => x.length > 0));
}

/** What zsh completes for `line` (matches in order). */
export async function zshComplete(script: string, line: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'dtx-comp-')), 'completion.zsh');
  writeFileSync(f, script);
  const r = await run('zsh', [path.join(HERE, 'zsh-capture.zsh'), f, line], env);
  return r.stdout.split(/\r?\n/).map((l) => l.replace(/\r/g, '').trimEnd()).filter(Boolean);
}

/** What fish completes for `line` (the candidates, descriptions dropped). */
export async function fishComplete(script: string, line: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'dtx-comp-')), 'dtx.fish');
  writeFileSync(f, script);
  const r = await run('fish', ['--no-config', '-c', `source ${q(f)}; complete -C ${q(line)}`], env);
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0] as string);
}
