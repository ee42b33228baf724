#!/usr/bin/env bash
# API throughput against a bare libmicrohttpd server, measured in the same run
# (performance budget: JSON read endpoints >= 0.7 of the bare server's req/s in the same run).
#   bash bench/api.sh [build-dir]
# BENCH_DURATION (default 10s), BENCH_CONNECTIONS (16), BENCH_THREADS (2) tune wrk.
# Then the face endpoints' latency (bench/bench_recognize.c): enrolment uploads and
# recognize-faces on a 1080p class photo at concurrency 1 and 4; BENCH_RECOGNIZE_K (40)
# requests per level. It needs models/ and ../shared/testdata/faces, else it says skipped.
set -euo pipefail

BUILD=${1:-build}
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
BIN="$(realpath -m "$BUILD/attendly")"
HELLO="$(realpath -m "$BUILD/bench/attendly-bench-hello")"
RECOGNIZE="$(realpath -m "$BUILD/bench/attendly-bench-recognize")"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "bench-api: $tool is not installed" >&2; exit 1; }
done
[ -x "$BIN" ] && [ -x "$HELLO" ] || { echo "bench-api: build first ($BIN, $HELLO)" >&2; exit 1; }
# Both servers accept at most 256 connections (ATTENDLY_MAX_CONNECTIONS default, and
# bench/hello.c): beyond that wrk would measure refused connections, not throughput.
MAX_CONNS=256
if [ "$CONNS" -gt "$MAX_CONNS" ]; then
  echo "bench-api: BENCH_CONNECTIONS=$CONNS exceeds the servers' limit of $MAX_CONNS" >&2
  exit 1
fi

work=$(mktemp -d)
pids=()
stop_servers() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
cleanup() {
  stop_servers
  rm -rf "$work"
}
trap cleanup EXIT

# The bare server prints its port on stdout.
"$HELLO" 0 >"$work/hello.out" &
pids+=($!)
# attendly on SQLite in a scratch data dir; its port is read from the "listening" log line.
# Pool and connection limits are the defaults a user gets: settings inherited from the
# caller's environment must not skew the comparison.
(cd "$work" && exec env -u ATTENDLY_DB_POOL -u ATTENDLY_MAX_CONNECTIONS -u DATABASE_URL \
   HOST=127.0.0.1 PORT=0 ATTENDLY_DATA_DIR="$work/data" ATTENDLY_PASSWORD_COST=1 \
   "$BIN" serve 2>"$work/server.log") &
pids+=($!)

port_of() { # file pattern
  for _ in $(seq 1 300); do
    p=$(grep -o "$2[0-9]*" "$1" 2>/dev/null | head -1 | sed "s/$2//") || true
    [ -n "$p" ] && { echo "$p"; return; }
    sleep 0.05
  done
  echo "bench-api: a server did not start ($1)" >&2; cat "$1" >&2; exit 1
}
hello_port=$(port_of "$work/hello.out" "port=")
api_port=$(port_of "$work/server.log" "msg=\"listening\" host=127.0.0.1 port=")

# A teacher and a class, then the JSON read endpoint GET /api/classes/my-classes.
base="http://127.0.0.1:$api_port"
signup=$(curl -s -X POST "$base/api/auth/signup" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password","first_name":"Bench","last_name":"Teacher","role":"teacher"}')
token=$(printf '%s' "$signup" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
if [ -n "$token" ]; then
  curl -s -X POST "$base/api/classes/create" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"name":"Bench class","description":"x"}' >/dev/null
  target="/api/classes/my-classes"
  auth=(-H "Authorization: Bearer $token")
else
  # Without the auth routes in this build there is no token: measure /health instead.
  target="/health"
  auth=()
  echo "note: /api/auth/signup unavailable in this build; benchmarking GET /health" >&2
fi
status=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$base$target")

run() { # url [headers...]
  local url=$1; shift
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@" "$url"
}
echo "warming up..." >&2
wrk -t1 -c4 -d2s "http://127.0.0.1:$hello_port/" >/dev/null
wrk -t1 -c4 -d2s "${auth[@]}" "$base$target" >/dev/null
hello_out=$(run "http://127.0.0.1:$hello_port/")
api_out=$(run "$base$target" "${auth[@]}")

rps() { printf '%s\n' "$1" | awk '/^Requests\/sec:/ {print $2}'; }
p99() { printf '%s\n' "$1" | awk '$1 == "99%" {print $2}'; }
h_rps=$(rps "$hello_out"); a_rps=$(rps "$api_out")
ratio=$(awk -v a="$a_rps" -v h="$h_rps" 'BEGIN { printf "%.2f", (h > 0 ? a / h : 0) }')

printf '\nwrk -t%s -c%s -d%s on loopback\n' "$THREADS" "$CONNS" "$DURATION"
printf '%-40s %12s %10s\n' "target" "req/s" "p99"
printf '%-40s %12s %10s\n' "bare libmicrohttpd" "$h_rps" "$(p99 "$hello_out")"
printf '%-40s %12s %10s\n' "attendly GET $target ($status)" "$a_rps" "$(p99 "$api_out")"
printf 'ratio attendly / bare: %s (budget >= 0.70)\n' "$ratio"

# The throughput servers are done; the latency benchmark starts its own.
stop_servers
printf '\nface endpoints: latency\n'
if [ -x "$RECOGNIZE" ]; then
  ATTENDLY_BIN="$BIN" ATTENDLY_MODELS_DIR="$ROOT/models" ATTENDLY_SHARED_DIR="$ROOT/../shared" \
    "$RECOGNIZE"
else
  echo "skipped: $RECOGNIZE is not built (it needs the attendly binary and the test library)"
fi
