# Shared by scripts/up.sh and scripts/test.sh: install what the project needs, once, and say so.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TEMPORAL_CLI_VERSION="v1.5.1"
CACHE_DIR="${METERFLOW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meterflow}"

say() { printf '\033[1m[meterflow]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[meterflow] %s\033[0m\n' "$*" >&2; exit 1; }

ensure_node_deps() {
  command -v node >/dev/null || die "Node.js 20 is required (https://nodejs.org); it was not found on PATH."
  local stamp="$ROOT/node_modules/.meterflow-lock.sha256"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$(deps_hash)" ]]; then return 0; fi
  say "installing node modules…"
  # `npm install` rather than `npm ci`: ci refuses a lock file whose optional platform packages
  # (other OSes' @swc/core builds) the registry in use does not carry; install skips them.
  (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error) || die "npm install failed"
  deps_hash > "$stamp"
}

deps_hash() { cat "$ROOT/package.json" "$ROOT/package-lock.json" | sha256sum | cut -d' ' -f1; }

# Prints the path of a Temporal CLI: $TEMPORAL_CLI, else `temporal` on PATH, else one built once into
# the cache with `go install` (it contains the dev server and the Web UI).
ensure_temporal_cli() {
  if [[ -n "${TEMPORAL_CLI:-}" ]]; then
    [[ -x "$TEMPORAL_CLI" ]] || die "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file"
    echo "$TEMPORAL_CLI"; return 0
  fi
  if command -v temporal >/dev/null; then command -v temporal; return 0; fi
  local bin_dir="$CACHE_DIR/temporal-cli/$TEMPORAL_CLI_VERSION"
  if [[ -x "$bin_dir/temporal" ]]; then echo "$bin_dir/temporal"; return 0; fi
  # Go may be installed but not on a non-login shell's PATH; METERFLOW_GO names it explicitly.
  local go_bin="${METERFLOW_GO:-$(command -v go || echo /usr/local/go/bin/go)}"
  [[ -x "$go_bin" ]] || die "Go is needed once to build the Temporal CLI $TEMPORAL_CLI_VERSION: install Go 1.25 or later (https://go.dev/dl/ or your package manager), or set TEMPORAL_CLI=/path/to/temporal."
  say "building the Temporal CLI $TEMPORAL_CLI_VERSION into $bin_dir (first run only; takes a few minutes)…"
  mkdir -p "$bin_dir"
  GOBIN="$bin_dir.tmp" GOFLAGS="${GOFLAGS:-} -buildvcs=false" "$go_bin" install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" >&2 \
    || die "go install github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION failed (see above)"
  mv "$bin_dir.tmp/temporal" "$bin_dir/temporal" && rmdir "$bin_dir.tmp"
  say "Temporal CLI ready: $bin_dir/temporal"
  echo "$bin_dir/temporal"
}

# Postgres must answer at DATABASE_URL (default: the local server). A local cluster that is
# installed but stopped is started.
ensure_postgres() {
  local url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/meterflow}"
  if node -e "const n=require('net');const u=new URL(process.argv[1]);const s=n.connect(+(u.port||5432),u.hostname,()=>process.exit(0));s.on('error',()=>process.exit(1))" "$url"; then return 0; fi
  if [[ -z "${DATABASE_URL:-}" ]] && command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
    say "starting the local PostgreSQL cluster…"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    sleep 2
    node -e "const n=require('net');const s=n.connect(5432,'127.0.0.1',()=>process.exit(0));s.on('error',()=>process.exit(1))" && return 0
  fi
  die "PostgreSQL is not reachable at $url. Start it, or set DATABASE_URL (e.g. postgres://user@host:5432/meterflow)."
}
