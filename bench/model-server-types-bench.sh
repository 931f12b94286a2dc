#!/usr/bin/env bash
# Model-server benchmarks of issue 18 (bench/RESULTS.md has the figures):
#
#  1. Image-sized model, input [n,3,224,224] FP32 (a small conv net, bench/tools/TypesBench.java):
#     req/s at c=8 of one-image requests with the KServe V2 binary tensor data extension vs the same
#     image in JSON, alternating, and the server's CPU time per request of each (user + system of all
#     its threads, /proc/<pid>/stat, as bench/model-server-ab.sh). Outputs come back as JSON (10 floats).
#  2. Serving overhead: an MLP ([n,1024] -> 1024 -> 1024 -> 10), binary requests of 1 and of 8 rows at c=64;
#     served rows/s against ONNX Runtime alone running the same batch sizes in the same JVM, same run
#     (bench/tools/ServingOverheadBench.java: the model server runs inside that tool's JVM; after each
#     served run, ONNX Runtime alone, in the same JVM, replays the exact batch sizes the server formed
#     in it, read from the model's Triton statistics, with the server's session options and as many
#     threads as the model's instanceCount). "ratio" is served rows/s over ORT's rows/s (the issue's
#     figure: wall clock, at the mercy of whatever else runs on the machine meanwhile); "cpu_ratio" is
#     ORT's CPU per row over the server's (rows per CPU-second, served vs ORT alone: what the serving
#     costs, steadier on a shared machine; the server's CPU is the whole JVM's, wrk's excluded).
#
# Models and request bodies are generated at run time (random weights, fixed seeds) into a temporary
# folder; nothing large is committed. Needs model-server/target/model-server.jar
# (`mvn -DskipTests package`) and wrk (installed with apt-get when missing).
#
#   bench/model-server-types-bench.sh
#   RUNS=2 SECONDS_PER_RUN=5 bench/model-server-types-bench.sh
#
# Environment: RUNS (3) SECONDS_PER_RUN (8) WARMUP (4) MLP_WARMUP (15: served load and ORT alone before the
# first run of each request size; the JIT is still busy after 4 s) MLP_ROWS (rows per mlp request: "1 8"; " " for none)
# IMAGE (1; 0 skips the image benchmark) WRK_CPU (0: wrk is pinned there, the server and ORT alone run unpinned) SKIP_INSTALL (0)
#
# Exit status: 0 only when every request (warm-ups included) got a 2xx and wrk saw no socket errors.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
WARMUP=${WARMUP:-4}
MLP_ROWS=${MLP_ROWS:-"1 8"}
MLP_WARMUP=${MLP_WARMUP:-15}
IMAGE=${IMAGE:-1}
WRK_CPU=${WRK_CPU:-0}
JAR=model-server/target/model-server.jar
PORT=19421
ADMIN_PORT=19521
CLK_TCK=$(getconf CLK_TCK)
MLP_THREADS=2 # the mlp model's instanceCount (TypesBench writes it into its config.yaml)
# shellcheck source=bench/lib/workdir.sh
source bench/lib/workdir.sh

[ -f "$JAR" ] || { echo "missing $JAR: run mvn -DskipTests package first" >&2; exit 1; }
if ! command -v wrk > /dev/null; then
  [ "${SKIP_INSTALL:-0}" = 1 ] && { echo "wrk is not installed" >&2; exit 1; }
  apt-get install -y wrk > /dev/null || sudo apt-get install -y wrk > /dev/null
