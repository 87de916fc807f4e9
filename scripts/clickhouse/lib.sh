# Shared by start.sh and start-modern.sh (sourced, not run).

if ! command -v curl >/dev/null; then
  # /ping without curl: bash's /dev/tcp.
  curl() { local port="${*: -1}"; port="${port#http://127.0.0.1:}"; port="${port%%/*}";
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf 'GET /ping HTTP/1.0\r\n\r\n' >&3; tail -n1 <&3; exec 3<&-; }
fi

# answers PORT: a ClickHouse on 127.0.0.1:PORT answers /ping.
answers() { [ "$(curl -s --max-time 1 "http://127.0.0.1:$1/ping" 2>/dev/null || true)" = "Ok." ]; }

# port_free NAME HTTP_PORT DIR: exits the script when another server already answers there
# (its /ping would pass for ours while ours fails to listen).
port_free() {
  if answers "$2"; then
    echo "clickhouse $1: port $2 already answers, but not a server started with $3 (stop it, or use another data directory)" >&2
    exit 1
  fi
}

# wait_ping NAME HTTP_PORT DIR [PID]: until /ping answers (10 s at most); with PID, give up as
# soon as that process has exited. Exits the script with the log's tail on failure.
wait_ping() {
  local name="$1" http="$2" dir="$3" pid="${4:-}" i
  for i in $(seq 1 200); do
    if answers "$http"; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.05
  done
  echo "clickhouse $name did not answer /ping on port $http; see $dir/log" >&2
  tail -n 5 "$dir"/log/*.log >&2 2>/dev/null || true
  exit 1
}

# running PIDFILE: true when the pid file names a live process.
running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
