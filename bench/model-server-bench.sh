#!/usr/bin/env bash
# Model-server benchmark: KServe V2 infer throughput and latency of infergate's model server against
# a FastAPI + uvicorn reference serving the same Iris model, at several concurrency levels.
# A benchmark, not a test: it is not part of `mvn verify`.
#
#   bench/model-server-bench.sh                      # full run: 2 servers x 3 levels x (5 s + 15 s)
#   BENCH_SECONDS=5 bench/model-server-bench.sh      # shorter measured runs
#
# Our server is built (mvn -pl model-server -am) only when model-server/target/model-server.jar is
# missing: rebuild it, or delete it, to benchmark changed code.
#
# Environment (all optional):
#   BENCH_SECONDS          measured seconds per run (default 15)
#   BENCH_WARMUP_SECONDS   warm-up seconds before each measured run (default 5)
#   BENCH_CONCURRENCY      connection counts (default "1 8 64")
#   BENCH_SERVERS          which servers, in order (default "reference ours")
#   BENCH_WRK_CPUS         CPU list wrk is pinned to (default 0)
#   BENCH_SERVER_CPUS      CPU list the server under test is pinned to (default: unpinned)
#   BENCH_REFERENCE_STACK  "plain" (asyncio + h11, Debian's python3-uvicorn as is; default) or
#                          "standard" (uvloop + httptools, what `pip install uvicorn[standard]` gives)
#   BENCH_READY_TIMEOUT    seconds a server may take to become ready (default 120)
#   BENCH_OUT              where logs and raw wrk output go (default bench/out/model-server)
#   BENCH_SKIP_INSTALL     1 to skip the apt-get step
#   MODEL_SERVER_JAVA_OPTS extra JVM options for our server
#
# Fairness on a 2-core machine: wrk is pinned to CPU 0 in every run, and each server runs unpinned,
# one at a time, so both servers get the same deal: everything the load generator leaves over on
# both cores. Pinning the server to CPU 1 alone would hand a 2-worker uvicorn one core for two
# processes and hide whether either server can use the second core; pinning nothing would let wrk
# and the server fight over the scheduler differently for each server. Set BENCH_SERVER_CPUS to
# pin both servers identically instead.
#
# Exit status: 0 when every run (warm-up included) finished with no non-2xx answers and no socket
# errors; 1 otherwise (errors, a server that did not start, a run that did not finish).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

MEASURE_SECONDS=${BENCH_SECONDS:-15}
WARMUP_SECONDS=${BENCH_WARMUP_SECONDS:-5}
CONCURRENCY=${BENCH_CONCURRENCY:-"1 8 64"}
SERVERS=${BENCH_SERVERS:-"reference ours"}
WRK_CPUS=${BENCH_WRK_CPUS:-0}
SERVER_CPUS=${BENCH_SERVER_CPUS:-}
REFERENCE_STACK=${BENCH_REFERENCE_STACK:-plain}
READY_TIMEOUT=${BENCH_READY_TIMEOUT:-120}
OUT_DIR=${BENCH_OUT:-$ROOT/bench/out/model-server}
SKIP_INSTALL=${BENCH_SKIP_INSTALL:-0}

MODEL=iris
# Debian's interpreter: python3 on PATH may be a pyenv build without the Debian packages.
PY=/usr/bin/python3
JAR=model-server/target/model-server.jar
IRIS_CSV=tools/data/iris.csv
LUA=bench/lua/v2-infer.lua
WRK_TIMEOUT=5s

RESULTS="$OUT_DIR/results.tsv"
LOAD_AT_START=""   # /proc/loadavg before any server starts: a busy machine shows here
SERVER_PID=""      # leader of the running server's process group, "" when none runs
WRK_PID=""         # the running load generator (its `timeout` wrapper), "" when none runs
RUN_RESULT=""      # BENCH_RESULT line of the last wrk run
FAILED=0

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- tools ------------------------------------------------------------------------------------

python_has_modules() {
  "$PY" -c "import $1" 2>/dev/null
}

