#!/usr/bin/env bash
# Installs the built tree into a temporary prefix, then builds and runs two outside consumers
# against it: one with CMake's find_package, one with pkg-config. Usage: run.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 here=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null

echo "== find_package(crm CONFIG)"
cmake -S "$here/cmake_project" -B "$tmp/cmake-build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cmake-build" >/dev/null
"$tmp/cmake-build/consumer"

echo "== pkg-config crm"
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
cc -std=c99 -Wall -Wextra -pedantic -Werror "$here/consumer.c" $(pkg-config --cflags --libs crm) -o "$tmp/c-consumer"
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/c-consumer"
