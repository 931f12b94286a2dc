#!/usr/bin/env bash
# A/B of two model-server builds (or JVM flags) at one concurrency, in alternating pairs, reporting
# req/s, the server's CPU time per request (user + system, all threads) and the mean batch size.
# CPU per request moves far less with the VM's scheduling noise than req/s (bench/RESULTS.md).
#
#   bench/model-server-ab.sh A.jar B.jar            # e.g. a copy of the previous build vs model-server/target/model-server.jar
#
# Environment: PAIRS (4) CONNS (64) RUN_SECONDS (8) WARMUP (4) WRK_CPU (0)
#   JAVA_OPTS_A / JAVA_OPTS_B: extra JVM flags per side   MODELS (config/models)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR_A=${1:?usage: bench/model-server-ab.sh A.jar B.jar}
JAR_B=${2:?usage: bench/model-server-ab.sh A.jar B.jar}
PAIRS=${PAIRS:-4}
CONNS=${CONNS:-64}
RUN_SECONDS=${RUN_SECONDS:-8}
WARMUP=${WARMUP:-4}
WRK_CPU=${WRK_CPU:-0}
MODELS=${MODELS:-config/models}
PORT=19401
ADMIN_PORT=19501 # the repository API and /metrics
CLK_TCK=$(getconf CLK_TCK)
# shellcheck source=bench/lib/workdir.sh
source bench/lib/workdir.sh

measure() { # jar java-opts -> "req/s cpu_us/req rows/batch non2xx"
  local pid t0 t1 out n rps rows bad
  # shellcheck disable=SC2086
  java $2 -jar "$1" --port "$PORT" --admin-port "$ADMIN_PORT" --models "$MODELS" --device cpu > "$WORK/server.log" 2>&1 & pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/v2/health/ready" && break; sleep 0.2; done
  local url="http://127.0.0.1:$PORT/v2/models/iris/infer"
  taskset -c "$WRK_CPU" wrk -t1 -c"$CONNS" -d"${WARMUP}s" -s bench/lua/v2-infer.lua "$url" > /dev/null
  t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  out=$(taskset -c "$WRK_CPU" wrk -t1 -c"$CONNS" -d"${RUN_SECONDS}s" -s bench/lua/v2-infer.lua "$url")
  t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  n=$(awk '/requests in/ { print $1 }' <<< "$out")
  rps=$(awk '/Requests\/sec/ { print $2 }' <<< "$out")
  bad=$(awk '/Non-2xx/ { print $5 }' <<< "$out")
  rows=$(curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '/^infergate_model_batch_size_sum/ { s += $2 }
    /^infergate_model_batch_size_count/ { c += $2 } END { if (c) printf "%.1f", s / c; else print "-" }')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  awk -v t="$((t1 - t0))" -v hz="$CLK_TCK" -v n="$n" -v r="$rps" -v b="$rows" -v e="${bad:-0}" \
    'BEGIN { printf "%10.0f %12.1f %11s %7s\n", r, t * 1e6 / hz / n, b, e }'
}

printf '%-5s %-2s %10s %12s %11s %7s\n' pair ab req/s cpu_us/req rows/batch non2xx
for p in $(seq 1 "$PAIRS"); do
  printf '%-5s %-2s %s\n' "$p" A "$(measure "$JAR_A" "${JAVA_OPTS_A:-}")"
  printf '%-5s %-2s %s\n' "$p" B "$(measure "$JAR_B" "${JAVA_OPTS_B:-}")"
done
