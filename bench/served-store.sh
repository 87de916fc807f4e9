#!/bin/bash
# A store written by `weblog serve`: LOG posted in 20 requests, the report timed, the server
# restarted (its start runs the compaction, rollups and purge), the report timed again.
#
#   bash bench/served-store.sh LOG [WEBLOG_DIR]
#
# LOG: an access log in combined format (the bench's 1M file: bench/.cache/access-1000000-*.log).
# Needs curl and sqlite3 (Debian packages); port 18099 on loopback.
set -euo pipefail
LOG=$(realpath "$1")
cd "${2:-$(dirname "$0")/..}"
D=$(mktemp -d)
S=$D/s.db
node bin/weblog.js customer add c --store "$S" >/dev/null
node bin/weblog.js site add bench.example --customer c --store "$S" >/dev/null
TOK=$(node bin/weblog.js token create --operator --store "$S" | tail -1)
split -n l/20 -d "$LOG" "$D/part."
start() {
  node bin/weblog.js serve --store "$S" --port 18099 --ip full --format combined >"$D/serve.log" 2>&1 &
  echo $! >"$D/pid"
  for _ in $(seq 50); do curl -sf localhost:18099/healthz >/dev/null && return; sleep 0.2; done
}
stop() {
  kill "$(cat "$D/pid")"
  while kill -0 "$(cat "$D/pid")" 2>/dev/null; do sleep 0.2; done
}
state() { sqlite3 "$S" "SELECT (SELECT COUNT(*) FROM seg) || ' segments, ' || (SELECT COUNT(*) FROM seg_rollup) || ' rollups'"; }
reports() { for _ in 1 2 3; do /usr/bin/time -f "  report: %e s, %M KB" node bin/weblog.js report --store "$S" --site bench.example --format json >/dev/null; done; }
start
for f in "$D"/part.*; do
  curl -sf -o /dev/null -H "authorization: Bearer $TOK" -H 'content-type: text/plain' --data-binary "@$f" localhost:18099/ingest/bench.example
done
stop
echo "after 20 requests: $(state)"
reports
start
# The compaction at start is done when a rollup appears (or after 60 s).
for _ in $(seq 120); do [ "$(sqlite3 "$S" 'SELECT COUNT(*) FROM seg_rollup')" != 0 ] && break; sleep 0.5; done
sleep 1
stop
echo "after the server's next start: $(state)"
reports
rm -rf "$D"
