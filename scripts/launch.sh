#!/usr/bin/env bash
# Quick-start command 1: install what is missing, build the release preset, run the app in the
# foreground. Arguments are passed to the app (e.g. scripts/launch.sh --customers 1000).
# Build output goes to stderr so that the app's stdout is the script's stdout.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh

build=build/release
{
  cmake --preset release --log-level=WARNING
  # The app is pccart once its target exists; until then it is pccart-sandbox, which is what
  # pccart embeds by default. Only the chosen program is built, not the tests.
  app=pccart-sandbox
  if ninja -C "$build" -t query pccart >/dev/null 2>&1; then
    app=pccart
  fi
  cmake --build --preset release --target "$app"
} >&2

exec "$build/src/$app" "$@"
