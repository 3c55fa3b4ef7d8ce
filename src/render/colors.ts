/**
 * Terminal colors: the few styles dtx uses, as functions that wrap text in ANSI codes at level 1
 * and return it unchanged at level 0. (Instead of chalk: loading chalk, with its color-support
 * detection, cost ~5 ms on every start.) Nested styles work as in chalk: an inner style's closing
 * code re-opens the outer one.
 */
export interface Colors {
  /** 0: no colors; 1: basic 16 colors. */
  readonly level: 0 | 1;
  bold(text: string): string;
  dim(text: string): string;
  italic(text: string): string;
  underline(text: string): string;
  inverse(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  magenta(text: string): string;
  cyan(text: string): string;
  white(text: string): string;
  gray(text: string): string;
}

const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  italic: [3, 23],
  underline: [4, 24],
  inverse: [7, 27],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  white: [37, 39],
  gray: [90, 39],
} as const satisfies Record<string, readonly [number, number]>;

type StyleName = keyof typeof STYLES;

export function createColors(level: 0 | 1): Colors {
  const out = { level } as { level: 0 | 1 } & Record<StyleName, (text: string) => string>;
  for (const [name, [on, off]] of Object.entries(STYLES) as [StyleName, readonly [number, number]][]) {
    const open = `\x1b[${on}m`;
    const close = `\x1b[${off}m`;
    out[name] = level === 0 ? (text) => String(text) : (text) => `${open}${String(text).split(close).join(close + open)}${close}`;
  }
  return out;
}
