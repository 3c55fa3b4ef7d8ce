import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../core/package-root.js';

/** Set by the bundle (scripts/bundle.mjs `define`), so a start reads no package.json. */
declare const __DTX_VERSION__: string | undefined;

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(packageRoot(import.meta.url), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const VERSION = typeof __DTX_VERSION__ === 'string' ? __DTX_VERSION__ : readVersion();
