/**
 * `dtx __complete <kind> [--shell-line] -- <words...>`: the values a completion script asks for
 * (database names, deleted db-ids), one per line. The words typed so far decide the storage
 * (--pg-url, --config; else DTX_PG_URL and the rest of the usual precedence). It never starts the
 * embedded PostgreSQL, never prompts, and prints nothing, with exit 0, on any error.
 */
import type { Ctx } from '../cli/context.js';
import { resolveConfig } from '../core/config.js';
import { completionNames, splitShellWords, storageFlags, type NameKind } from '../core/completion/names.js';
import { formatPgUrl } from '../core/postgres/url.js';

export async function run(ctx: Ctx, kind?: string, ...rest: string[]): Promise<number> {
  const { io } = ctx;
  try {
    if (kind !== 'db-name' && kind !== 'db-id') return 0;
    const words = ctx.flags.shellLine ? splitShellWords(rest.join(' ')) : rest;
    const f = storageFlags(words);
    const cfg = resolveConfig({ flags: f.pgUrl ? { pgUrl: f.pgUrl } : {}, env: io.env, cwd: io.cwd, configPath: f.config });
    const names = await completionNames({ url: formatPgUrl(cfg.pg), kind: kind as NameKind });
    // one per line, unquoted: the shell quotes them
    if (names.length) io.out(`${names.join('\n')}\n`);
  } catch {
    /* quiet: a completion never prints an error */
  }
  return 0;
}
