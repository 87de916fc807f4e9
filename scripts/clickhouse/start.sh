#!/usr/bin/env bash
# Start a throw-away ClickHouse server (or, with --cluster, two servers forming a 2-shard cluster)
# on loopback, without systemd: Debian's clickhouse-server binary (18.16), a generated config, data
# under a temp dir. Prints the URLs to export; `stop.sh` stops every server this script started.
# With --modern, a current ClickHouse (26.7, npm package @chdb/lib-linux-x64-gnu) instead:
# start-modern.sh, on other ports, so both can run side by side.
#
#   eval "$(scripts/clickhouse/start.sh)"                     # sets CLICKHOUSE_URL
#   eval "$(scripts/clickhouse/start.sh --cluster)"           # sets CLICKHOUSE_CLUSTER_URLS too
#   eval "$(scripts/clickhouse/start.sh --modern --cluster)"  # CLICKHOUSE_MODERN_URL, CLICKHOUSE_MODERN_CLUSTER_URLS
#
# Ports: single 18123 (HTTP) / 19000 (TCP); shards 18124+18125 / 19001+19002.
# WEBLOG_CH_DIR (default /tmp/weblog-clickhouse) holds configs, data, logs and pid files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
base="${WEBLOG_CH_DIR:-/tmp/weblog-clickhouse}"

cluster=0
modern=0
for arg in "$@"; do
  case "$arg" in
    --cluster) cluster=1 ;;
    --modern) modern=1 ;;
    *) echo "usage: start.sh [--modern] [--cluster]" >&2; exit 2 ;;
  esac
done
if [ "$modern" = 1 ]; then
  if [ "$cluster" = 1 ]; then exec "$here/start-modern.sh" --cluster; else exec "$here/start-modern.sh"; fi
fi

bin="$(command -v clickhouse-server || true)"
[ -n "$bin" ] || { echo "clickhouse-server not found (apt-get install clickhouse-server)" >&2; exit 1; }

# name http tcp interserver
start_one() {
  local name="$1" http="$2" tcp="$3" inter="$4"
  local dir="$base/$name"
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/log"
  sed -e "s#@DIR@#$dir#g" -e "s#@HTTP@#$http#g" -e "s#@TCP@#$tcp#g" -e "s#@INTER@#$inter#g" \
    "$here/config.xml.in" >"$dir/config.xml"
  cp "$here/users.xml" "$dir/users.xml"
  if running "$dir/server.pid"; then
    echo "clickhouse $name already running (pid $(cat "$dir/server.pid"))" >&2
  else
    rm -f "$dir/server.pid"
    port_free "$name" "$http" "$dir"
    # --daemon forks and writes the pid file; the server's own logs go to $dir/log.
    (cd "$dir" && "$bin" --config-file="$dir/config.xml" --pid-file="$dir/server.pid" --daemon >/dev/null 2>"$dir/log/stderr.log")
  fi
  wait_ping "$name" "$http" "$dir"
}

start_one single 18123 19000 19009
echo "export CLICKHOUSE_URL=clickhouse://default:@127.0.0.1:18123/weblog_test"
if [ "$cluster" = 1 ]; then
  start_one shard1 18124 19001 19010
  start_one shard2 18125 19002 19011
  echo "export CLICKHOUSE_CLUSTER_URLS=http://127.0.0.1:18124,http://127.0.0.1:18125"
fi
