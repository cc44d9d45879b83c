#!/usr/bin/env bash
# The main command: the whole stack on its embedded defaults, and a demo through the HTTP API.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
ensure_node_deps
if [[ -z "${TEMPORAL_ADDRESS:-}" ]]; then TEMPORAL_CLI="$(ensure_temporal_cli)"; export TEMPORAL_CLI; fi
ensure_postgres
exec npx tsx scripts/up.ts "$@"
