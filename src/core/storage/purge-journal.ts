/**
 * A small journal in the state dir for `db delete NAME --purge`: the delete removes NAME from the
 * catalog before the purge runs, so if the purge is interrupted, a re-run of the same command would
 * no longer find NAME. The journal remembers NAME -> db-id (per storage) until the purge finishes,
 * so the re-run resumes it. The file holds no secrets.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface JournalEntry {
  /** host:port/database of the storage */
  storage: string;
  name: string;
  dbId: string;
  at: string;
}

function file(stateDir: string): string {
  return path.join(stateDir, 'purge-journal.json');
}

export async function readJournal(stateDir: string): Promise<JournalEntry[]> {
  try {
    const v = JSON.parse(await readFile(file(stateDir), 'utf8')) as { entries?: JournalEntry[] };
    return Array.isArray(v.entries) ? v.entries.filter((e) => e && typeof e.name === 'string' && typeof e.dbId === 'string') : [];
  } catch {
    return [];
  }
}

async function write(stateDir: string, entries: JournalEntry[]): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const tmp = `${file(stateDir)}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ entries }, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file(stateDir));
}

export async function journalPending(stateDir: string, e: Omit<JournalEntry, 'at'>): Promise<void> {
  const entries = (await readJournal(stateDir)).filter((x) => !(x.storage === e.storage && x.name === e.name));
  entries.push({ ...e, at: new Date().toISOString() });
  await write(stateDir, entries);
}

export async function journalDone(stateDir: string, storage: string, dbId: string): Promise<void> {
  const entries = await readJournal(stateDir);
  const rest = entries.filter((x) => !(x.storage === storage && x.dbId === dbId));
  if (rest.length !== entries.length) await write(stateDir, rest);
}

export async function journalFind(stateDir: string, storage: string, name: string): Promise<JournalEntry | null> {
  return (await readJournal(stateDir)).find((x) => x.storage === storage && x.name === name) ?? null;
}
