/** Units in check details: the shared ones (core/units.ts) under short names, and plurals. */
import { formatBytes, formatCount } from '../units.js';

export const bytes = formatBytes;
export const count = formatCount;

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}