fi

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)   cores: $(nproc)   $(date -u '+%Y-%m-%d %H:%M UTC')"
java -cp "$JAR" bench/tools/TypesBench.java models "$WORK/repo" "$WORK"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER/stat"; }
field() { sed -n "s/.*BENCH_RESULT.* $1=\([0-9.]*\).*/\1/p" <<< "$2"; }
# wrk SECONDS CONNS MODEL BODY [HEADER_LENGTH] -> the BENCH_RESULT line; marks failures in $WORK/failed
load() {
  local out errors
  out=$(taskset -c "$WRK_CPU" wrk -t1 -c"$2" -d"$1s" --timeout 30s -s bench/lua/v2-body.lua \
    "http://127.0.0.1:$PORT/v2/models/$3/infer" -- "$4" "${5:-}")
  errors=0
  for f in non2xx connect read write timeout; do e=$(field "$f" "$out"); errors=$((errors + ${e:-1})); done
  if [ "$errors" -ne 0 ] || [ "$(field requests "$out")" = 0 ]; then
    touch "$WORK/failed" # load runs in $(...) too: a variable set here would not reach the caller
    echo "  FAILED requests: $out" >&2
  fi
  grep BENCH_RESULT <<< "$out"
}
if [ "$IMAGE" = 1 ]; then
java -jar "$JAR" --port "$PORT" --admin-port "$ADMIN_PORT" --models "$WORK/repo" --device cpu > "$WORK/server.log" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/v2/health/ready" && break; sleep 0.2; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/v2/health/ready" || { cat "$WORK/server.log" >&2; exit 1; }
echo
echo "== 1. image [1,3,224,224] FP32 at c=8: binary vs JSON input (JSON output), ${SECONDS_PER_RUN}s each after ${WARMUP}s warm-up"
echo "   body sizes: binary $(stat -c %s "$WORK/image.bin") B, JSON $(stat -c %s "$WORK/image.json") B"
printf '%-4s %-7s %9s %14s %9s %9s\n' run input req/s cpu_ms/req p50_ms p99_ms
declare -A RPS CPU
for r in $(seq 1 "$RUNS"); do
  for mode in binary json; do
    if [ "$mode" = binary ]; then args=("$WORK/image.bin" "$(cat "$WORK/image.bin.hlen")"); else args=("$WORK/image.json"); fi
    load "$WARMUP" 8 image "${args[@]}" > /dev/null
    t0=$(cpu_ticks)
    out=$(load "$SECONDS_PER_RUN" 8 image "${args[@]}")
    t1=$(cpu_ticks)
    n=$(field requests "$out")
    RPS[$r$mode]=$(field rps "$out")
    CPU[$r$mode]=$(awk -v t="$((t1 - t0))" -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.2f", n ? t * 1e3 / hz / n : 0 }')
    printf '%-4s %-7s %9s %14s %9s %9s\n' "$r" "$mode" "${RPS[$r$mode]}" "${CPU[$r$mode]}" "$(field p50_ms "$out")" "$(field p99_ms "$out")"
  done
  awk -v b="${RPS[${r}binary]}" -v j="${RPS[${r}json]}" -v cb="${CPU[${r}binary]}" -v cj="${CPU[${r}json]}" \
    'BEGIN { printf "     run %d: binary/JSON req/s %.1fx, JSON/binary CPU per request %.1fx\n", '"$r"', b / j, cj / cb }'
done

# Its work done, the image server stops: it holds no CPU (GC, JIT) during the in-process runs below.
kill "$SERVER" 2>/dev/null || true
wait "$SERVER" 2>/dev/null || true
fi

if [ -n "${MLP_ROWS// /}" ]; then
  java -cp "$JAR" bench/tools/ServingOverheadBench.java "$WORK/repo" "$WORK" mlp "$MLP_THREADS" "$MLP_ROWS" \
    "$RUNS" "$SECONDS_PER_RUN" "$MLP_WARMUP" "$WRK_CPU" "$((PORT + 1))" "$((ADMIN_PORT + 1))" 2> "$WORK/mlp-server.log" \
    | grep -v -e '^infergate model-server listening' -e '^admin listening' || touch "$WORK/failed"
fi

echo
if [ -e "$WORK/failed" ]; then echo "some requests failed (see above)"; exit 1; fi
echo "every request succeeded"
