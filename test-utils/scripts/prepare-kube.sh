#!/usr/bin/env bash
# CI entry point for the Kubernetes integration tests: makes sure Go is there
# (test-utils/scripts/ensure-go.sh) and that kube-apiserver, etcd and kubectl
# are built (test-utils/kube-testbin/build.sh, which prints its time).
#
# Usage in .ci/run, before `npm test`:
#   source test-utils/scripts/prepare-kube.sh
# (sourced, so the Go it found stays on PATH for the conformance harness).
#
# Without Go it prints a loud banner and returns 0: the integration suites
# then report themselves NOT RUN. With Go, a failed build returns 1.
_er_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if _er_go_dir="$(bash "$_er_here/ensure-go.sh")"; then
  export PATH="$_er_go_dir:$PATH"
  bash "$_er_here/../kube-testbin/build.sh" || return 1 2>/dev/null || exit 1
else
  echo "prepare-kube: no Go: the Kubernetes integration tests will be NOT RUN" >&2
fi
unset _er_here _er_go_dir
