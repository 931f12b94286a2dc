#!/usr/bin/env bash
# Global rate limits (cluster, Redis on loopback) against local ones, side by side in one run, and the
# accuracy of a global limit across three replicas (bench/RESULTS.md "Router: cluster").
#
#   nginx backend   : fixed small KServe V2 JSON                                         (127.0.0.1:18001)
#   redis-server    : no persistence                                                       (127.0.0.1:18020)
#   router-local    : router.jar, bench/router/router.yaml + rateLimits (per-router buckets) (127.0.0.1:18021)
#   router-global   : the same + cluster (limits in Redis: one EVALSHA per request)         (127.0.0.1:18023)
#
# Part 1: wrk (1 thread, c=$CONNS, the 1000 consumers of bench/router/infer.lua) against each router in
# turn, $ROUNDS rounds after a warm-up; limits high enough that nothing is refused, so the figures are the
# cost of deciding. Routers and nginx pinned to CPU $SERVER_CPU, wrk to $WRK_CPU; redis-server gets the
# wrk CPU too (it is the router's dependency, not part of what the router's CPU does).
# Part 2: three routers with cluster share the Redis; one consumer's requests are spread over the three
# by three wrk processes for $ACCURACY_SECONDS s; admitted = 2xx. The window is taken on Redis's clock
# (TIME before and after); the plan allows burst + perSecond x window.
#
# Environment: DURATION (15s) WARMUP (10s) WARMUP_RUNS (3) ROUNDS (3) CONNS (64) WRK_CPU (0) SERVER_CPU (1)
#   ACCURACY_SECONDS (10) ACCURACY_RATE (200) ACCURACY_BURST (200) CLUSTER_TIMEOUT_MILLIS (20) ROUTER_JAR (router/target/router.jar)
#   OUT (bench/out/router-cluster)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-10s}
WARMUP_RUNS=${WARMUP_RUNS:-3}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
WRK_CPU=${WRK_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
ACCURACY_SECONDS=${ACCURACY_SECONDS:-10}
ACCURACY_RATE=${ACCURACY_RATE:-200}
ACCURACY_BURST=${ACCURACY_BURST:-200}
# The routers' cluster.timeoutMillis (the default 20; a loaded machine may need more to measure Redis, not the fallback).
CLUSTER_TIMEOUT_MILLIS=${CLUSTER_TIMEOUT_MILLIS:-20}
ROUTER_JAR=${ROUTER_JAR:-router/target/router.jar}
OUT=${OUT:-$ROOT/bench/out/router-cluster}
BACKEND_PORT=18001 REDIS_PORT=18020

for tool in wrk nginx redis-server redis-cli; do
  command -v $tool >/dev/null || { apt-get update && apt-get install -y wrk nginx redis-server; break; }
done
[ -f "$ROUTER_JAR" ] || mvn -B -q -pl router -am -DskipTests package

# shellcheck source=bench/lib/workdir.sh
source bench/lib/workdir.sh
mkdir -p "$OUT"; rm -f "$OUT/summary.txt"
sed -e "s|__WORK__|$WORK|g" -e "s|__BACKEND_PORT__|$BACKEND_PORT|g" bench/router/backend.conf > "$WORK/backend.conf"

router_yaml() { # port admin-port state-name limits cluster(0|1) -> stdout
  sed -e "s|__WORK__|$WORK|g" -e "s|__BACKEND_PORT__|$BACKEND_PORT|g" -e "s|__ROUTER_PORT__|$1|g" \
      -e "s|__ADMIN_PORT__|$2|g" -e "s|__ACCESS_LOG__|false|g" -e "s|router-state.json|$3.json|" bench/router/router.yaml
  echo "rateLimits: { default: { perSecond: $4, burst: $4 } }"
  if [ "$5" = 1 ]; then
    echo "cluster: { redis: redis://127.0.0.1:$REDIS_PORT, keyPrefix: bench, timeoutMillis: $CLUSTER_TIMEOUT_MILLIS, replicas: 3 }"
  fi
}
wait_http() {
  for _ in $(seq 1 150); do
    curl -s -o /dev/null -X POST -d '{}' "$1" && return 0
    sleep 0.2
  done
  echo "no answer from $1" >&2; exit 1
}
redis_micros() {
  redis-cli -p "$REDIS_PORT" TIME | { read -r s; read -r us; echo $((s * 1000000 + us)); }
}

taskset -c "$SERVER_CPU" nginx -c "$WORK/backend.conf" -p "$WORK" & PIDS+=($!)
taskset -c "$WRK_CPU" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  > "$OUT/redis.log" 2>&1 & PIDS+=($!)
declare -A PID=([redis]=$!)

# Part 1: local vs global, limits that never refuse.
router_yaml 18021 18022 local 10000000 0 > "$WORK/router-local.yaml"
router_yaml 18023 18024 global 10000000 1 > "$WORK/router-global.yaml"
taskset -c "$SERVER_CPU" java -Xmn12m -jar "$ROUTER_JAR" --config "$WORK/router-local.yaml" > "$OUT/router-local.log" 2>&1 & PIDS+=($!)
PID[router-local]=$!
taskset -c "$SERVER_CPU" java -Xmn12m -jar "$ROUTER_JAR" --config "$WORK/router-global.yaml" > "$OUT/router-global.log" 2>&1 & PIDS+=($!)
PID[router-global]=$!
declare -A URL=([router-local]="http://127.0.0.1:18021/v2/models/iris/infer" [router-global]="http://127.0.0.1:18023/v2/models/iris/infer")
wait_http "${URL[router-local]}"
wait_http "${URL[router-global]}"

run_wrk() { # name duration file
  taskset -c "$WRK_CPU" wrk -t1 -c"$CONNS" -d"$2" --timeout 5s --latency -s bench/router/infer.lua "${URL[$1]}" > "$3"
}
millis() { # wrk latency like 1.23ms / 456.00us / 1.02s -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
for i in $(seq 1 "$WARMUP_RUNS"); do
  for t in router-local router-global; do run_wrk "$t" "$WARMUP" "$OUT/warmup-$t-$i.txt"; done
done
# CPU time (user + system clock ticks) of a process: the cost per request, which a shared machine's
# scheduling noise moves far less than req/s.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
CLK_TCK=$(getconf CLK_TCK)
printf "%-6s %-14s %10s %9s %9s %9s %13s %12s\n" round target req/s p50-ms p99-ms non2xx cpu-us/req redis-us/req
for r in $(seq 1 "$ROUNDS"); do
  for t in router-local router-global; do
    f="$OUT/round$r-$t.txt"
    c0=$(cpu_ticks "${PID[$t]}"); rc0=$(cpu_ticks "${PID[redis]}")
    run_wrk "$t" "$DURATION" "$f"
    c1=$(cpu_ticks "${PID[$t]}"); rc1=$(cpu_ticks "${PID[redis]}")
    rps=$(awk '/Requests\/sec/ {print $2}' "$f")
    reqs=$(awk '/requests in/ {print $1}' "$f")
    p50=$(millis "$(awk '$1 == "50%" {print $2}' "$f")")
    p99=$(millis "$(awk '$1 == "99%" {print $2}' "$f")")
    bad=$(awk '/Non-2xx/ {print $5}' "$f"); bad=${bad:-0}
    cpu=$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')
    rcpu=$(awk -v d=$((rc1 - rc0)) -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')
    printf "%-6s %-14s %10s %9s %9s %9s %13s %12s\n" "$r" "$t" "$rps" "$p50" "$p99" "$bad" "$cpu" "$rcpu"
    echo "$r $t $rps $p50 $p99 $cpu" >> "$OUT/summary.txt"
  done
done
awk '{ rps[$1, $2] = $3; p50[$1, $2] = $4; p99[$1, $2] = $5; cpu[$1, $2] = $6; if ($1 > n) n = $1 }
  END { for (r = 1; r <= n; r++) printf "round %d: global/local req/s %.3f, added p50 %+.3f ms, added p99 %+.3f ms, router CPU %+.1f us/req\n", r,
    rps[r, "router-global"] / rps[r, "router-local"], p50[r, "router-global"] - p50[r, "router-local"],
    p99[r, "router-global"] - p99[r, "router-local"], cpu[r, "router-global"] - cpu[r, "router-local"] }' "$OUT/summary.txt"
curl -s http://127.0.0.1:18024/metrics | grep -E '^infergate_router_(ratelimit_fallback_total|cluster_redis_up)' || true

# Part 2: accuracy of one consumer's limit over three replicas.
cat > "$WORK/one-consumer.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-infergate-consumer"] = "accuracy-consumer"
wrk.body = '{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}'
LUA
for i in 1 2 3; do
  router_yaml $((18030 + 2 * i)) $((18031 + 2 * i)) "acc$i" 1 1 \
    | sed -e "s|perSecond: 1, burst: 1|perSecond: $ACCURACY_RATE, burst: $ACCURACY_BURST|" -e "s|keyPrefix: bench|keyPrefix: acc|" \
    > "$WORK/router-acc$i.yaml"
  taskset -c "$SERVER_CPU" java -Xmn12m -jar "$ROUTER_JAR" --config "$WORK/router-acc$i.yaml" > "$OUT/router-acc$i.log" 2>&1 & PIDS+=($!)
done
for i in 1 2 3; do wait_http "http://127.0.0.1:$((18030 + 2 * i))/v2/models/iris/infer"; done
redis-cli -p "$REDIS_PORT" DEL "acc:rl:{accuracy-consumer}" > /dev/null
from=$(redis_micros)
for i in 1 2 3; do
  taskset -c "$WRK_CPU" wrk -t1 -c8 -d"${ACCURACY_SECONDS}s" --timeout 5s -s "$WORK/one-consumer.lua" \
    "http://127.0.0.1:$((18030 + 2 * i))/v2/models/iris/infer" > "$OUT/accuracy-$i.txt" &
done
wait_wrk=$(jobs -p | tail -3); for p in $wait_wrk; do wait "$p" || true; done
to=$(redis_micros)
total=0 refused=0
for i in 1 2 3; do
  n=$(awk '/requests in/ {print $1}' "$OUT/accuracy-$i.txt"); b=$(awk '/Non-2xx/ {print $5}' "$OUT/accuracy-$i.txt")
  total=$((total + n)); refused=$((refused + ${b:-0}))
done
awk -v total="$total" -v refused="$refused" -v from="$from" -v to="$to" -v rate="$ACCURACY_RATE" -v burst="$ACCURACY_BURST" 'BEGIN {
  window = (to - from) / 1e6; allowed = burst + rate * window; admitted = total - refused
  printf "accuracy: %d requests over 3 replicas in %.2f s (Redis clock), %d admitted; the plan allows %.0f: %+.1f %%\n",
    total, window, admitted, allowed, (admitted - allowed) * 100 / allowed }'
for i in 1 2 3; do
  curl -s "http://127.0.0.1:$((18031 + 2 * i))/metrics" | grep -E '^infergate_router_ratelimit_fallback_total' || true
done
