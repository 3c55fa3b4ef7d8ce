#!/usr/bin/env node
// Runs every benchmark in bench/ (each prints its numbers and ratios to its target).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
let failed = 0;
for (const b of ['startup.mjs', 'readiness.mjs', 'fressian.mjs', 'up.mjs', 'completion.mjs', 'java-requirement.mjs']) {
  console.log(`== ${b}`);
  const r = spawnSync(process.execPath, [path.join(here, b)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
