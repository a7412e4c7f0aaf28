# shellcheck shell=bash
# Build Go main packages of a pinned module in this repository into a cached folder, once.
#
# Sourced by the scripts that build upstream programs (scripts/build-opa.sh, and any other
# scripts/build-*.sh): they name the module folder, the output folder and the packages; this helper
# builds them with the module's go.mod/go.sum as the only source of versions (-mod=readonly, the
# checksum database and GOTOOLCHAIN=local: no other toolchain is fetched), and skips the work when
# the output folder already holds binaries built from the same go.mod, go.sum, the module's own .go
# files, Go version, linker flags and package list (a stamp file records them), so a second run
# takes a moment.
#
#   go_build_cached MODULE_DIR OUT_DIR PACKAGE...
#       builds each PACKAGE (a Go import path of a main package) to OUT_DIR/bin/<last path element>,
#       all in one `go build` (packages shared by several programs compile once, links overlap);
#       GO_BUILD_LDFLAGS adds linker flags (e.g. -X version stamps) to the default "-s -w"
#   designer_cache_dir
#       prints designer's cache folder ($XDG_CACHE_HOME/designer, else ~/.cache/designer)
#   go_module_version MODULE_DIR MODULE_PATH
#       prints the version go.mod pins for MODULE_PATH (e.g. v1.22.4)
#   go_build_stamp MODULE_DIR PACKAGE...
#       prints the digest of what the build depends on (the stamp above; a cache folder named after
#       it is never shared by two different builds, e.g. two checkouts of different revisions)
#
# Concurrent runs for the same OUT_DIR wait for each other (flock); binaries are built into a
# temporary folder and moved in place, so an interrupted build never leaves a half-written binary.

designer_cache_dir() {
  printf '%s/designer\n' "${XDG_CACHE_HOME:-$HOME/.cache}"
}

go_module_version() {
  local module_dir=$1 module_path=$2
  awk -v m="$module_path" '
    $1 == "require" && $2 == m { print $3; exit }
    $1 == m && $2 ~ /^v/ { print $2; exit }
  ' "$module_dir/go.mod"
}

go_build_stamp() {
  local module_dir ldflags="-s -w${GO_BUILD_LDFLAGS:+ $GO_BUILD_LDFLAGS}"
  module_dir=$(cd "$1" && pwd)
  shift
  {
    cat "$module_dir/go.mod" "$module_dir/go.sum"
    (cd "$module_dir" && find . -name '*.go' -print0 | LC_ALL=C sort -z | xargs -0 -r cat)
    GOTOOLCHAIN=local go env GOVERSION GOOS GOARCH
    printf '%s\n' "$ldflags" "$@"
  } | sha256sum | cut -d' ' -f1
}

go_build_cached() {
  local module_dir=$1 out_dir=$2
  shift 2
  if ! command -v go >/dev/null 2>&1; then
    echo "go_build_cached: the Go toolchain is not on PATH (install Go ${GO_MIN_VERSION:-1.24} or newer)" >&2
    return 3
  fi
  module_dir=$(cd "$module_dir" && pwd)
  mkdir -p "$out_dir/bin"
  local stamp_file="$out_dir/.build-stamp" stamp pkg name missing=0
  local ldflags="-s -w${GO_BUILD_LDFLAGS:+ $GO_BUILD_LDFLAGS}"
  stamp=$(go_build_stamp "$module_dir" "$@")
  (
    flock 9
    for pkg in "$@"; do
      [ -x "$out_dir/bin/${pkg##*/}" ] || missing=1
    done
    if [ "$missing" = 0 ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
      echo "up to date: $out_dir/bin ($*)" >&2
      exit 0
    fi
    local work
    work=$(mktemp -d "$out_dir/.build.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    echo "building $* -> $out_dir/bin (the first build of a large program takes minutes)" >&2
    (cd "$module_dir" && GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" \
      go build -trimpath -ldflags="$ldflags" -o "$work/" "$@") || exit 3
    for pkg in "$@"; do
      name=${pkg##*/}
      mv -f "$work/$name" "$out_dir/bin/$name"
    done
    printf '%s\n' "$stamp" >"$stamp_file"
  ) 9>"$out_dir/.build-lock"
}
