# demo.sh is sourced by run.sh and mixed.sh. start_demo starts
# "shopsight demo" from $bin on 127.0.0.1:$port, logging to $log, sets $pid
# and waits up to $ready_timeout seconds for /readyz. One wrk client on
# loopback is one client address, so the per-client rate limit (50
# requests/s by default) is turned off for the measurement.
start_demo() {
  "$bin" demo --addr "127.0.0.1:$port" --rate-limit 0 2>"$log" &
  pid=$!

  echo "waiting up to ${ready_timeout}s for http://127.0.0.1:$port/readyz"
  waited=0
  until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "shopsight demo exited before it was ready; its log:" >&2
      cat "$log" >&2
      exit 1
    fi
    if [ "$waited" -ge "$ready_timeout" ]; then
      echo "shopsight demo was not ready after ${ready_timeout}s" >&2
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  grep 'demo data generated' "$log" || true
}
