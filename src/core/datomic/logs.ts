/**
 * Transactor logs: the captured stdout+stderr in the state dir and the newest file in log-dir.
 * Everything returned is masked (maskSecrets).
 */
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { maskSecrets } from '../mask.js';
import { readLaunchRecord, transactorPaths } from './pidfile.js';

/** Reads the last `lines` lines of a file (null when it does not exist). */
export async function tailFile(file: string, lines: number, maxBytes = 4 * 1024 * 1024): Promise<string[] | null> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return null;
  }
  try {
    const { size } = await fh.stat();
    let chunk = Math.min(size, 64 * 1024);
    for (;;) {
      const start = size - chunk;
      const buf = Buffer.alloc(chunk);
      await fh.read(buf, 0, chunk, start);
      const text = buf.toString('utf8');
      const all = text.split(/\r?\n/);
      if (all.length && all[all.length - 1] === '') all.pop();
      if (all.length > lines || start === 0 || chunk >= maxBytes) {
        // The first line may be partial when we did not read from the start.
        const usable = start > 0 ? all.slice(1) : all;
        return usable.slice(Math.max(0, usable.length - lines));
      }
      chunk = Math.min(size, chunk * 4, maxBytes);
    }
  } finally {
    await fh.close();
  }
}

/** Reads a file from byte offset `from` (to at most maxBytes). */
export async function readFrom(file: string, from: number, maxBytes = 1024 * 1024): Promise<{ text: string; end: number }> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return { text: '', end: from };
  }
  try {
    const { size } = await fh.stat();
    if (size < from) from = 0; // truncated/rotated
    const n = Math.min(size - from, maxBytes);
    if (n <= 0) return { text: '', end: from };
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, from);
    return { text: buf.subarray(0, bytesRead).toString('utf8'), end: from + bytesRead };
  } finally {
    await fh.close();
  }
}

/** The most recently modified regular file in a directory (null when none). */
export async function newestFile(dir: string): Promise<string | null> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  let best: { file: string; mtime: number } | null = null;
  for (const n of names) {
    const f = path.join(dir, n);
    const st = await stat(f).catch(() => undefined);
    if (!st?.isFile()) continue;
    if (!best || st.mtimeMs > best.mtime) best = { file: f, mtime: st.mtimeMs };
  }
  return best?.file ?? null;
}

/** The sizes of the regular files in a directory, to read later only what was written since. */
export async function fileSizes(dir: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return sizes;
  }
  for (const n of names) {
    const f = path.join(dir, n);
    const st = await stat(f).catch(() => undefined);
    if (st?.isFile()) sizes.set(f, st.size);
  }
  return sizes;
}

/**
 * The lines written to a directory's files since `before` (from fileSizes): what grew is read from
 * its old size, new files (and truncated ones) from the start. Files in modification order; at most
 * the last `maxLines` lines. Never returns a line that was there before.
 */
export async function linesWrittenSince(dir: string, before: Map<string, number>, maxLines = 200): Promise<{ files: string[]; lines: string[] }> {
  const now = await fileSizes(dir);
  const changed: Array<{ file: string; from: number; mtime: number }> = [];
  for (const [file, size] of now) {
    const old = before.get(file);
    if (old === size) continue;
    const mtime = (await stat(file).catch(() => undefined))?.mtimeMs ?? 0;
    changed.push({ file, from: old !== undefined && old < size ? old : 0, mtime });
  }
  changed.sort((a, b) => a.mtime - b.mtime);
  const files: string[] = [];
  const lines: string[] = [];
  for (const c of changed) {
    const { text } = await readFrom(c.file, c.from);
    const ls = text.split(/\r?\n/);
    if (ls.at(-1) === '') ls.pop();
    if (!ls.length) continue;
    files.push(c.file);
    lines.push(...ls);
  }
  return { files, lines: lines.slice(-maxLines) };
}

export interface LogSection {
  file: string;
  lines: string[];
}

export interface ReadLogsOptions {
  stateDir: string;
  /** Default 100. */
  lines?: number;
  /** log-dir (default: from the last launch record, else <stateDir>/transactor/log). */
  logDir?: string;
}

export interface ReadLogsResult {
  /** Captured stdout+stderr (null when dtx never started a transactor here). */
  captured: LogSection | null;
  /** Newest file in log-dir (null when none). */
  log: LogSection | null;
  logDir: string;
}

export async function resolveLogDir(stateDir: string, logDir?: string): Promise<string> {
  if (logDir) return path.resolve(logDir);
  const p = transactorPaths(stateDir);
  const rec = await readLaunchRecord(p.launchFile);
  return rec?.logDir ?? p.logDir;
}

/** Last N lines of the captured output and of the newest log-dir file, masked. */
export async function readLogs(opts: ReadLogsOptions): Promise<ReadLogsResult> {
  const n = opts.lines ?? 100;
  const p = transactorPaths(opts.stateDir);
  const logDir = await resolveLogDir(opts.stateDir, opts.logDir);
  const capturedLines = await tailFile(p.outLog, n);
  const newest = await newestFile(logDir);
  const logLines = newest ? await tailFile(newest, n) : null;
  return {
    captured: capturedLines ? { file: p.outLog, lines: capturedLines.map(maskSecrets) } : null,
    log: newest && logLines ? { file: newest, lines: logLines.map(maskSecrets) } : null,
    logDir,
  };
}

export interface FollowOptions {
  /** Files to follow (from their current end). */
  files: string[];
  /** Also follow the newest file of this directory (switching when a newer one appears). */
  logDir?: string;
  signal?: AbortSignal;
  pollMs?: number;
  /** Start at the beginning instead of the end. */
  fromStart?: boolean;
}

export interface FollowedLine {
  file: string;
  line: string;
}

/** Follows files like `tail -f` until the signal aborts; yields masked complete lines. */
export async function* followLogs(opts: FollowOptions): AsyncGenerator<FollowedLine> {
  const pollMs = opts.pollMs ?? 200;
  const state = new Map<string, { offset: number; partial: string }>();
  const startOffset = async (f: string): Promise<number> => (opts.fromStart ? 0 : ((await stat(f).catch(() => undefined))?.size ?? 0));
  for (const f of opts.files) state.set(f, { offset: await startOffset(f), partial: '' });
  let current = opts.logDir ? await newestFile(opts.logDir) : null;
  if (current && !state.has(current)) state.set(current, { offset: await startOffset(current), partial: '' });
  while (!opts.signal?.aborted) {
    if (opts.logDir) {
      const n = await newestFile(opts.logDir);
      if (n && n !== current) {
        if (current && !opts.files.includes(current)) state.delete(current);
        current = n;
        if (!state.has(n)) state.set(n, { offset: 0, partial: '' });
      }
    }
    for (const [file, st] of state) {
      const { text, end } = await readFrom(file, st.offset);
      if (end < st.offset) st.partial = '';
      st.offset = end;
      if (!text) continue;
      const parts = (st.partial + text).split(/\r?\n/);
      st.partial = parts.pop() ?? '';
      for (const line of parts) yield { file, line: maskSecrets(line) };
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, pollMs);
      opts.signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
  }
}
