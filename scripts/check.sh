#!/usr/bin/env bash
# `npm run check`: the whole test suite as CI runs it. Installs the Debian packages the
# integration tests start on loopback (a real OCI registry, Redis) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "check: ${need[*]} missing (apt-get install ${need[*]}); the tests that need them will fail" >&2
  fi
fi

npm run gen --silent
npm run typecheck
npm run lint
status=0
npx vitest run --reporter=default --reporter=json --outputFile=.vitest-results.json || status=$?
# One plain closing line that any CI log reader understands.
node -e 'const r=JSON.parse(require("fs").readFileSync(".vitest-results.json","utf8")); console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' || true
exit $status
