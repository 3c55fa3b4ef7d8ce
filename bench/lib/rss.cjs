// Preloaded into a measured dtx run (`node --require bench/lib/rss.cjs bin/dtx.js ...`): prints the
// process's peak resident set size on stderr when it exits, as `DTX_BENCH_MAXRSS_KB=<n>`.
process.on('exit', () => {
  process.stderr.write(`\nDTX_BENCH_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
