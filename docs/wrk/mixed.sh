#!/bin/sh
# mixed.sh builds shopsight and starts "shopsight demo" at the default seed
# and scale on 127.0.0.1 without a rate limit. After /readyz it warms the
# server up with mixed.lua, then runs mixed.lua for DURATION at fixed
# concurrency. Meanwhile it samples the server's resident set size (VmRSS of
# /proc/PID/status) every 5 seconds. At the end it stops the server. All traffic stays on loopback. Run it from anywhere;
# it needs go, wrk and curl, and Linux for /proc.
#
# Environment: PORT (default 18080), THREADS (2), CONNECTIONS (16),
# DURATION (60s), WARMUP (15s), READY_TIMEOUT seconds to wait for /readyz
# (600), BIN (a shopsight binary to run instead of building one).
set -eu

port=${PORT:-18080}
threads=${THREADS:-2}
connections=${CONNECTIONS:-16}
duration=${DURATION:-60s}
warmup=${WARMUP:-15s}
ready_timeout=${READY_TIMEOUT:-600}

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
bin=${BIN:-$work/shopsight}
log="$work/demo.log"
pid=""
sampler=""

stop_server() {
  if [ -n "$sampler" ]; then
    kill "$sampler" 2>/dev/null || true
    sampler=""
  fi
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
  fi
  rm -rf "$work"
}
trap stop_server EXIT INT TERM

# The binary is what "go run . demo" builds and runs. Building it first
# gives the server's own PID, whose /proc/PID/status the sampler reads.
if [ -z "${BIN:-}" ]; then
  (cd "$root" && go build -o "$bin" .)
fi

. "$root/docs/wrk/demo.sh"
start_demo

url="http://127.0.0.1:$port/graphql"
echo
echo "== warm-up ($warmup, not recorded)"
wrk -t"$threads" -c"$connections" -d"$warmup" -s "$root/docs/wrk/mixed.lua" "$url" >/dev/null

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }

echo
echo "== mixed.lua: load average $(cut -d' ' -f1-3 /proc/loadavg), RSS $(rss) kB"
(
  elapsed=0
  while sleep 5; do
    elapsed=$((elapsed + 5))
    echo "rss t=${elapsed}s: $(rss) kB, load average $(cut -d' ' -f1 /proc/loadavg)"
  done
) &
sampler=$!
wrk -t"$threads" -c"$connections" -d"$duration" -s "$root/docs/wrk/mixed.lua" "$url"
kill "$sampler" 2>/dev/null || true
sampler=""
echo "== after the run: load average $(cut -d' ' -f1-3 /proc/loadavg), RSS $(rss) kB"
