/**
 * Rendering helpers shared by commands: JSON documents, key/value blocks and tables. Tables are
 * laid out on the text as displayed (secrets already masked), fitted to the terminal's width (see
 * table.ts), and printed as plain tab-separated rows without a header when stdout is not a terminal.
 */
import type { Io } from '../cli/io.js';
import { maskSecrets } from '../core/mask.js';
import { boxTable, displayWidth, plainRows, verticalTable, wrap } from './table.js';

export function printJson(io: Io, doc: unknown): void {
  io.out(`${JSON.stringify(doc, null, 2)}\n`);
}

function shown(io: Io, s: string | number): string {
  return io.showSecrets ? String(s) : maskSecrets(String(s));
}

/** A table for stdout: box-drawn (or vertical) on a terminal, tab-separated rows when piped. */
export function renderTable(io: Io, head: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => shown(io, c)));
  if (!io.stdoutIsTTY) return plainRows(cells).map((l) => `${l}\n`).join('');
  const width = io.columns();
  const box = boxTable(head, cells, width, { head: (s) => io.chalk.bold(s), border: (s) => io.chalk.dim(s) });
  const lines = box ?? verticalTable(head, cells, width, { key: (s) => io.chalk.dim(s) });
  return lines.map((l) => `${l}\n`).join('');
}

/** Aligned `key  value` lines; on a terminal, long values wrap under the value column. */
export function keyValues(io: Io, pairs: [string, string | number | boolean | null | undefined][]): string {
  const kept = pairs.filter(([, v]) => v !== undefined);
  const width = Math.max(...kept.map(([k]) => displayWidth(k)));
  const valueWidth = io.stdoutIsTTY ? io.columns() - width - 2 : Infinity;
  return kept
    .map(([k, v]) => {
      const text = v === null ? '-' : shown(io, String(v));
      const [first = '', ...rest] = valueWidth >= 16 ? wrap(text, valueWidth) : [text];
      return [`${io.chalk.dim(k.padEnd(width))}  ${first}`, ...rest.map((l) => `${' '.repeat(width)}  ${l}`)].join('\n');
    })
    .join('\n') + '\n';
}