install_tools() {
  local packages="wrk curl python3-fastapi python3-uvicorn python3-sklearn"
  local modules="fastapi, uvicorn, sklearn, numpy"
  if [[ $REFERENCE_STACK == standard ]]; then
    packages+=" python3-uvloop python3-httptools"
    modules+=", uvloop, httptools"
  fi
  if command -v wrk >/dev/null && command -v curl >/dev/null && [[ -x $PY ]] \
      && python_has_modules "$modules"; then
    return
  fi
  [[ $SKIP_INSTALL == 1 ]] && die "missing tools and BENCH_SKIP_INSTALL=1; install: $packages"
  [[ $(id -u) == 0 ]] || die "missing tools; run as root or install: $packages"
  log "installing $packages (Debian packages only: PyPI is not used)"
  # One update, then the install; both bounded so that a dead mirror cannot hang the run.
  timeout 600 apt-get update -q >"$OUT_DIR/apt.log" 2>&1 || die "apt-get update failed, see $OUT_DIR/apt.log"
  # shellcheck disable=SC2086  # the package list is meant to split
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -q $packages >>"$OUT_DIR/apt.log" 2>&1 \
    || die "apt-get install failed, see $OUT_DIR/apt.log"
  python_has_modules "$modules" || die "$PY still cannot import $modules"
}

check_prerequisites() {
  local tool
  for tool in java taskset setsid timeout awk; do
    command -v "$tool" >/dev/null || die "$tool not found"
  done
  [[ -f $IRIS_CSV ]] || die "$IRIS_CSV not found (the reference server trains on it)"
  [[ -f $LUA ]] || die "$LUA not found"
}

build_ours() {
  if [[ -f $JAR ]]; then
    return
  fi
  log "building $JAR"
  timeout 1200 mvn -B -q -DskipTests package -pl model-server -am || die "model-server build failed"
  [[ -f $JAR ]] || die "build finished but $JAR is missing"
}

# --- servers ----------------------------------------------------------------------------------

free_port() {
  # Another engineer's server may hold any fixed port on a shared machine; ask the kernel.
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Whether a process exists and is not a zombie (kill -0 succeeds on an unreaped zombie).
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $state != Z* ]]
}

# Whether any process of a process group is still running.
group_alive() { # (grep reads all of ps's output: with pipefail, `grep -q` could make ps die of SIGPIPE)
  [ -n "$(ps -o stat= --pgid "$1" 2>/dev/null | grep -v '^Z')" ]
}

# Starts a server in its own session, so that it and all its workers form one process group that
# stop_server can signal at once; sets SERVER_PID, which is also the group id.
start_server() {
  local name=$1 port=$2 logfile=$3
  local -a cmd pin=()
  case $name in
    reference)
      local loop=asyncio http=h11
      if [[ $REFERENCE_STACK == standard ]]; then loop=uvloop http=httptools; fi
      # No __pycache__ left in bench/reference/ (the workers import the module by name).
      cmd=(env PYTHONDONTWRITEBYTECODE=1 "$PY" bench/reference/iris_fastapi.py --port "$port" --workers 2
           --loop "$loop" --http "$http" --data "$IRIS_CSV")
      ;;
    ours)
      # shellcheck disable=SC2206  # JVM options are meant to split
      cmd=(java ${MODEL_SERVER_JAVA_OPTS:-} -jar "$JAR" --port "$port" --admin-port 0 --models config/models --device cpu)
      ;;
    *) die "unknown server '$name'" ;;
  esac
  if [[ -n $SERVER_CPUS ]]; then pin=(taskset -c "$SERVER_CPUS"); fi
  log "starting $name on port $port: ${cmd[*]}${SERVER_CPUS:+ (pinned to CPUs $SERVER_CPUS)}"
  # A plain command, not a function, so that $! is the process itself: taskset and setsid exec
  # in place, and setsid does not fork because a job of a non-interactive shell leads no group.
  "${pin[@]}" setsid "${cmd[@]}" >"$logfile" 2>&1 </dev/null &
  SERVER_PID=$!
}

stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  local pid=$SERVER_PID deadline=$((SECONDS + 15))
  SERVER_PID=""
  # The negative pid signals the whole group: uvicorn's supervisor and its workers, or the JVM.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  while group_alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
  if group_alive "$pid"; then
    log "process group $pid ignored SIGTERM for 15 s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  if [[ -n $WRK_PID ]]; then
    kill -TERM "$WRK_PID" 2>/dev/null || true
    wait "$WRK_PID" 2>/dev/null || true
  fi
  stop_server
}

