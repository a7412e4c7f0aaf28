#!/usr/bin/env bash
# Build OPA for `design ... --engine opa` and the differential suite: upstream/opa is a Go module that
# pins github.com/open-policy-agent/opa and adds the tool dialect builtins designer also gives regorus
# (conftest's parse_config*, Trivy's result.new; see upstream/opa/main.go). The binary is `opa`.
#
#   scripts/build-opa.sh [DIR]
#
# DIR defaults to designer's cache folder: $XDG_CACHE_HOME/designer/opa/<version>-<digest> (else
# ~/.cache/designer/opa/...), where the digest is that of upstream/opa's files and the Go version, so
# two checkouts of different revisions never rebuild over each other. The binary lands in DIR/bin/opa; the script prints DIR/bin on
# stdout, so `export PATH="$(scripts/build-opa.sh):$PATH"` builds (or finds) OPA and puts it on PATH,
# which is where designer looks for it. A second run with nothing changed takes a moment.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/go-build.sh
. "$root/scripts/lib/go-build.sh"

module="$root/upstream/opa"
package=designer.local/upstream/opa
version=$(go_module_version "$module" github.com/open-policy-agent/opa)
stamp=$(go_build_stamp "$module" "$package")
out=${1:-"$(designer_cache_dir)/opa/$version-${stamp:0:12}"}
go_build_cached "$module" "$out" "$package"
"$out/bin/opa" version >/dev/null
printf '%s\n' "$(cd "$out/bin" && pwd)"
