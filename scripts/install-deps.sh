#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet,
# as root or through sudo, and checks that a Go toolchain is at hand.
set -euo pipefail

missing=()
if ! command -v dpkg-query >/dev/null; then
  # macOS and other systems: the packages below are Debian's.
  echo "install-deps: not a Debian system; install a C compiler (on macOS: xcode-select --install) and Go yourself" >&2
  set --
fi
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]]; then sudo=()
  elif command -v sudo >/dev/null; then sudo=(sudo)
  else echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo: install them, then retry" >&2; exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null && [[ ! -x /usr/local/go/bin/go ]]; then
  # Debian's Go is older than go.mod asks for; with GOTOOLCHAIN=auto it
  # fetches the right toolchain from the Go module proxy on first build.
  echo "install-deps: no Go found; installing Debian's golang-go as a bootstrap"
  if [[ $(id -u) == 0 ]]; then apt-get install -y -qq golang-go >/dev/null; else sudo apt-get install -y -qq golang-go >/dev/null; fi
fi
