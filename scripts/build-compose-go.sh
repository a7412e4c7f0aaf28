#!/usr/bin/env bash
# Build compose-go's loader as a program, the reference designer's Compose import is tested against:
# upstream/compose-go is a Go module that pins github.com/compose-spec/compose-go/v2 (the Compose
# specification's reference loader, the one `docker compose` uses) and prints the project it loads as
# JSON (see upstream/compose-go/main.go). The binary is `compose-go`.
#
#   scripts/build-compose-go.sh [DIR]
#
# DIR defaults to designer's cache folder: $XDG_CACHE_HOME/designer/compose-go/<version>-<digest>
# (else ~/.cache/designer/compose-go/...). The script prints DIR/bin, so
# `export PATH="$(scripts/build-compose-go.sh):$PATH"` builds (or finds) it and puts it on PATH, where
# the tests look. The first build takes under a minute on two cores; a second run finds it done.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/go-build.sh
. "$root/scripts/lib/go-build.sh"

module="$root/upstream/compose-go"
package=designer.local/upstream/compose-go
version=$(go_module_version "$module" github.com/compose-spec/compose-go/v2)
stamp=$(go_build_stamp "$module" "$package")
out=${1:-"$(designer_cache_dir)/compose-go/$version-${stamp:0:12}"}
go_build_cached "$module" "$out" "$package"
printf '%s\n' "$(cd "$out/bin" && pwd)"
