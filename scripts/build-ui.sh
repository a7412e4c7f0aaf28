#!/usr/bin/env bash
# Rebuild the front end of `design ui` (ui/src → designer/ui/static/) from the versions pinned in
# ui/package-lock.json. Needs Node.js 18+ and npm; the built files are committed, so installing
# designer never needs them. tests/ui/test_bundle.py checks the committed files match this build.
set -euo pipefail
cd "$(dirname "$0")/../ui"
npm ci --no-audit --no-fund --ignore-scripts >/dev/null
node build.mjs
git -C .. status --short -- designer/ui/static
