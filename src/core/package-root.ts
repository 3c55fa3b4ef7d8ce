/**
 * The folder of dtx's package.json, found from a module's URL by walking up. Files shipped beside
 * the code (sql/, src/peer/, package.json) are located from it, so they are found the same from
 * src/ (tests), dist/ (tsc output) and the bundle in dist/bundle/.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cache = new Map<string, string>();

export function packageRoot(moduleUrl: string): string {
  const start = path.dirname(fileURLToPath(moduleUrl));
  const hit = cache.get(start);
  if (hit) return hit;
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) {
      cache.set(start, dir);
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}
