#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and running libcrm needs.
# Idempotent: when everything is present it only checks (no apt-get at all).
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  libsoci-dev libboost-dev libsqlite3-dev libpq-dev
  libsodium-dev libcjose-dev libjansson-dev libfmt-dev
  libcrypt-dev  # bcrypt verification (crypt_r) for users adopted from the Node backend
  doctest-dev libcpp-httplib-dev nlohmann-json3-dev
  libcli11-dev  # crmctl's command line
  postgresql-15 valgrind curl doxygen
  python3 python3-pip python3-venv  # the Python binding's tests: a fresh venv per install test
  wrk  # bench/http.sh (the benchmark smoke in .ci/run)
  clang-14 libclang-rt-14-dev  # make fuzz-smoke (libFuzzer)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done

# Node.js and npm: scripts/lint-openapi.sh (CI) runs a pinned @redocly/cli through npx. Checked by
# command, not by package: a Node.js from elsewhere (NodeSource's bundles npm) serves as well.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

# cjose before 0.6.2.1-1+deb12u2 has the HMAC length bug we must not ship against.
if dpkg-query -W -f='${Version}\n' libcjose0 >/dev/null 2>&1; then
  v=$(dpkg-query -W -f='${Version}\n' libcjose0)
  dpkg --compare-versions "$v" ge 0.6.2.1-1+deb12u2 || missing+=(libcjose0 libcjose-dev)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
