/**
 * Table layout, pure functions over the text as it will be displayed (callers mask secrets first):
 * - box: a box-drawn table fitted to a width. When it is too wide, the one widest column is
 *   truncated with "…"; when that is not enough (it would drop below MIN_TRUNCATED columns, or a
 *   second column would need truncating) the table is laid out vertically instead.
 * - vertical: one block of `header  value` lines per row, values wrapped at the width.
 * - plain: tab-separated rows without a header, for pipes (as gh prints them).
 * Widths count what a terminal shows: escape sequences take none, East Asian wide characters two.
 */

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const RESET = '\x1b[0m';
const ELLIPSIS = '…';
/** A truncated column keeps at least this many columns (else the layout goes vertical). */
export const MIN_TRUNCATED = 16;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

function charWidth(cp: number): number {
  if (cp < 0x1100) return 1;
  // Hangul Jamo, CJK, Hangul syllables, CJK compatibility, fullwidth forms, wide emoji.
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Columns a terminal uses for `s`. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of stripAnsi(s)) w += charWidth(ch.codePointAt(0) ?? 0);
  return w;
}

/** Splits `s` into escape sequences (width 0) and characters. */
function tokens(s: string): { text: string; esc: boolean }[] {
  const out: { text: string; esc: boolean }[] = [];
  let last = 0;
  for (const m of s.matchAll(ANSI)) {
    for (const ch of s.slice(last, m.index)) out.push({ text: ch, esc: false });
    out.push({ text: m[0], esc: true });
    last = (m.index ?? 0) + m[0].length;
  }
  for (const ch of s.slice(last)) out.push({ text: ch, esc: false });
  return out;
}

/** At most `width` columns: the start of `s` and "…" when it is longer. Colors are kept and reset. */
export function truncate(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  let colored = false;
  for (const t of tokens(s)) {
    if (t.esc) {
      out += t.text;
      colored = true;
      continue;
    }
    const cw = charWidth(t.text.codePointAt(0) ?? 0);
    if (w + cw > width - 1) break;
    out += t.text;
    w += cw;
  }
  return `${out}${ELLIPSIS}${colored ? RESET : ''}`;
}

/** Lines of at most `width` columns (hard wrap; colors are dropped from wrapped values). */
export function wrap(s: string, width: number): string[] {
  if (width < 1 || displayWidth(s) <= width) return [s];
  const lines: string[] = [];
  let line = '';
  let w = 0;
  for (const ch of stripAnsi(s)) {
    const cw = charWidth(ch.codePointAt(0) ?? 0);
    if (w + cw > width) {
      lines.push(line);
      line = '';
      w = 0;
    }
    line += ch;
    w += cw;
  }
  if (line) lines.push(line);
  return lines;
}

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/** A cell as one line: newlines and tabs become spaces. */
export function oneLine(s: string): string {
  return s.replace(/[\t\r\n]+/g, ' ');
}

/**
 * Column widths so the box fits `maxWidth`, or null when it cannot without truncating more than one
 * column or truncating one below MIN_TRUNCATED.
 */
export function fitWidths(natural: number[], maxWidth: number): number[] | null {
  const frame = 3 * natural.length + 1; // "│ " + " │ " between + " │"
  const total = natural.reduce((a, b) => a + b, 0) + frame;
  if (total <= maxWidth) return natural;
  let widest = 0;
  natural.forEach((w, i) => {
    if (w > (natural[widest] ?? 0)) widest = i;
  });
  const room = maxWidth - (total - (natural[widest] ?? 0));
  if (room < MIN_TRUNCATED) return null;
  return natural.map((w, i) => (i === widest ? room : w));
}

export interface BoxStyle {
  /** Applied to header cells (e.g. bold). */
  head?: (s: string) => string;
  /** Applied to the border characters (e.g. dim). */
  border?: (s: string) => string;
}

/** A box-drawn table fitted to maxWidth, or null when it should be laid out vertically. */
export function boxTable(head: string[], rows: string[][], maxWidth: number, style: BoxStyle = {}): string[] | null {
  const cells = rows.map((r) => head.map((_, i) => oneLine(r[i] ?? '')));
  const natural = head.map((h, i) => Math.max(displayWidth(h), ...cells.map((r) => displayWidth(r[i] ?? ''))));
  const widths = fitWidths(natural, maxWidth);
  if (!widths) return null;
  const b = style.border ?? ((s: string) => s);
  const h = style.head ?? ((s: string) => s);
  const rule = (l: string, m: string, r: string) => b(`${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`);
  const row = (r: string[], f: (s: string) => string = (s) => s) =>
    `${b('│')} ${r.map((c, i) => pad(f(truncate(c, widths[i] ?? 0)), widths[i] ?? 0)).join(` ${b('│')} `)} ${b('│')}`;
  return [rule('┌', '┬', '┐'), row(head, h), rule('├', '┼', '┤'), ...cells.map((r) => row(r)), rule('└', '┴', '┘')];
}

/** One block of `header  value` lines per row (values wrapped at maxWidth), blocks separated by a blank line. */
export function verticalTable(head: string[], rows: string[][], maxWidth: number, style: { key?: (s: string) => string } = {}): string[] {
  const keyWidth = Math.max(...head.map(displayWidth));
  const k = style.key ?? ((s: string) => s);
  const out: string[] = [];
  rows.forEach((r, n) => {
    if (n > 0) out.push('');
    head.forEach((name, i) => {
      const [first = '', ...rest] = wrap(oneLine(r[i] ?? ''), Math.max(8, maxWidth - keyWidth - 2));
      out.push(`${k(pad(name, keyWidth))}  ${first}`);
      for (const l of rest) out.push(`${' '.repeat(keyWidth)}  ${l}`);
    });
  });
  return out;
}

/** Tab-separated rows, no header, no colors: for pipes. */
export function plainRows(rows: string[][]): string[] {
  return rows.map((r) => r.map((c) => oneLine(stripAnsi(c))).join('\t'));
}
