#!/usr/bin/env bash
# Makes sure a Go toolchain >= 1.24 is available for the kube-apiserver test
# environment and the conformance harness.
#
# Prints the directory holding that `go` on stdout (everything else goes to
# stderr), so a caller can do:
#
#   GO_DIR="$(test-utils/scripts/ensure-go.sh)" && export PATH="$GO_DIR:$PATH"
#
# Exit 0: a usable go is there. Exit 1: none could be had; this is printed
# loudly, and the Go-dependent suites will then report themselves NOT RUN.
#
# Order: `go` on PATH, /usr/local/go/bin/go, a toolchain this script fetched
# before, then Debian's golang-go (1.19, too old on its own) used only to
# download the Go toolchain module (golang.org/toolchain) from the Go module
# proxy.
set -uo pipefail

MIN_MINOR=24
WANT_TOOLCHAIN="${ENSURE_GO_TOOLCHAIN:-go1.26.8}"
CACHE="${ENSURE_GO_CACHE:-$HOME/.cache/event-recorder-go}"

log() { echo "ensure-go: $*" >&2; }

# go_ok <path-to-go>: true when that binary runs and is >= 1.MIN_MINOR.
go_ok() {
  local v minor
  v="$("$1" env GOVERSION 2>/dev/null)" || return 1
  v="${v#go}"
  [ "${v%%.*}" = "1" ] || return 1
  minor="${v#1.}"
  minor="${minor%%[!0-9]*}"
  [ -n "$minor" ] && [ "$minor" -ge "$MIN_MINOR" ]
}

found() {
  log "using $("$1" version)"
  dirname "$1"
  exit 0
}

if command -v go >/dev/null 2>&1 && go_ok "$(command -v go)"; then
  found "$(command -v go)"
fi
for candidate in /usr/local/go/bin/go "$CACHE/$WANT_TOOLCHAIN/bin/go"; do
  if [ -x "$candidate" ] && go_ok "$candidate"; then found "$candidate"; fi
done

log "no Go >= 1.$MIN_MINOR found; trying Debian's golang-go to fetch $WANT_TOOLCHAIN from the Go module proxy"
bootstrap=""
if command -v go >/dev/null 2>&1; then
  bootstrap="$(command -v go)"
elif [ -x /usr/lib/go-1.19/bin/go ]; then
  bootstrap=/usr/lib/go-1.19/bin/go
elif command -v apt-get >/dev/null 2>&1; then
  # Bounded: apt-get gives up by itself on network errors.
  if apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >&2; then
    bootstrap="$(command -v go || true)"
  fi
fi

if [ -n "$bootstrap" ]; then
  arch="$(uname -m)"
  case "$arch" in
    x86_64) arch=amd64 ;;
    aarch64) arch=arm64 ;;
  esac
  mod="golang.org/toolchain@v0.0.1-$WANT_TOOLCHAIN.linux-$arch"
  tmp="$(mktemp -d)"
  # `go mod download` needs a module context; an empty throwaway one will do.
  if (cd "$tmp" && printf 'module ensurego\n' >go.mod &&
    GOTOOLCHAIN=local GOFLAGS=-mod=mod "$bootstrap" mod download -json "$mod" >"$tmp/dl.json"); then
    dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p' "$tmp/dl.json")"
    if [ -n "$dir" ] && [ -d "$dir/bin" ]; then
      rm -rf "${CACHE:?}/$WANT_TOOLCHAIN"
      mkdir -p "$CACHE"
      cp -r "$dir" "$CACHE/$WANT_TOOLCHAIN"
      # The module cache extracts files without their execute bits.
      chmod -R u+w "$CACHE/$WANT_TOOLCHAIN"
      chmod +x "$CACHE/$WANT_TOOLCHAIN"/bin/* "$CACHE/$WANT_TOOLCHAIN"/pkg/tool/*/* 2>/dev/null
    fi
  fi
  rm -rf "$tmp"
  if go_ok "$CACHE/$WANT_TOOLCHAIN/bin/go"; then found "$CACHE/$WANT_TOOLCHAIN/bin/go"; fi
fi

cat >&2 <<EOF
######################################################################
## ensure-go: NO GO TOOLCHAIN >= 1.$MIN_MINOR COULD BE INSTALLED.
## The kube-apiserver integration tests and the client-go conformance
## harness will be reported as NOT RUN. They did not pass.
######################################################################
EOF
exit 1
