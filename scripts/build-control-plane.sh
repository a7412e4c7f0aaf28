#!/usr/bin/env bash
# Build the upstream Kubernetes control plane that `design sandbox up --engine kube-apiserver` and the
# tests run: etcd, kube-apiserver and kube-controller-manager, from the Go module pinned in
# upstream/control-plane (no kube-scheduler: designer's simulated kubelet binds pods itself).
#
#   scripts/build-control-plane.sh [DIR]
#
# DIR defaults to designer's cache, one folder per Kubernetes version
# (${XDG_CACHE_HOME:-~/.cache}/designer/control-plane/v1.37.2). The programs land in DIR/bin, which the
# script prints (what `--binaries` takes; designer looks in the default one by itself). A second run
# finds the build done and returns in a moment. Needs Go (see upstream/control-plane/go.mod); the
# first build takes several minutes on two cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/go-build.sh
. "$root/scripts/lib/go-build.sh"

module="$root/upstream/control-plane"
version=$(go_module_version "$module" k8s.io/kubernetes)
out=${1:-"$(designer_cache_dir)/control-plane/$version"}

# What Kubernetes' own build stamps in (hack/lib/version.sh): /version and kubectl's skew check read it.
minor=${version#v1.}
minor=${minor%%.*}
GO_BUILD_LDFLAGS=""
for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  GO_BUILD_LDFLAGS+=" -X $package.gitVersion=$version -X $package.gitMajor=1 -X $package.gitMinor=$minor"
  GO_BUILD_LDFLAGS+=" -X $package.gitTreeState=clean -X $package.buildDate=1970-01-01T00:00:00Z"
done
export GO_BUILD_LDFLAGS

go_build_cached "$module" "$out" \
  ./cmd/etcd \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager
printf '%s\n' "$(cd "$out/bin" && pwd)"
