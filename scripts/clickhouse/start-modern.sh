#!/usr/bin/env bash
# Start a throw-away current ClickHouse (26.7, from the npm package @chdb/lib-linux-x64-gnu) on
# loopback: one server, or with --cluster also two servers forming a 2-shard cluster. Called by
# `start.sh --modern [--cluster]`; prints the URLs to export. `stop.sh --modern` stops them.
#
# This is clickhouse-local's server mode (chdb-server.c): MergeTree, Distributed, mutations, the
# HTTP and native protocols are the real server's code, but there is one passwordless `default`
# user and users.xml, profiles and quotas are not read.
#
# Ports: single 28123 (HTTP) / 28124 (TCP); shards 28125/28126 and 28127/28128.
# WEBLOG_CH_MODERN_DIR (default /tmp/weblog-clickhouse-modern) holds configs, data, logs, pid files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
base="${WEBLOG_CH_MODERN_DIR:-/tmp/weblog-clickhouse-modern}"
cluster=0
[ "${1:-}" = "--cluster" ] && cluster=1

shim="$("$here/chdb-install.sh")"

# name http (tcp = http + 1)
start_one() {
  local name="$1" http="$2"
  local tcp=$((http + 1)) dir="$base/$1"
  mkdir -p "$dir/data" "$dir/log"
  sed -e "s#@DIR@#$dir#g" -e 's#@SHARD1_TCP@#28126#g' -e 's#@SHARD2_TCP@#28128#g' \
    "$here/chdb-config.xml.in" >"$dir/config.xml"
  if running "$dir/server.pid"; then
    echo "clickhouse $name already running (pid $(cat "$dir/server.pid"))" >&2
  else
    port_free "$name" "$http" "$dir"
    # The last query never ends (one row a second from an endless table): the server lives until
    # stop.sh signals it. setsid: not in the caller's process group, so ^C there does not stop it.
    # TZ=UTC like the 18.16 servers (clickhouse-local takes its time zone from the environment).
    # mutations_sync=0: the packaged server's default (chdb's is 1), so ALTER … DELETE returns
    # before the mutation is done and the store's wait for system.mutations is exercised as on a
    # real server.
    TZ=UTC setsid "$shim" --config-file="$dir/config.xml" --log-level=warning --mutations_sync=0 --path="$dir/data/" \
      --listen_host=127.0.0.1 --http_port="$http" --tcp_port="$tcp" \
      --query="SYSTEM START LISTEN HTTP; SYSTEM START LISTEN TCP; SELECT sleepEachRow(1) FROM system.numbers SETTINGS max_block_size = 1 FORMAT Null" \
      </dev/null >"$dir/log/stdout.log" 2>"$dir/log/stderr.log" &
    echo $! >"$dir/server.pid"
  fi
  wait_ping "$name (26.7)" "$http" "$dir" "$(cat "$dir/server.pid")"
}

start_one single 28123
echo "export CLICKHOUSE_MODERN_URL=clickhouse://default:@127.0.0.1:28123/weblog_test"
if [ "$cluster" = 1 ]; then
  start_one shard1 28125
  start_one shard2 28127
  echo "export CLICKHOUSE_MODERN_CLUSTER_URLS=http://127.0.0.1:28125,http://127.0.0.1:28127"
fi
