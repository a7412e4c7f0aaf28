# shellcheck shell=bash
# Build upstream Go programs from a pinned Go module in this repository into a folder, once.
#
# Sourced by scripts/build-*.sh (the control plane, OPA). Each of them names a module folder
# (upstream/NAME, with go.mod and go.sum), the main packages to build and a destination folder;
# gobuild_install builds them with one `go build` (so packages shared by several programs are compiled
# once), then records a stamp of what it built. A later run whose stamp matches does nothing, so the
# scripts are cheap to call from .ci/run and from a developer's shell every time.
#
# No prebuilt binaries and no toolchain downloads: GOTOOLCHAIN=local makes an old Go fail with its own
# message instead of fetching a newer one.

# designer's cache folder (the same rule as designer/statepaths.py's cache_dir).
designer_cache_dir() {
  printf '%s/designer\n' "${XDG_CACHE_HOME:-$HOME/.cache}"
}

# The version a go.mod requires of a module path, e.g. gobuild_required_version DIR k8s.io/kubernetes.
gobuild_required_version() {
  awk -v path="$2" '$1 == path && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == path { print $3; exit }' \
    "$1/go.mod"
}

# The flags every build uses: no local paths in the binaries, no symbol tables (smaller, faster links).
# A script may append linker flags (e.g. -X version stamps) to GOBUILD_LDFLAGS before gobuild_install.
GOBUILD_LDFLAGS="-s -w"
gobuild_flags() {
  GOBUILD_FLAGS=(-trimpath "-ldflags=$GOBUILD_LDFLAGS")
}

# A digest of everything that decides the binaries: the module's files, the flags, the packages, the
# platform. The Go version is left out on purpose: a newer Go alone is no reason for a long rebuild.
gobuild_stamp() {
  local module=$1
  shift
  {
    (cd "$module" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 |
      LC_ALL=C sort -z | xargs -0 sha256sum)
    printf '%s\n' "${GOBUILD_FLAGS[@]}" "$@" "$(uname -s)-$(uname -m)"
  } | sha256sum | cut -d' ' -f1
}

# gobuild_install MODULE_DIR DEST_DIR PACKAGE... : build the packages' programs (named after the
# packages' last path element) into DEST_DIR unless a build with the same stamp is already there.
gobuild_install() {
  local module=$1 dest=$2
  shift 2
  local stamp names=() pkg
  gobuild_flags
  stamp=$(gobuild_stamp "$module" "$@")
  for pkg in "$@"; do names+=("${pkg##*/}"); done

  mkdir -p "$dest"
  exec 9>"$dest/.build.lock"
  if command -v flock >/dev/null 2>&1; then
    flock 9 # a second build of the same folder waits for the first, then finds it done
  fi
  if gobuild_is_current "$dest" "$stamp" "${names[@]}"; then
    echo "up to date: ${names[*]} in $dest" >&2
    return 0
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "error: building ${names[*]} needs Go (the version in $module/go.mod or newer) on PATH" >&2
    return 3
  fi

  local partial started
  partial=$(mktemp -d "$dest/.partial.XXXXXX")
  started=$SECONDS
  echo "building ${names[*]} with $(go env GOVERSION) into $dest (the first build takes minutes)" >&2
  if ! (cd "$module" && GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -mod=readonly" \
    go build "${GOBUILD_FLAGS[@]}" -o "$partial/" "$@"); then
    rm -rf "$partial"
    echo "error: the Go build failed (see above); the module is $module" >&2
    return 1
  fi
  for pkg in "${names[@]}"; do mv -f "$partial/$pkg" "$dest/$pkg"; done
  printf '%s\n' "$stamp" >"$partial/.build-stamp"
  mv -f "$partial/.build-stamp" "$dest/.build-stamp"
  rm -rf "$partial"
  echo "built ${names[*]} in $((SECONDS - started)) s" >&2
}

gobuild_is_current() {
  local dest=$1 stamp=$2
  shift 2
  [ -f "$dest/.build-stamp" ] && [ "$(cat "$dest/.build-stamp")" = "$stamp" ] || return 1
  local name
  for name in "$@"; do [ -x "$dest/$name" ] || return 1; done
}
