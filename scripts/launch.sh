#!/usr/bin/env bash
# Quick-start command 1: install what is missing, build the release preset, run the app in the
# foreground. With arguments it runs `pccart ARGS...` (e.g. scripts/launch.sh customers list);
# without, until the TUI lands, it runs pccart-sandbox in the foreground (Ctrl-C stops it).
# Build output goes to stderr so that the app's stdout is the script's stdout.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh

build=build/release
app=pccart
if (($# == 0)); then
  app=pccart-sandbox
fi
{
  cmake --preset release --log-level=WARNING
  # Only the chosen program is built, not the tests.
  cmake --build --preset release --target "$app"
} >&2

exec "$build/src/$app" "$@"