# Waits for GET /v2/health/ready to answer 200, failing early if the server process exits.
wait_ready() {
  local name=$1 base=$2 logfile=$3 deadline=$((SECONDS + READY_TIMEOUT)) code
  while ((SECONDS < deadline)); do
    if ! alive "$SERVER_PID"; then
      log "$name exited before it was ready; last lines of $logfile:"
      tail -n 20 "$logfile" >&2 || true
      return 1
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/v2/health/ready" || true)
    if [[ $code == 200 ]]; then
      # Our server announces itself; the line is informative, /v2/health/ready is what counts.
      if [[ $name == ours ]] && ! grep -q 'listening on http://' "$logfile"; then
        log "warning: $name is ready but never printed 'listening on http://...'"
      fi
      return 0
    fi
    sleep 0.5
  done
  log "$name not ready within ${READY_TIMEOUT}s; last lines of $logfile:"
  tail -n 20 "$logfile" >&2 || true
  return 1
}

# The input tensor name comes from the model's metadata, never assumed.
input_name() {
  local base=$1
  curl -sf --max-time 5 "$base/v2/models/$MODEL" \
    | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["inputs"][0]["name"])'
}

# One request by hand before loading the server: a 200 with an FP32 [1, N] output tensor (the class
# probabilities; ours adds a label tensor too), so that a server answering fast with the wrong thing
# cannot produce a flattering figure.
smoke_test() {
  local name=$1 base=$2 input=$3 body
  body=$(curl -sf --max-time 5 -H 'Content-Type: application/json' \
    -d "{\"inputs\":[{\"name\":\"$input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}" \
    "$base/v2/models/$MODEL/infer") || { log "$name: infer request failed"; return 1; }
  log "$name answers: $body"
  "$PY" -c '
import json, sys
outputs = json.loads(sys.argv[1])["outputs"]
assert any(o["datatype"] == "FP32" and o["shape"][0] == 1 and len(o["data"]) == o["shape"][1] >= 2
           for o in outputs), outputs
' "$body" || { log "$name: unexpected infer response"; return 1; }
}

# --- load -------------------------------------------------------------------------------------

cpu_count() {
  # Number of CPUs in a taskset list such as "0", "0,1" or "0-1".
  "$PY" -c '
import sys
n = 0
for part in sys.argv[1].split(","):
    lo, _, hi = part.partition("-")
    n += int(hi or lo) - int(lo) + 1
print(n)
' "$1"
}

# Runs wrk once and sets RUN_RESULT to its BENCH_RESULT line (key=value pairs); returns non-zero
# when wrk fails or prints no result. wrk runs in the background with the shell waiting on it,
# because a shell defers its traps until a foreground child exits: this way Ctrl-C or SIGTERM
# stops the run at once, and cleanup can end wrk (through `timeout`, which passes the signal on).
run_wrk() {
  local base=$1 input=$2 conns=$3 seconds=$4 outfile=$5 threads rc=0
  RUN_RESULT=""
  threads=$(cpu_count "$WRK_CPUS")
  if ((threads > conns)); then threads=$conns; fi
  # wrk stops itself after -d; the outer timeout only catches a wedged run.
  timeout --kill-after=5 $((seconds + 30)) \
    taskset -c "$WRK_CPUS" wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout "$WRK_TIMEOUT" \
    -s "$LUA" "$base/v2/models/$MODEL/infer" -- "$input" >"$outfile" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  if ((rc != 0)); then
    log "wrk failed or timed out (exit $rc), see $outfile"
    return 1
  fi
  RUN_RESULT=$(grep -m1 '^BENCH_RESULT ' "$outfile") || { log "no BENCH_RESULT line in $outfile"; return 1; }
}

# Reads one field out of a BENCH_RESULT line.
field() {
  local line=$1 key=$2
  sed -n "s/.* $key=\([^ ]*\).*/\1/p" <<<"$line"
}

errors_in() {
  local line=$1 k total=0
  for k in non2xx connect read write timeout; do
    total=$((total + $(field "$line" "$k")))
  done
  echo "$total"
}

