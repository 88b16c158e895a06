#!/usr/bin/env bash
# Validates docs/openapi.yaml with a maintained OpenAPI linter, pinned: @redocly/cli 2.77.0 from
# npm, with docs/redocly.yaml (recommended-strict: warnings fail too). Run by CI (.ci/run).
#
# @redocly/cli 2.x needs Node.js 20.19+ (or 22.12+), newer than Debian 12's nodejs (18). When the
# node on PATH is older, a pinned Node.js is fetched from the npm registry (the node-linux-<arch>
# package, which holds the official binary) into a cache folder, and used for this run only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REDOCLY_VERSION=2.77.0
NODE_VERSION=22.12.0  # when the system's node is too old
CACHE=${CRM_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libcrm-tools}

command -v npm >/dev/null || { echo "lint-openapi: npm is missing (bash scripts/install-deps.sh)" >&2; exit 1; }

node_is_recent() {  # Node.js >= 20.19 and not 21.x, or >= 22.12
  local v major minor
  v=$(node --version 2>/dev/null) || return 1
  v=${v#v}; major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
  { [ "$major" -eq 20 ] && [ "$minor" -ge 19 ]; } || { [ "$major" -eq 22 ] && [ "$minor" -ge 12 ]; } ||
    [ "$major" -ge 23 ]
}

if ! node_is_recent; then
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) echo "lint-openapi: Node.js $(node --version 2>/dev/null || echo '(none)') is too old for @redocly/cli $REDOCLY_VERSION and no build for $(uname -m) is known" >&2; exit 1 ;;
  esac
  dir="$CACHE/node-linux-$arch-$NODE_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    echo "lint-openapi: $(node --version 2>/dev/null || echo 'no node') is older than @redocly/cli $REDOCLY_VERSION needs: fetching Node.js $NODE_VERSION from npm into $dir" >&2
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "node-linux-$arch@$NODE_VERSION" >/dev/null)
    mkdir -p "$tmp/unpacked"
    tar -xzf "$tmp"/node-linux-"$arch"-*.tgz -C "$tmp/unpacked"
    mkdir -p "$CACHE"
    rm -rf "$dir"
    mv "$tmp/unpacked/package" "$dir"
  fi
  export PATH="$dir/bin:$PATH"
  node_is_recent || { echo "lint-openapi: $dir/bin/node does not run" >&2; exit 1; }
fi

echo "npx --yes @redocly/cli@$REDOCLY_VERSION lint --config docs/redocly.yaml docs/openapi.yaml (node $(node --version))"
# No update check, no telemetry: CI has the npm registry and nothing else.
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true REDOCLY_TELEMETRY=off
exec npx --yes "@redocly/cli@$REDOCLY_VERSION" lint --config docs/redocly.yaml --format=stylish docs/openapi.yaml
