#!/usr/bin/env bash
# Fetch the real service-mesh CRDs the tests (and a user's sandbox) install: Istio's from the Go module
# istio.io/api, the Gateway API's from sigs.k8s.io/gateway-api, at the versions upstream/mesh-crds/go.mod
# pins (go.sum checks their content). Nothing is built: the modules come from the Go module proxy into
# the module cache, and their CRD files are copied out of it:
#
#   DIR/istio/crds.yaml                   istio.io/api's kubernetes/customresourcedefinitions.gen.yaml
#   DIR/gateway-api/standard/*.yaml       sigs.k8s.io/gateway-api's config/crd/standard
#   DIR/gateway-api/experimental/*.yaml   ... config/crd/experimental
#   DIR/*/LICENSE, DIR/VERSIONS           each module's licence (Apache-2.0); the versions fetched
#
#   scripts/fetch-mesh-crds.sh [DIR]
#
# DIR defaults to designer's cache, one folder per pinned pair of versions
# (${XDG_CACHE_HOME:-~/.cache}/designer/mesh-crds/istio-v1.32.0_gateway-api-v1.6.3), where the tests
# look by themselves. The script prints DIR. A second run finds the files in place (a stamp of go.mod
# and go.sum) and returns at once. Linkerd's CRDs are not here: its module is not served by the Go
# module proxy (README, "Real mesh CRDs").
#
# Install them into a sandbox or any cluster with kubectl, or as designer's Istio control plane:
#   kubectl apply -f "$(scripts/fetch-mesh-crds.sh)/istio/crds.yaml"
#   design adapters run istio install --param manifest="$(scripts/fetch-mesh-crds.sh)/istio"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/go-build.sh
. "$root/scripts/lib/go-build.sh"

module="$root/upstream/mesh-crds"
istio=$(go_module_version "$module" istio.io/api)
gateway=$(go_module_version "$module" sigs.k8s.io/gateway-api)
out=${1:-"$(designer_cache_dir)/mesh-crds/istio-${istio}_gateway-api-${gateway}"}

if ! command -v go >/dev/null 2>&1; then
  echo "fetch-mesh-crds: the Go toolchain is not on PATH (install Go 1.26 or newer)" >&2
  exit 3
fi
mkdir -p "$out"
stamp=$(cat "$module/go.mod" "$module/go.sum" | sha256sum | cut -d' ' -f1)

# The folder of one module in the module cache, downloaded (and checked against go.sum) when absent.
module_dir() {
  (cd "$module" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly go mod download "$1" &&
    GOTOOLCHAIN=local GOFLAGS=-mod=readonly go list -m -f '{{.Dir}}' "$1")
}

(
  flock 9
  if [ -f "$out/.fetch-stamp" ] && [ "$(cat "$out/.fetch-stamp")" = "$stamp" ]; then
    echo "up to date: $out (istio.io/api $istio, sigs.k8s.io/gateway-api $gateway)" >&2
    exit 0
  fi
  echo "fetching istio.io/api $istio and sigs.k8s.io/gateway-api $gateway -> $out" >&2
  istio_dir=$(module_dir istio.io/api)
  gateway_dir=$(module_dir sigs.k8s.io/gateway-api)
  work=$(mktemp -d "$out/.fetch.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/istio" "$work/gateway-api"
  cp "$istio_dir/kubernetes/customresourcedefinitions.gen.yaml" "$work/istio/crds.yaml"
  cp "$istio_dir/LICENSE" "$work/istio/LICENSE"
  for channel in standard experimental; do
    mkdir -p "$work/gateway-api/$channel"
    cp "$gateway_dir/config/crd/$channel/"*.yaml "$work/gateway-api/$channel/"
    rm -f "$work/gateway-api/$channel/kustomization.yaml"
  done
  cp "$gateway_dir/LICENSE" "$work/gateway-api/LICENSE"
  printf 'istio.io/api %s\nsigs.k8s.io/gateway-api %s\n' "$istio" "$gateway" >"$work/VERSIONS"
  chmod -R u+w,a+rX "$work"  # the module cache is read-only; the copies need not be
  rm -rf "$out/istio" "$out/gateway-api"
  mv "$work/istio" "$work/gateway-api" "$work/VERSIONS" "$out/"
  printf '%s\n' "$stamp" >"$out/.fetch-stamp"
) 9>"$out/.fetch-lock"
printf '%s\n' "$(cd "$out" && pwd)"
