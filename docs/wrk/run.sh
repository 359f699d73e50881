#!/bin/sh
# run.sh builds shopsight, starts "shopsight demo" at the default seed and
# scale on 127.0.0.1, waits for /readyz, runs the three wrk scripts of this
# folder one after another and stops the server. All traffic stays on
# loopback. Run it from anywhere; it needs go, wrk and curl.
#
# Environment: PORT (default 18080), THREADS (2), CONNECTIONS (16),
# DURATION (20s), READY_TIMEOUT seconds to wait for /readyz (600).
set -eu

port=${PORT:-18080}
threads=${THREADS:-2}
connections=${CONNECTIONS:-16}
duration=${DURATION:-20s}
ready_timeout=${READY_TIMEOUT:-600}

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
bin="$work/shopsight"
log="$work/demo.log"
pid=""

stop_server() {
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
  fi
  rm -rf "$work"
}
trap stop_server EXIT INT TERM

(cd "$root" && go build -o "$bin" .)

# Without --data the demo generates into a temporary directory that it
# removes when it stops.
. "$root/docs/wrk/demo.sh"
start_demo

for script in products orders user; do
  echo
  echo "== $script: load average $(cut -d' ' -f1-3 /proc/loadavg)"
  wrk -t"$threads" -c"$connections" -d"$duration" -s "$root/docs/wrk/$script.lua" \
    "http://127.0.0.1:$port/graphql"
done
