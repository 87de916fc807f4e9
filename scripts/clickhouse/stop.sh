#!/usr/bin/env bash
# Stop the servers scripts/clickhouse/start.sh started (by pid file) and remove their data.
#   (no flag)  the 18.16 servers (WEBLOG_CH_DIR)
#   --modern   the 26.7 servers of `start.sh --modern` (WEBLOG_CH_MODERN_DIR)
#   --all      both
#   --keep     keep the data directories
set -euo pipefail
dirs=()
keep=0
for arg in "$@"; do
  case "$arg" in
    --modern) dirs+=("${WEBLOG_CH_MODERN_DIR:-/tmp/weblog-clickhouse-modern}") ;;
    --all) dirs+=("${WEBLOG_CH_DIR:-/tmp/weblog-clickhouse}" "${WEBLOG_CH_MODERN_DIR:-/tmp/weblog-clickhouse-modern}") ;;
    --keep) keep=1 ;;
    *) echo "usage: stop.sh [--modern|--all] [--keep]" >&2; exit 2 ;;
  esac
done
[ ${#dirs[@]} -gt 0 ] || dirs=("${WEBLOG_CH_DIR:-/tmp/weblog-clickhouse}")

for base in "${dirs[@]}"; do
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
  [ "$keep" = 1 ] || rm -rf "$base"
done
