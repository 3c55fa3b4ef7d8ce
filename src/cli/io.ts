/**
 * The io object (after gh's iostreams): the one place that decides color, TTY, JSON mode and
 * whether prompting is allowed. Commands write through it; nothing else touches process.stdout.
 *
 * It also owns the terminal's one live status line (a spinner, on stderr): any other output first
 * clears that line and redraws it afterwards, so nothing gets glued to it. And it knows when a
 * reader went away (`dtx db list | head -1`): writes to a closed stream are dropped.
 */
import { createColors, type Colors } from '../render/colors.js';
import { maskSecrets } from '../core/mask.js';
import { forInvocation } from './invocation.js';
import { truncate } from '../render/table.js';

export interface Writable {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** Terminal width, when it is a terminal. */
  columns?: number;
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
  /** Styles for text (named after chalk, which it replaced); plain when colors are off. */
  chalk: Colors;
  /** Prompts only when stdin and stdout are terminals and not in --json mode. */
  canPrompt(): boolean;
  /** Width of the terminal stdout writes to (COLUMNS, else 80, when it does not say). */
  columns(): number;
  /**
   * Shows `line` as the live status line at the bottom of the terminal (stderr), replacing the
   * previous one; null removes it. Does nothing unless stderr is a terminal.
   */
  status(line: string | null): void;
  /** Marks stdout or stderr as closed by its reader: later writes to it are dropped. */
  closed(stream: 'stdout' | 'stderr'): void;
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

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
function stripAnsi(s: string): string {
  return s.includes('\x1b') ? s.replace(ANSI, '') : s;
}

export function createIo(init: IoInit): Io {
  const stdoutIsTTY = Boolean(init.stdout.isTTY);
  const stderrIsTTY = Boolean(init.stderr.isTTY);
  const noColorEnv = init.env.NO_COLOR !== undefined && init.env.NO_COLOR !== '';
  const isClosed = { stdout: false, stderr: false };
  let statusLine: string | null = null;
  let statusShown = false;
  /** Whether the last output on the terminal ended a line (a status line may only go there). */
  let atLineStart = true;
  const CLEAR = '\r\x1b[2K';
  const rawErr = (text: string) => {
    if (!isClosed.stderr) init.stderr.write(text);
  };
  const drawStatus = () => {
    if (statusLine === null || !atLineStart) return;
    rawErr(`${CLEAR}${statusLine}`);
    statusShown = true;
  };
  /** Writes `text` to the terminal's stream around the status line: clear, write, redraw. */
  const write = (stream: 'stdout' | 'stderr', text: string) => {
    if (isClosed[stream] || text === '') return;
    const target = stream === 'stdout' ? init.stdout : init.stderr;
    const onTerminal = stream === 'stderr' ? stderrIsTTY : stdoutIsTTY && stderrIsTTY;
    if (onTerminal && statusShown) {
      rawErr(CLEAR);
      statusShown = false;
    }
    target.write(text);
    if (onTerminal) {
      atLineStart = text.endsWith('\n');
      drawStatus();
    }
  };
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
    chalk: createColors(0),
    canPrompt() {
      return io.stdinIsTTY && io.stdoutIsTTY && !io.json && init.env.CI !== 'true';
    },
    columns() {
      const fromEnv = Number.parseInt(init.env.COLUMNS ?? '', 10);
      const w = (stdoutIsTTY ? init.stdout.columns : undefined) ?? (fromEnv > 0 ? fromEnv : 80);
      return w > 0 ? w : 80;
    },
    status(line) {
      if (!stderrIsTTY || io.json) return;
      if (line === null) {
        if (statusShown) rawErr(CLEAR);
        statusShown = false;
        statusLine = null;
        return;
      }
      // One terminal row, never more: a wrapped status line cannot be cleared by \r and would stay
      // on the screen as debris.
      const width = init.stderr.columns ?? 80;
      statusLine = truncate(maskSecrets(line), Math.max(10, width - 1));
      drawStatus();
    },
    closed(stream) {
      isClosed[stream] = true;
      if (stream === 'stderr') statusLine = null;
    },
    out(text) {
      // Human text only: a --json document is data and goes out exactly as built.
      const named = io.json ? text : forInvocation(text, io.cmd);
      const shown = io.showSecrets ? named : maskSecrets(named);
      // Colors follow the terminal on stderr; a piped stdout never gets escape codes.
      write('stdout', stdoutIsTTY ? shown : stripAnsi(shown));
    },
    err(text) {
      write('stderr', maskSecrets(forInvocation(text, io.cmd)));
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

/** Recompute the styles after flags changed io.color / io.json. */
export function applyColor(io: Io): void {
  if (io.json) io.color = false;
  io.chalk = createColors(io.color ? 1 : 0);
}
