#!/usr/bin/env bash
# Builds kube-apiserver, etcd and kubectl from the Go module proxy into a cache
# outside the repository, and reuses them when their `--version` matches.
#
# Usage: test-utils/kube-testbin/build.sh
# Env:   KUBE_TESTBIN_DIR  where the binaries go
#                          (default: $HOME/.cache/kube-testbin/v1.37.2)
#        KUBE_TESTBIN_SKIP_KUBECTL=1  do not build kubectl
#
# Only go.mod and go.sum are committed; the binaries never are.
set -euo pipefail

K8S_VERSION=v1.37.2
K8S_MINOR=37
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN="${KUBE_TESTBIN_DIR:-$HOME/.cache/kube-testbin/$K8S_VERSION}"

export GOTOOLCHAIN=local
export CGO_ENABLED=0
export GOFLAGS=-mod=readonly
unset GOWORK || true

cd "$HERE"
ETCD_VERSION="$(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)"
ETCD_WANT="${ETCD_VERSION#v}"

# Capture first, then match: `cmd | grep -q` fails under pipefail when grep
# exits early and cmd gets SIGPIPE.
version_of() { [ -x "$1" ] && "$@" 2>/dev/null || true; }
apiserver_ok() {
  [[ "$(version_of "$BIN/kube-apiserver" --version)" == "Kubernetes $K8S_VERSION" ]]
}
etcd_ok() {
  [[ "$(version_of "$BIN/etcd" --version)" == *"etcd Version: $ETCD_WANT"* ]]
}
kubectl_ok() {
  [[ "$(version_of "$BIN/kubectl" version --client)" == *"Client Version: $K8S_VERSION"* ]]
}

want_kubectl=1
[ "${KUBE_TESTBIN_SKIP_KUBECTL:-}" = "1" ] && want_kubectl=0

if apiserver_ok && etcd_ok && { [ "$want_kubectl" = 0 ] || kubectl_ok; }; then
  echo "kube-testbin: reusing $BIN (kube-apiserver $K8S_VERSION, etcd $ETCD_VERSION)"
  exit 0
fi

mkdir -p "$BIN"
start=$(date +%s)
echo "kube-testbin: building into $BIN with $(go version) (this is slow the first time)"

LDF="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDF="$LDF -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$K8S_MINOR"
  LDF="$LDF -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done

# Build into a temporary name, then rename, so an interrupted build never
# leaves a half-written binary that a later run would try to execute.
if ! apiserver_ok; then
  go build -trimpath -tags=notest -ldflags="$LDF" -o "$BIN/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
  mv "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
  echo "kube-testbin: kube-apiserver built after $(($(date +%s) - start)) s"
fi
if ! etcd_ok; then
  go build -trimpath -ldflags="-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$BIN/etcd.tmp" "$BIN/etcd"
  echo "kube-testbin: etcd built after $(($(date +%s) - start)) s"
fi
if [ "$want_kubectl" = 1 ] && ! kubectl_ok; then
  go build -trimpath -ldflags="$LDF" -o "$BIN/kubectl.tmp" k8s.io/kubernetes/cmd/kubectl
  mv "$BIN/kubectl.tmp" "$BIN/kubectl"
  echo "kube-testbin: kubectl built after $(($(date +%s) - start)) s"
fi

apiserver_ok || { echo "kube-testbin: kube-apiserver --version does not say $K8S_VERSION" >&2; exit 1; }
etcd_ok || { echo "kube-testbin: etcd --version does not say $ETCD_WANT" >&2; exit 1; }
echo "kube-testbin: built in $(($(date +%s) - start)) s (cold build time includes downloads)"
