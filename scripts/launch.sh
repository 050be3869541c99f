#!/usr/bin/env bash
# Quick-start command 1: install what is missing, build the release preset, run the app in the
# foreground: `pccart` (the interactive app, on the in-process sandbox unless a profile says
# otherwise). Arguments are passed on (scripts/launch.sh customers list runs a command).
# Build output goes to stderr so that the app's stdout is the script's stdout.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh

build=build/release
app=pccart
{
  cmake --preset release --log-level=WARNING
  # Only the chosen program is built, not the tests.
  cmake --build --preset release --target "$app"
} >&2

exec "$build/src/$app" "$@"
