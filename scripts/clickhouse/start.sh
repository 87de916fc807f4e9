#!/usr/bin/env bash
# Start a throw-away ClickHouse server (or, with --cluster, two servers forming a 2-shard cluster)
# on loopback, without systemd: Debian's clickhouse-server binary, a generated config, data under
# a temp dir. Prints the URLs to export; `stop.sh` stops every server this script started.
#
#   eval "$(scripts/clickhouse/start.sh)"            # sets CLICKHOUSE_URL
#   eval "$(scripts/clickhouse/start.sh --cluster)"  # sets CLICKHOUSE_CLUSTER_URLS too
#
# Ports: single 18123 (HTTP) / 19000 (TCP); shards 18124+18125 / 19001+19002.
# WEBLOG_CH_DIR (default /tmp/weblog-clickhouse) holds configs, data, logs and pid files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
base="${WEBLOG_CH_DIR:-/tmp/weblog-clickhouse}"
bin="$(command -v clickhouse-server || true)"
[ -n "$bin" ] || { echo "clickhouse-server not found (apt-get install clickhouse-server)" >&2; exit 1; }

cluster=0
[ "${1:-}" = "--cluster" ] && cluster=1

# name http tcp interserver
start_one() {
  local name="$1" http="$2" tcp="$3" inter="$4"
  local dir="$base/$name"
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/log"
  sed -e "s#@DIR@#$dir#g" -e "s#@HTTP@#$http#g" -e "s#@TCP@#$tcp#g" -e "s#@INTER@#$inter#g" \
    "$here/config.xml.in" >"$dir/config.xml"
  cp "$here/users.xml" "$dir/users.xml"
  if [ -f "$dir/server.pid" ] && kill -0 "$(cat "$dir/server.pid")" 2>/dev/null; then
    echo "clickhouse $name already running (pid $(cat "$dir/server.pid"))" >&2
  else
    rm -f "$dir/server.pid"
    # --daemon forks and writes the pid file; the server's own logs go to $dir/log.
    (cd "$dir" && "$bin" --config-file="$dir/config.xml" --pid-file="$dir/server.pid" --daemon >/dev/null 2>"$dir/log/stderr.log")
  fi
  local i
  for i in $(seq 1 200); do
    if [ "$(curl -s --max-time 1 "http://127.0.0.1:$http/ping" 2>/dev/null || true)" = "Ok." ]; then return 0; fi
    sleep 0.05
  done
  echo "clickhouse $name did not answer /ping on port $http; see $dir/log" >&2
  exit 1
}

if ! command -v curl >/dev/null; then
  # /ping without curl: bash's /dev/tcp.
  curl() { local port="${*: -1}"; port="${port#http://127.0.0.1:}"; port="${port%%/*}";
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf 'GET /ping HTTP/1.0\r\n\r\n' >&3; tail -n1 <&3; exec 3<&-; }
fi

start_one single 18123 19000 19009
echo "export CLICKHOUSE_URL=clickhouse://default:@127.0.0.1:18123/weblog_test"
if [ "$cluster" = 1 ]; then
  start_one shard1 18124 19001 19010
  start_one shard2 18125 19002 19011
  echo "export CLICKHOUSE_CLUSTER_URLS=http://127.0.0.1:18124,http://127.0.0.1:18125"
fi
