#!/usr/bin/env node
// Tiny shim: enable Node's compile cache (faster start), then load the built CLI: one bundled
// file plus lazily loaded chunks (dist/bundle, made by scripts/bundle.mjs in `npm run build`).
import module from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

module.enableCompileCache?.();
const entry = new URL('../dist/bundle/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('error: dtx is not built yet\nhint: run `npm install` (or `npm run build`) in the dtx folder\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