bench_server() {
  local name=$1 port base logfile input conns errors
  port=$(free_port)
  base="http://127.0.0.1:$port"
  logfile="$OUT_DIR/$name.log"
  start_server "$name" "$port" "$logfile"
  if ! wait_ready "$name" "$base" "$logfile"; then
    stop_server
    return 1
  fi
  input=$(input_name "$base") || { log "$name: no model metadata at $base/v2/models/$MODEL"; stop_server; return 1; }
  log "$name ready; input tensor '$input'"
  smoke_test "$name" "$base" "$input" || { stop_server; return 1; }

  for conns in $CONCURRENCY; do
    log "$name c=$conns: warm-up ${WARMUP_SECONDS}s"
    run_wrk "$base" "$input" "$conns" "$WARMUP_SECONDS" "$OUT_DIR/$name-c$conns-warmup.txt" \
      || { stop_server; return 1; }
    errors=$(errors_in "$RUN_RESULT")
    ((errors == 0)) || { log "$name c=$conns: $errors errors during warm-up: $RUN_RESULT"; FAILED=1; }

    log "$name c=$conns: measuring ${MEASURE_SECONDS}s"
    run_wrk "$base" "$input" "$conns" "$MEASURE_SECONDS" "$OUT_DIR/$name-c$conns.txt" \
      || { stop_server; return 1; }
    errors=$(errors_in "$RUN_RESULT")
    ((errors == 0)) || { log "$name c=$conns: $errors errors: $RUN_RESULT"; FAILED=1; }
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$conns" "$(field "$RUN_RESULT" rps)" \
      "$(field "$RUN_RESULT" p50_ms)" "$(field "$RUN_RESULT" p99_ms)" "$errors" >>"$RESULTS"
  done
  stop_server
}

# --- report -----------------------------------------------------------------------------------

print_report() {
  local placement=unpinned
  if [[ -n $SERVER_CPUS ]]; then placement="on CPUs $SERVER_CPUS"; fi
  echo
  echo "KServe V2 infer, model '$MODEL', ${MEASURE_SECONDS}s per run after ${WARMUP_SECONDS}s warm-up," \
    "wrk on CPUs $WRK_CPUS, servers $placement," \
    "reference stack: $REFERENCE_STACK, $(nproc) CPUs, load average at start: $LOAD_AT_START"
  echo
  awk -F'\t' '
    BEGIN { printf "%-10s %6s %12s %10s %10s %8s\n", "server", "conns", "req/s", "p50 ms", "p99 ms", "errors" }
    { printf "%-10s %6d %12.1f %10.3f %10.3f %8d\n", $1, $2, $3, $4, $5, $6; rps[$1, $2] = $3; seen[$2] = 1 }
    END {
      print ""
      for (c in seen) conns[++n] = c + 0
      # Ascending concurrency for the ratio lines.
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (conns[j] < conns[i]) { t = conns[i]; conns[i] = conns[j]; conns[j] = t }
      for (i = 1; i <= n; i++) {
        c = conns[i]
        if (rps["ours", c] > 0 && rps["reference", c] > 0)
          printf "ours / reference req/s at c=%d: %.2fx\n", c, rps["ours", c] / rps["reference", c]
      }
      lo = conns[1]; hi = conns[n]
      if (n > 1 && rps["ours", lo] > 0 && rps["ours", hi] > 0)
        printf "ours c=%d / ours c=%d req/s: %.2fx\n", hi, lo, rps["ours", hi] / rps["ours", lo]
      if (n > 1 && rps["reference", lo] > 0 && rps["reference", hi] > 0)
        printf "reference c=%d / reference c=%d req/s: %.2fx\n", hi, lo, rps["reference", hi] / rps["reference", lo]
    }' "$RESULTS"
  echo
  echo "raw wrk output and server logs: $OUT_DIR"
}

main() {
  mkdir -p "$OUT_DIR"
  : >"$RESULTS"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  [[ $REFERENCE_STACK == plain || $REFERENCE_STACK == standard ]] \
    || die "BENCH_REFERENCE_STACK must be plain or standard, was '$REFERENCE_STACK'"

  install_tools
  check_prerequisites
  LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
  local server
  for server in $SERVERS; do
    [[ $server == ours ]] && build_ours
    if ! bench_server "$server"; then
      log "$server: benchmark did not complete"
      FAILED=1
    fi
  done
  print_report
  if ((FAILED)); then
    log "FAILED: some run had errors or did not complete"
    exit 1
  fi
}

main "$@"
