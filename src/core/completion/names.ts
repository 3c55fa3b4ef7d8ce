/**
 * The values `dtx __complete` prints for a shell: database names (or deleted db-ids) from the
 * catalog. Point lookups only, through one short-lived connection with a short connect timeout and
 * an overall deadline; never the embedded server's start, never a prompt. Every error yields [].
 */
import { connect, type PgClient } from '../postgres/client.js';
import { readCatalog } from '../storage/catalog.js';

export type NameKind = 'db-name' | 'db-id';

export interface NamesOptions {
  /** postgresql:// URL of the storage role */
  url: string;
  kind: NameKind;
  connectTimeoutMs?: number;
  /** give up (and print nothing) after this long in total */
  deadlineMs?: number;
}

export async function completionNames(o: NamesOptions): Promise<string[]> {
  let client: PgClient | null = null;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => {
      void client?.end().catch(() => {});
      resolve([]);
    }, o.deadlineMs ?? 3000);
    timer.unref();
  });
  const lookup = (async () => {
    try {
      client = await connect({ url: o.url, purpose: 'storage', connectTimeoutMs: o.connectTimeoutMs ?? 1500 });
      const cat = await readCatalog(client);
      return o.kind === 'db-id' ? [...cat.deleted].sort() : cat.databases.map((d) => d.name);
    } catch {
      return [];
    } finally {
      await client?.end().catch(() => {});
    }
  })();
  try {
    return await Promise.race([lookup, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Splits a shell command line into words (quotes and backslashes as POSIX shells treat them; an open quote runs to the end). */
export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else cur += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) cur += line[++i];
      else cur += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** The values of the flags that decide which storage to read, from the words typed so far. */
export function storageFlags(words: string[]): { pgUrl?: string; config?: string } {
  const out: { pgUrl?: string; config?: string } = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '--') break;
    for (const [flag, key] of [['--pg-url', 'pgUrl'], ['--config', 'config']] as const) {
      if (w === flag && i + 1 < words.length) out[key] = words[i + 1];
      else if (w.startsWith(`${flag}=`)) out[key] = w.slice(flag.length + 1);
    }
  }
  return out;
}
