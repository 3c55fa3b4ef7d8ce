/**
 * Downloading a file over HTTP(S) with Node's fetch: streamed to a new file (never overwriting),
 * SHA-256 computed on the way, progress reported, a stall timeout, Ctrl-C through the signal.
 * Every failure is a DtxError naming what happened (not found, HTTP status, network, cut short).
 * The caller owns the destination file and removes it on failure.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { cancelledError } from './abort.js';
import { DtxError, ExitCode } from './errors.js';
import { maskSecrets, registerSecret } from './mask.js';

export interface DownloadOptions {
  url: string;
  /** File to create (it must not exist). */
  dest: string;
  signal?: AbortSignal;
  /** Give up when no byte arrives for this long (default 30 s). */
  stallTimeoutMs?: number;
  onProgress?: (received: number, total: number | null) => void;
  /** What the hints suggest for offline machines (e.g. "--from-file FILE"). */
  offlineHint?: string;
  fetch?: typeof fetch;
}

export interface DownloadResult {
  bytes: number;
  sha256: string;
  /** Content-Length when the server sent one. */
  total: number | null;
  /** The URL after redirects (credentials masked). */
  finalUrl: string;
}

/** http(s) URLs only; user:password in the URL becomes a Basic Authorization header. */
export function parseDownloadUrl(raw: string): { url: URL; headers: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DtxError({ code: 'USAGE', message: `not a URL: ${maskSecrets(raw)}`, hint: 'Give a full http:// or https:// URL.', exitCode: ExitCode.usage });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DtxError({
      code: 'USAGE',
      message: `unsupported URL scheme ${url.protocol} in ${maskSecrets(raw)}`,
      hint: 'Use an http:// or https:// URL, or --from-file for a file on this machine.',
      exitCode: ExitCode.usage,
    });
  }
  const headers: Record<string, string> = {};
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    registerSecret(pass, [user]);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  return { url, headers };
}

function describeCause(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code ?? (e as { code?: string } | null)?.code;
  const msg = cause?.message ?? (e as Error | null)?.message ?? String(e);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

export async function download(opts: DownloadOptions): Promise<DownloadResult> {
  const { url, headers } = parseDownloadUrl(opts.url);
  const shown = maskSecrets(url.toString());
  const fetchImpl = opts.fetch ?? fetch;
  const stallMs = opts.stallTimeoutMs ?? 30_000;
  const offline = opts.offlineHint ? ` Without network access: ${opts.offlineHint}.` : '';
  const local = new AbortController();
  let stalled = false;
  const onAbort = () => local.abort(opts.signal?.reason);
  if (opts.signal?.aborted) throw cancelledError(opts.signal);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      local.abort();
    }, stallMs);
  };
  const failure = (e: unknown, received: number, total: number | null): DtxError => {
    if (opts.signal?.aborted) return cancelledError(opts.signal);
    if (e instanceof DtxError) return e;
    if (stalled) {
      return new DtxError({
        code: 'DOWNLOAD_STALLED',
        message: `the download from ${shown} stalled: nothing arrived for ${Math.round(stallMs / 1000)} s (${received} bytes so far)`,
        hint: `Check the network and run the command again.${offline}`,
      });
    }
    if (received > 0 || total !== null) {
      return new DtxError({
        code: 'DOWNLOAD_TRUNCATED',
        message: `the download from ${shown} was cut short after ${received}${total !== null ? ` of ${total}` : ''} bytes (${describeCause(e)})`,
        hint: `Run the command again.${offline}`,
      });
    }
    return new DtxError({
      code: 'DOWNLOAD_FAILED',
      message: `cannot download ${shown}: ${describeCause(e)}`,
      hint: `Check the network (behind a proxy, download the zip with your browser or curl).${offline}`,
      cause: e,
    });
  };
  let received = 0;
  let total: number | null = null;
  arm();
  try {
    let res: Response;
    try {
      res = await fetchImpl(url, { signal: local.signal, headers, redirect: 'follow' });
    } catch (e) {
      throw failure(e, 0, null);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      const missing = res.status === 404 || res.status === 403 || res.status === 410;
      throw new DtxError({
        code: missing ? 'DOWNLOAD_NOT_FOUND' : 'DOWNLOAD_HTTP_ERROR',
        message: `${shown} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`,
        hint: missing
          ? 'Nothing is published there: check the version number (Datomic Pro releases: https://docs.datomic.com/releases.html) or the --url.'
          : `The server failed; try again later.${offline}`,
        exitCode: missing ? ExitCode.notFound : ExitCode.failed,
        details: { status: res.status },
      });
    }
    const len = res.headers.get('content-length');
    const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
    total = len !== null && /^\d+$/.test(len) && !encoded ? Number(len) : null;
    const hash = createHash('sha256');
    const fh = await open(opts.dest, 'wx', 0o644);
    try {
      opts.onProgress?.(0, total);
      if (res.body) {
        try {
          for await (const chunk of res.body) {
            arm();
            hash.update(chunk);
            await fh.write(chunk);
            received += chunk.length;
            opts.onProgress?.(received, total);
          }
        } catch (e) {
          throw failure(e, received, total);
        }
      }
    } finally {
      await fh.close();
    }
    if (total !== null && received !== total) {
      throw new DtxError({
        code: 'DOWNLOAD_TRUNCATED',
        message: `the download from ${shown} ended after ${received} of ${total} bytes`,
        hint: `Run the command again.${offline}`,
      });
    }
    return { bytes: received, sha256: hash.digest('hex'), total, finalUrl: maskSecrets(res.url || url.toString()) };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
