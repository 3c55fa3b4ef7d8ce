#!/usr/bin/env bash
# Fetches the real Datomic peer library (com.datomic:peer from Maven Central), its Clojure and the
# PostgreSQL JDBC driver into a cache OUTSIDE the repo, and writes the classpath file used by
# test/helpers/real-peer.ts:
#   ${DTX_PEER_CACHE:-$HOME/.cache/dtx-peer}/m2/            private Maven repository
#   ${DTX_PEER_CACHE:-$HOME/.cache/dtx-peer}/classpath.txt  ':'-joined absolute jar paths
# Idempotent: when classpath.txt is newer than pom.xml and every jar in it exists, it does nothing.
# Quiet on success; exits non-zero (with Maven's output on stderr) on failure.
# Env: DTX_PEER_CACHE (cache dir), DTX_PEER_VERSION (override the pom's com.datomic:peer version;
# the version is part of the stamp, so changing it refetches).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$here/pom.xml"
cache="${DTX_PEER_CACHE:-$HOME/.cache/dtx-peer}"
cpfile="$cache/classpath.txt"
stamp="$cache/classpath.stamp"

mkdir -p "$cache"

want="$(cksum < "$pom" | cut -d' ' -f1)-${DTX_PEER_VERSION:-default}"

up_to_date() {
  [[ -s "$cpfile" && -f "$stamp" ]] || return 1
  [[ "$(cat "$stamp")" == "$want" ]] || return 1
  local jar
  local IFS=':'
  for jar in $(cat "$cpfile"); do
    [[ -f "$jar" ]] || return 1
  done
  return 0
}

if up_to_date; then
  exit 0
fi

command -v mvn >/dev/null 2>&1 || { echo "fetch-peer: mvn not found on PATH" >&2; exit 1; }
command -v java >/dev/null 2>&1 || { echo "fetch-peer: java not found on PATH" >&2; exit 1; }

args=(-q -B -f "$pom" "-Dmaven.repo.local=$cache/m2" dependency:build-classpath
      "-Dmdep.outputFile=$cpfile.tmp" -Dmdep.includeScope=runtime)
if [[ -n "${DTX_PEER_VERSION:-}" ]]; then
  args+=("-Ddatomic.peer.version=$DTX_PEER_VERSION")
fi

log="$cache/fetch.log"
rm -f "$cpfile.tmp"
if ! mvn "${args[@]}" >"$log" 2>&1; then
  echo "fetch-peer: mvn failed; its output:" >&2
  cat "$log" >&2
  exit 1
fi
[[ -s "$cpfile.tmp" ]] || { echo "fetch-peer: mvn wrote no classpath ($cpfile.tmp)" >&2; exit 1; }
mv "$cpfile.tmp" "$cpfile"
printf '%s' "$want" > "$stamp"
