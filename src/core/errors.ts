/** Documented exit codes (see README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  cancelled: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface DtxErrorOptions {
  /** Stable machine-readable code, e.g. "PG_UNREACHABLE". */
  code: string;
  message: string;
  hint?: string;
  exitCode?: ExitCodeValue;
  cause?: unknown;
  /** Extra structured data included in --json error output. */
  details?: Record<string, unknown>;
}

/** The one error type of dtx. The CLI prints `error: message` and `hint: hint` and exits with exitCode. */
export class DtxError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: ExitCodeValue;
  readonly details: Record<string, unknown> | undefined;

  constructor(opts: DtxErrorOptions) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DtxError';
    this.code = opts.code;
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? ExitCode.failed;
    this.details = opts.details;
  }
}

export function isDtxError(e: unknown): e is DtxError {
  return e instanceof DtxError;
}

/** Usage/config error (exit 2). */
export function usageError(code: string, message: string, hint?: string): DtxError {
  return new DtxError({ code, message, hint, exitCode: ExitCode.usage });
}
