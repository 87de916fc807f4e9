#!/usr/bin/env bash
# Stop every server scripts/clickhouse/start.sh started (by pid file) and remove their data.
# --keep keeps the data directory.
set -euo pipefail
base="${WEBLOG_CH_DIR:-/tmp/weblog-clickhouse}"
for pidf in "$base"/*/server.pid; do
  [ -f "$pidf" ] || continue
  pid="$(cat "$pidf")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidf"
done
[ "${1:-}" = "--keep" ] || rm -rf "$base"
