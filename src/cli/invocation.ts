/**
 * How the user ran dtx, so hints and "next" lines show a command they can type again:
 * `npx dtx ...` when dtx came through npx / `npm exec` or from a project's node_modules (an npm
 * script, ./node_modules/.bin/dtx), else `dtx ...` (on PATH: `npm install -g`, `npm link`, or
 * `node bin/dtx.js` from a clone).
 *
 * Signals, in order:
 * 1. npx and `npm exec` set npm_lifecycle_event=npx and npm_lifecycle_script to the command they run
 *    (`'dtx'`, shell-quoted). Both are inherited by every descendant (`npx vitest` spawning dtx), so
 *    the script must name dtx.
 * 2. The script path (argv[1]) lies in a `node_modules/.bin` folder: the POSIX shims npm links there.
 * 3. npm runs it (npm_config_local_prefix is set, e.g. an npm script) and the script lies under that
 *    project's node_modules: Windows' .cmd shims in node_modules/.bin call node with the package's
 *    own path, so (2) cannot see them.
 * A global install runs from the global prefix (argv[1] `<prefix>/bin/dtx` or, on Windows,
 * `%APPDATA%\npm\node_modules\dtx\bin\dtx.js`), which matches none of these.
 *
 * Core never reads the environment, so its messages always say `dtx ...` in backticks; the CLI
 * rewrites those mentions (forInvocation) in everything it prints on stderr and in JSON errors.
 */
import path from 'node:path';

export type Invocation = 'dtx' | 'npx dtx';

export interface InvocationInput {
  env: Readonly<Record<string, string | undefined>>;
  /** process.argv[1]: the script node runs. */
  script: string | undefined;
  platform: NodeJS.Platform;
}

export function detectInvocation(input: InvocationInput): Invocation {
  const { env } = input;
  if (env.npm_lifecycle_event === 'npx') {
    const first = (env.npm_lifecycle_script ?? '').trim().split(/\s+/)[0]?.replace(/^['"]|['"]$/g, '') ?? '';
    if (first === 'dtx' || /^dtx@/.test(first)) return 'npx dtx';
  }
  const p = input.platform === 'win32' ? path.win32 : path.posix;
  const script = input.script ? p.normalize(input.script) : '';
  if (!script) return 'dtx';
  const parts = script.split(/[\\/]+/).map((s) => (input.platform === 'win32' ? s.toLowerCase() : s));
  for (let i = 0; i + 1 < parts.length; i++) if (parts[i] === 'node_modules' && parts[i + 1] === '.bin') return 'npx dtx';
  const local = env.npm_config_local_prefix;
  if (local) {
    const rel = p.relative(p.join(p.resolve(local), 'node_modules'), p.resolve(script));
    if (rel && !rel.startsWith('..') && !p.isAbsolute(rel)) return 'npx dtx';
  }
  return 'dtx';
}

/**
 * Rewrites command mentions for the invocation: "`dtx " (a command in backticks, as hints write
 * them) becomes "`npx dtx ". Nothing else changes; with 'dtx' the text is returned as is.
 */
export function forInvocation(text: string, cmd: Invocation | string): string {
  if (cmd === 'dtx' || !text.includes('`dtx')) return text;
  return text.replace(/`dtx(?=[ `])/g, `\`${cmd}`);
}

/** The same for help text: the usage line and example lines that start with "  dtx ". */
export function helpForInvocation(text: string, cmd: Invocation | string): string {
  if (cmd === 'dtx') return text;
  return forInvocation(text, cmd).replace(/^(\s+|Usage: )dtx\b/gm, `$1${cmd}`);
}
