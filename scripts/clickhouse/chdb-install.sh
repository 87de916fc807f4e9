#!/usr/bin/env bash
# Install the pinned ClickHouse library (npm package @chdb/lib-linux-x64-gnu) into a cache
# directory outside node_modules and build the server shim (chdb-server.c) against it with gcc.
# Prints the shim's path. Idempotent: a second run with the cache in place costs nothing.
#
#   WEBLOG_CHDB_CACHE  cache directory (default ${XDG_CACHE_HOME:-~/.cache}/weblog/chdb-<version>)
#
# Pinned to an exact version on purpose: the `latest` tag (26.5.3) cannot open listeners, and a
# test server that changes under CI would make failures unreproducible. Not a devDependency: the
# library is 543 MB unpacked and only the ClickHouse tests need it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pkg='@chdb/lib-linux-x64-gnu'
version='26.7.3-stable.1'
cache="${WEBLOG_CHDB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/weblog/chdb-${version%%-*}}"
lib="$cache/node_modules/$pkg"

installed() { [ -f "$lib/libchdb.so" ] && [ "$(node -p "require('$lib/package.json').version" 2>/dev/null)" = "$version" ]; }

if ! installed; then
  command -v npm >/dev/null || { echo "npm not found: needed to install $pkg@$version" >&2; exit 1; }
  mkdir -p "$(dirname "$cache")"
  # Into a temp directory first, then renamed: an interrupted download never looks installed.
  tmp="$(mktemp -d "$cache.tmp.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "installing $pkg@$version into $cache (178 MB download)" >&2
  npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$pkg@$version" >&2
  rm -rf "$cache"
  mv "$tmp" "$cache"
  trap - EXIT
  installed || { echo "$pkg@$version did not install into $cache" >&2; exit 1; }
fi

shim="$cache/chdb-server"
if [ ! -x "$shim" ] || [ "$here/chdb-server.c" -nt "$shim" ]; then
  command -v gcc >/dev/null || { echo "gcc not found (apt-get install gcc)" >&2; exit 1; }
  gcc -O2 -Wall -Werror -o "$shim.tmp" "$here/chdb-server.c" -L"$lib" -lchdb -Wl,-rpath,"$lib"
  mv "$shim.tmp" "$shim"
fi
echo "$shim"
