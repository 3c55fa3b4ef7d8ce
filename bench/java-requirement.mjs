#!/usr/bin/env node
// `dtx doctor`'s java check reads the class-file versions of the distribution's Datomic jars
// (src/core/datomic/class-version.ts). Throughput on the real peer jar and its whole classpath from
// Maven Central (fetched by test/peer/fetch-peer.sh); skipped without it. Needs `npm run build`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cpFile = path.join(process.env.DTX_PEER_CACHE || path.join(os.homedir(), '.cache', 'dtx-peer'), 'classpath.txt');
if (!existsSync(cpFile)) {
  console.log(`skipped: the real peer is not fetched (${cpFile})`);
  process.exit(0);
}
const { jarClassVersions, javaRequirement } = await import(path.join(root, 'dist', 'core', 'datomic', 'class-version.js'));
const jars = readFileSync(cpFile, 'utf8').trim().split(path.delimiter).filter((j) => j.endsWith('.jar'));
const peer = jars.find((j) => /peer-1\.0\.\d+\.jar$/.test(j));
for (const [label, list] of [['peer jar', [peer]], ['whole peer classpath', jars]]) {
  const mb = list.reduce((a, j) => a + statSync(j).size, 0) / 1e6;
  const t = performance.now();
  const r = await javaRequirement(list, 11);
  const ms = performance.now() - t;
  console.log(`${label.padEnd(22)} ${list.length} jars, ${mb.toFixed(1)} MB, ${r.classesRead} classes: ${ms.toFixed(0)} ms (${(r.classesRead / ms).toFixed(0)} classes/ms) -> Java ${r.major}`);
}
const v = await jarClassVersions(peer);
console.log(`peer jar newest class-file major ${v.maxMajor} (${v.example})`);
