#!/usr/bin/env bash
# Configures (once) and builds a meson build directory: build.sh DIR [meson options...]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-build}
shift || true
cd "$top"
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "$@"
fi
ninja -C "$dir"
