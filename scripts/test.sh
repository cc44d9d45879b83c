#!/usr/bin/env bash
# The whole test suite: typecheck, lint, then every tier (domain, activities, workflows, API, end to end)
# against one Temporal dev server and one fresh database made for this run (test/helpers/global-setup.ts).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
ensure_node_deps
if [[ -z "${TEMPORAL_ADDRESS:-}" ]]; then TEMPORAL_CLI="$(ensure_temporal_cli)"; export TEMPORAL_CLI; fi
ensure_postgres
say "typecheck"; npx tsc --noEmit
say "lint"; npx eslint . --max-warnings=0
say "tests"
results="$ROOT/.data/test-results.json"; mkdir -p "$ROOT/.data"; rm -f "$results"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
# One plain closing line, whatever the runner prints above it.
[[ -f "$results" ]] && node -e 'const r=require(process.argv[1]);console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests+r.numTodoTests} skipped`)' "$results"
exit $status
