#!/usr/bin/env bash
# Kill a model-server replica (SIGKILL) in the middle of a wrk run through the router and report
# how many client requests failed (must be 0). bench/RESULTS.md "Router".
#
# Three real model servers (CPU) on 19001-19003 (stable: 19001, 19002 on iris/1; canary: 19003 on
# iris/2), the router on 19080 (admin 19081). wrk: 1 thread, $CONNS connections, $DURATION; the
# stable replica on 19002 is killed $KILL_AFTER seconds in.
#
# Environment: DURATION (20s) CONNS (16) KILL_AFTER (7) OUT (bench/out/router-failover)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${DURATION:-20s}
CONNS=${CONNS:-16}
KILL_AFTER=${KILL_AFTER:-7}
OUT=${OUT:-$ROOT/bench/out/router-failover}
ROUTER_JAR=${ROUTER_JAR:-router/target/router.jar}
MS1=19001 MS2=19002 MS3=19003 ROUTER_PORT=19080 ADMIN_PORT=19081

command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }
[ -f model-server/target/model-server.jar ] || mvn -B -q -pl model-server -am -DskipTests package
[ -f "$ROUTER_JAR" ] || mvn -B -q -pl router -am -DskipTests package

# shellcheck source=bench/lib/workdir.sh
source bench/lib/workdir.sh
mkdir -p "$OUT"

wait_ready() { # url
  for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ] && return 0
    sleep 0.2
  done
  echo "not ready: $1" >&2; exit 1
}

declare -A MS_PID
for port in $MS1 $MS2 $MS3; do
  java -Xmx256m -jar model-server/target/model-server.jar --port "$port" --admin-port "$((port + 100))" \
    --models config/models --device cpu \
    > "$OUT/model-server-$port.log" 2>&1 &
  MS_PID[$port]=$!
  PIDS+=($!)
done
sed -e "s|__ROUTER_PORT__|$ROUTER_PORT|; s|__ADMIN_PORT__|$ADMIN_PORT|; s|__MS1__|$MS1|; s|__MS2__|$MS2|; s|__MS3__|$MS3|" \
  bench/router/failover.yaml > "$WORK/router.yaml"
for port in $MS1 $MS2 $MS3; do wait_ready "http://127.0.0.1:$port/v2/health/ready"; done
java -jar "$ROUTER_JAR" --config "$WORK/router.yaml" > "$OUT/router.log" 2>&1 &
PIDS+=($!)
wait_ready "http://127.0.0.1:$ROUTER_PORT/v2/models/iris"
INPUT_NAME=$(curl -s "http://127.0.0.1:$ROUTER_PORT/v2/models/iris" | sed -n 's/.*"inputs":\[{"name":"\([^"]*\)".*/\1/p')
export INPUT_NAME
echo "input tensor: $INPUT_NAME; warm-up 5s"
taskset -c 0 wrk -t1 -c"$CONNS" -d5s -s bench/router/infer.lua "http://127.0.0.1:$ROUTER_PORT/v2/models/iris/infer" > /dev/null
before=$(curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '/^infergate_router_requests_total/ && !/status="2/ { s += $2 } END { print s + 0 }')

taskset -c 0 wrk -t1 -c"$CONNS" -d"$DURATION" --timeout 10s --latency -s bench/router/infer.lua \
  "http://127.0.0.1:$ROUTER_PORT/v2/models/iris/infer" > "$OUT/wrk.txt" &
WRK=$!
sleep "$KILL_AFTER"
kill -9 "${MS_PID[$MS2]}"
echo "killed model server on :$MS2 (SIGKILL) ${KILL_AFTER}s into the run"
wait "$WRK"

cat "$OUT/wrk.txt"
non2xx=$(awk '/Non-2xx/ { print $5 }' "$OUT/wrk.txt"); non2xx=${non2xx:-0}
errors=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$OUT/wrk.txt"); errors=${errors:-0}
after=$(curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '/^infergate_router_requests_total/ && !/status="2/ { s += $2 } END { print s + 0 }')
curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" | grep -E '^infergate_router_(retries_total|failovers_total|upstream_requests_total)' \
  | grep -v ' 0.0$' > "$OUT/router-metrics.txt" || true
echo
echo "non-2xx responses (wrk): $non2xx"
echo "socket errors (wrk):     $errors"
echo "non-2xx answers (router metrics, during the run): $(awk -v a="$after" -v b="$before" 'BEGIN { print a - b }')" \
  "(499 = the client closed the connection first, as wrk does to requests in flight when it stops)"
curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" | grep '^infergate_router_requests_total' | grep -v 'status="2' | sed 's/^/  /' || true
echo "retries by reason (router metrics):"
grep '^infergate_router_retries_total' "$OUT/router-metrics.txt" | sed 's/^/  /' || echo "  none"
curl -s "http://127.0.0.1:$ADMIN_PORT/admin/services/iris" > "$OUT/admin-after.json"
[ "$non2xx" = 0 ] && [ "$errors" = 0 ]
