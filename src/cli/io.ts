/**
 * The io object (after gh's iostreams): the one place that decides color, TTY, JSON mode and
 * whether prompting is allowed. Commands write through it; nothing else touches process.stdout.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { maskSecrets } from '../core/mask.js';
import { forInvocation } from './invocation.js';

export interface Writable {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface Io {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly platform: NodeJS.Platform;
  /**
   * How the user runs dtx: 'dtx' or 'npx dtx' (src/cli/invocation.ts). Commands print it in "next"
   * lines; stderr text (notes, hints, errors) has its "`dtx " mentions rewritten to it.
   */
  readonly cmd: string;
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  json: boolean;
  color: boolean;
  verbose: boolean;
  showSecrets: boolean;
  chalk: ChalkInstance;
  /** Prompts only when stdin and stdout are terminals and not in --json mode. */
  canPrompt(): boolean;
  /** Data to stdout (masked unless --show-secrets). */
  out(text: string): void;
  /** Notes/progress/errors to stderr (always masked). */
  err(text: string): void;
  note(text: string): void;
  warn(text: string): void;
  debug(text: string): void;
}

export interface IoInit {
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  cwd: string;
  platform?: NodeJS.Platform;
  stdinIsTTY?: boolean;
  /** 'dtx' (default) or 'npx dtx'. */
  cmd?: string;
}

export function createIo(init: IoInit): Io {
  const stdoutIsTTY = Boolean(init.stdout.isTTY);
  const stderrIsTTY = Boolean(init.stderr.isTTY);
  const noColorEnv = init.env.NO_COLOR !== undefined && init.env.NO_COLOR !== '';
  const io: Io = {
    stdout: init.stdout,
    stderr: init.stderr,
    env: init.env,
    cwd: init.cwd,
    platform: init.platform ?? process.platform,
    cmd: init.cmd ?? 'dtx',
    stdinIsTTY: Boolean(init.stdinIsTTY),
    stdoutIsTTY,
    stderrIsTTY,
    json: false,
    color: stderrIsTTY && !noColorEnv && init.env.TERM !== 'dumb',
    verbose: Boolean(init.env.DEBUG),
    showSecrets: false,
    chalk: new Chalk({ level: 0 }),
    canPrompt() {
      return io.stdinIsTTY && io.stdoutIsTTY && !io.json && init.env.CI !== 'true';
    },
    out(text) {
      // Human text only: a --json document is data and goes out exactly as built.
      const shown = io.json ? text : forInvocation(text, io.cmd);
      io.stdout.write(io.showSecrets ? shown : maskSecrets(shown));
    },
    err(text) {
      io.stderr.write(maskSecrets(forInvocation(text, io.cmd)));
    },
    note(text) {
      io.err(`${io.chalk.dim('note:')} ${text}\n`);
    },
    warn(text) {
      io.err(`${io.chalk.yellow('warning:')} ${text}\n`);
    },
    debug(text) {
      if (io.verbose) io.err(`${io.chalk.dim(`debug: ${text}`)}\n`);
    },
  };
  applyColor(io);
  return io;
}

/** Recompute the chalk instance after flags changed io.color / io.json. */
export function applyColor(io: Io): void {
  if (io.json) io.color = false;
  io.chalk = new Chalk({ level: io.color ? 1 : 0 });
}
