#!/usr/bin/env bash
# Model-server benchmarks of issue 18, one server process for both (bench/RESULTS.md has the figures):
#
#  1. Image-sized model, input [n,3,224,224] FP32 (a small conv net, bench/tools/TypesBench.java):
#     req/s at c=8 of one-image requests with the KServe V2 binary tensor data extension vs the same
#     image in JSON, alternating, and the server's CPU time per request of each (user + system of all
#     its threads, /proc/<pid>/stat, as bench/model-server-ab.sh). Outputs come back as JSON (10 floats).
#  2. Serving overhead: an MLP ([n,1024] -> 1024 -> 1024 -> 10), binary requests of 1 and of 8 rows at c=64;
#     served rows/s against ONNX Runtime alone (a second JVM, same ORT library and session options,
#     as many threads as the model's instanceCount) running batch sizes drawn from the histogram of
#     the batches the server formed in that very measurement (infergate_model_batch_size on the admin
#     listener's /metrics, before/after delta). Two ORT figures: "matched", sizes within each bucket
#     mixed to give the server's mean batch size, and "upper", every batch at its bucket's largest
#     size (ONNX Runtime's best case). See TypesBench.java. "ratio" is served rows/s over ORT's rows/s
#     (the issue's figure: wall clock, at the mercy of whatever else runs on the machine meanwhile);
#     "cpu_ratio" is ORT's CPU per row over the server's (rows per CPU-second, server vs ORT alone:
#     what the serving costs, steadier on a shared machine; the server's CPU excludes wrk's).
#
# Models and request bodies are generated at run time (random weights, fixed seeds) into a temporary
# folder; nothing large is committed. Needs model-server/target/model-server.jar
# (`mvn -DskipTests package`) and wrk (installed with apt-get when missing).
#
#   bench/model-server-types-bench.sh
#   RUNS=2 SECONDS_PER_RUN=5 bench/model-server-types-bench.sh
#
# Environment: RUNS (3) SECONDS_PER_RUN (8) WARMUP (4) MLP_ROWS (rows per mlp request: "1 8") WRK_CPU (0: wrk is pinned there, the server
# and ORT alone run unpinned) SKIP_INSTALL (0)
#
# Exit status: 0 only when every request (warm-ups included) got a 2xx and wrk saw no socket errors.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
WARMUP=${WARMUP:-4}
MLP_ROWS=${MLP_ROWS:-"1 8"}
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
java -jar "$JAR" --port "$PORT" --admin-port "$ADMIN_PORT" --models "$WORK/repo" --device cpu > "$WORK/server.log" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/v2/health/ready" && break; sleep 0.2; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/v2/health/ready" || { cat "$WORK/server.log" >&2; exit 1; }

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
# "le count" lines of the mlp model's batch-size histogram, and its sum
histogram() {
  curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '
    /^infergate_model_batch_size_bucket\{model="mlp"/ { match($0, /le="[^"]+"/); print substr($0, RSTART + 4, RLENGTH - 5), $2 }
    /^infergate_model_batch_size_sum\{model="mlp"/ { print "sum", $2 }'
}

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

echo
for k in $MLP_ROWS; do
echo "== 2. mlp [$k,1024] FP32 binary requests at c=64 vs ONNX Runtime alone ($MLP_THREADS threads), ${SECONDS_PER_RUN}s each"
printf '%-4s %10s %10s %10s %11s %6s %10s %9s %11s %6s %10s %9s\n' run served_r/s cpu_us/row mean_batch \
  ort_matched ratio cpu_us/row cpu_ratio ort_upper ratio cpu_us/row cpu_ratio
for r in $(seq 1 "$RUNS"); do
  load "$WARMUP" 64 mlp "$WORK/mlp$k.bin" "$(cat "$WORK/mlp$k.bin.hlen")" > /dev/null
  histogram > "$WORK/h0"
  t0=$(cpu_ticks)
  out=$(load "$SECONDS_PER_RUN" 64 mlp "$WORK/mlp$k.bin" "$(cat "$WORK/mlp$k.bin.hlen")")
  t1=$(cpu_ticks)
  histogram > "$WORK/h1"
  # bucket deltas as "lo-hi:count,..." (buckets are powers of two; maxBatchSize is 64)
  hist=$(paste -d' ' "$WORK/h0" "$WORK/h1" | awk '$1 != "sum" && $1 != "+Inf" {
      le = $1 + 0; c = $4 - $2; printf "%s%d-%d:%d", sep, prev, le, c - below; sep = ","; below = c; prev = le }')
  batches=$(paste -d' ' "$WORK/h0" "$WORK/h1" | awk '$1 == "+Inf" { print $4 - $2 }')
  rows=$(paste -d' ' "$WORK/h0" "$WORK/h1" | awk '$1 == "sum" { print $4 - $2 }')
  served=$(field rps "$out")
  matched=$(java -cp "$JAR" bench/tools/TypesBench.java ort "$WORK/repo/mlp/1/model.onnx" 1024 "$MLP_THREADS" 2 "$SECONDS_PER_RUN" "$hist" "$k" "$(awk -v r="$rows" -v b="$batches" 'BEGIN { print r / b }')" | grep ORT_RESULT)
  upper=$(java -cp "$JAR" bench/tools/TypesBench.java ort "$WORK/repo/mlp/1/model.onnx" 1024 "$MLP_THREADS" 2 "$SECONDS_PER_RUN" "$hist" "$k" 0 upper | grep ORT_RESULT)
  ort() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<< "$2"; }
  awk -v r="$r" -v s="$served" -v k="$k" -v t="$((t1 - t0))" -v hz="$CLK_TCK" -v n="$(field requests "$out")" -v rows="$rows" -v b="$batches" \
    -v u="$(ort rows_per_s "$matched")" -v uc="$(ort cpu_us_per_row "$matched")" -v up="$(ort rows_per_s "$upper")" -v upc="$(ort cpu_us_per_row "$upper")" \
    'BEGIN { c = t * 1e6 / hz / (n * k)
      printf "%-4s %10.0f %10.1f %10.2f %11.0f %5.2fx %10.1f %8.2fx %11.0f %5.2fx %10.1f %8.2fx\n",
        r, s * k, c, rows / b, u, s * k / u, uc, uc / c, up, s * k / up, upc, upc / c }'
  echo "     batches by size bucket: $hist"
done
echo
done

echo
if [ -e "$WORK/failed" ]; then echo "some requests failed (see above)"; exit 1; fi
echo "every request succeeded"
