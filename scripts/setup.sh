#!/usr/bin/env bash
# Installs the Debian 12 packages pccart needs to build, test and run, and only those that are
# missing: silent when everything is present, so the quick-start scripts can call it every time.
# Set PCC_SKIP_SETUP=1 to skip it (another distribution, or packages managed some other way).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libncurses-dev libcurl4-openssl-dev libcjson-dev libconfig-dev libmicrohttpd-dev
  libcmocka-dev libvterm-dev libsqlite3-dev libssl-dev
  valgrind curl tig sqlite3
)

die() {
  printf 'setup.sh: %s\n' "$*" >&2
  exit 1
}

if [[ "${PCC_SKIP_SETUP:-0}" == 1 ]]; then
  exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  die "dpkg-query not found: this script installs Debian packages (Debian 12). Install the" \
    "equivalents of: ${packages[*]} yourself, then run again with PCC_SKIP_SETUP=1."
fi

missing=()
for pkg in "${packages[@]}"; do
  # A package that was removed but left its configuration reports "deinstall ok config-files",
  # and one never seen makes dpkg-query fail: both count as missing.
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if ((EUID == 0)); then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  die "missing packages: ${missing[*]}. Not running as root and sudo is not installed;" \
    "as root run: apt-get update && apt-get install ${missing[*]}"
fi

printf 'setup.sh: installing %s\n' "${missing[*]}" >&2
# Through env because sudo drops the caller's environment.
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
  die "apt-get update failed (network? apt sources?)"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
  die "apt-get install failed for: ${missing[*]}"
printf 'setup.sh: installed %s\n' "${missing[*]}" >&2
