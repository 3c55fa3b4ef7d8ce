/** Rendering helpers shared by commands: JSON documents, key/value blocks, tables (lazy cli-table3). */
import type { Io } from '../cli/io.js';

export function printJson(io: Io, doc: unknown): void {
  io.out(`${JSON.stringify(doc, null, 2)}\n`);
}

export async function renderTable(io: Io, head: string[], rows: (string | number)[][]): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    head: head.map((h) => io.chalk.bold(h)),
    style: { head: [], border: [] },
    chars: io.color ? {} : { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of rows) table.push(r.map(String));
  return `${table.toString()}\n`;
}

export function keyValues(io: Io, pairs: [string, string | number | boolean | null | undefined][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${io.chalk.dim(k.padEnd(width))}  ${v === null ? '-' : String(v)}`)
    .join('\n') + '\n';
}
