#!/usr/bin/env bash
# Router throughput and latency against nginx, side by side in one run (bench/RESULTS.md "Router").
#
#   nginx backend  : fixed small KServe V2 JSON for every path          (127.0.0.1:18001)
#   nginx proxy    : plain reverse proxy to the backend, keep-alive pool (127.0.0.1:18002)
#   infergate      : router.jar, canary 90/10 + breakers + retries + health checks to the backend (127.0.0.1:18003)
#   vertx-min      : bench/router/MinimalProxy.java, a bare Vert.x 5 proxy (the floor of any Vert.x router) (127.0.0.1:18005)
#   netty-min      : bench/router/NettyMinProxy.java, a bare Netty proxy without Vert.x (NETTY=1)          (127.0.0.1:18008)
#   hybrid         : bench/router/HybridProxy.java, Vert.x HttpServer + raw Netty upstream client (HYBRID=1) (127.0.0.1:18011)
#   router-alt     : a second router build or JVM flags for A/B (ROUTER_ALT_JAR, ROUTER_ALT_JAVA_OPTS)     (127.0.0.1:18009)
#   router-auth    : router.jar as above plus JWT auth (one cached ES256 token) and rate limits (127.0.0.1:18006)
#
# wrk (1 thread, c=64) is pinned to CPU $WRK_CPU; both nginx processes and the router to CPU $SERVER_CPU.
# Each target gets a warm-up, then measured runs, alternating targets, $ROUNDS rounds. The CPU may be
# shared with other work: compare targets within a round, and rerun when rounds disagree.
#
# Environment: DURATION (15s) WARMUP (10s) WARMUP_RUNS (3) WARMUP_MIN_SECONDS (75) WARMUP_MAX_RUNS (8)
#   WARMUP_JIT_QUIET (0.1) CONNS (64) ROUNDS (2) WRK_CPU (0) SERVER_CPU (1)
#   BACKEND_CPU (SERVER_CPU): where the nginx backend runs; WRK_CPU gives the proxies their CPU to themselves,
#     as when the model servers are other machines (used for the shadow comparison)
#   ROUTER_JAVA_OPTS (-Xmn12m, the router image's flag; e.g. add -Dinfergate.nativeTransport=false) ACCESS_LOG (false)
#   MINIMAL (1: also measure vertx-min; 0: skip)   AUTH (1: also measure router-auth; 0: skip)   NETTY (0; 1: netty-min)
#   HYBRID (0; 1: hybrid)
#   ROUTER_ALT_JAR, ROUTER_ALT_JAVA_OPTS: also measure that build / those flags as router-alt (A/B in one run)
#   SHADOW_PERCENT (unset): router-alt gets a third track `shadow` (weight 0) and
#     `shadow: { track: shadow, percent: SHADOW_PERCENT }`, so that share of all live requests is copied and
#     compared; with ROUTER_ALT_JAR=$ROUTER_JAR this is shadow on vs off in one run (README "Shadow traffic").
#     The shadow track has its own nginx backend (127.0.0.1:18012) pinned to SHADOW_CPU (default WRK_CPU),
#     as a shadow track has its own model servers: the live backend and the routers' CPU carry the same
#     load in both, so the difference is what shadowing costs the router itself.
#   ROUTER_JAR (router/target/router.jar; built when missing)   OUT (bench/out/router): raw wrk output.
#   PACE_MS (unset): each wrk connection waits this many ms before its next request (bench/router/infer.lua),
#     holding the load under saturation; then the req/s ratios mean nothing and p99 shows what the hop adds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${DURATION:-15s}
# Warm-up: passes over every target, one run of WARMUP each, in the measured rounds' order (so a JVM sees
# the same idle gaps between its runs as it will when measured). At least WARMUP_RUNS passes and
# WARMUP_MIN_SECONDS of wall time, then more passes (up to WARMUP_MAX_RUNS) while a JVM target compiled
# for more than WARMUP_JIT_QUIET seconds in its last run. Why so long: on one CPU the JIT competes with
# the event loop, and a round in which it compiles has a p99 ~2 ms higher (jstat per 10 s run: rounds with
# 0.4-0.9 s of compile time had p99s of 7.4-7.7 ms, those with < 0.1 s 4.6-5.7 ms). What it compiles late:
# - each new wrk run closes and opens 64 connections, which makes HotSpot throw away and recompile the
#   event loop's write and flush path (-XX:+PrintCompilation: methods "made not entrant" at run boundaries);
# - Micrometer rotates each timer's decaying max once per expiry (60 s under the Prometheus registry); the
#   first rotation takes a branch the compiled code never saw (an unstable_if trap in TimeWindowMax.rotate),
#   which deoptimises the whole relay path that inlined Timer.record.
# The warm-up should have seen both before the measured rounds do.
WARMUP=${WARMUP:-10s}
WARMUP_RUNS=${WARMUP_RUNS:-3}
WARMUP_MIN_SECONDS=${WARMUP_MIN_SECONDS:-75}
WARMUP_MAX_RUNS=${WARMUP_MAX_RUNS:-8}
WARMUP_JIT_QUIET=${WARMUP_JIT_QUIET:-0.1}
CONNS=${CONNS:-64}
ROUNDS=${ROUNDS:-2}
WRK_CPU=${WRK_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
BACKEND_CPU=${BACKEND_CPU:-$SERVER_CPU}
ACCESS_LOG=${ACCESS_LOG:-false}
# The young-generation size the router image sets (router/Dockerfile); the floors run with JVM defaults.
ROUTER_JAVA_OPTS=${ROUTER_JAVA_OPTS--Xmn12m}
OUT=${OUT:-$ROOT/bench/out/router}
ROUTER_JAR=${ROUTER_JAR:-router/target/router.jar}
MINIMAL=${MINIMAL:-1}
NETTY=${NETTY:-0}
HYBRID=${HYBRID:-0}
ROUTER_ALT_JAR=${ROUTER_ALT_JAR:-}
AUTH=${AUTH:-1}
BACKEND_PORT=18001 PROXY_PORT=18002 ROUTER_PORT=18003 ADMIN_PORT=18004 MINIMAL_PORT=18005
ROUTER_AUTH_PORT=18006 ROUTER_AUTH_ADMIN_PORT=18007 NETTY_PORT=18008 ROUTER_ALT_PORT=18009 ROUTER_ALT_ADMIN_PORT=18010 HYBRID_PORT=18011

if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update && apt-get install -y wrk nginx
fi
if [ ! -f "$ROUTER_JAR" ]; then
  mvn -B -q -pl router -am -DskipTests package
fi

# shellcheck source=bench/lib/workdir.sh
source bench/lib/workdir.sh
mkdir -p "$OUT"

render() { # template -> file with ports and paths filled in
  sed -e "s|__WORK__|$WORK|g" -e "s|__BACKEND_PORT__|$BACKEND_PORT|g" -e "s|__PROXY_PORT__|$PROXY_PORT|g" \
      -e "s|__ROUTER_PORT__|$ROUTER_PORT|g" -e "s|__ADMIN_PORT__|$ADMIN_PORT|g" -e "s|__ACCESS_LOG__|$ACCESS_LOG|g" \
      -e "s|__ROUTER_AUTH_PORT__|$ROUTER_AUTH_PORT|g" -e "s|__ROUTER_AUTH_ADMIN_PORT__|$ROUTER_AUTH_ADMIN_PORT|g" "$1" > "$2"
}
wait_http() { # url
  for _ in $(seq 1 150); do
    curl -s -o /dev/null -X POST -d '{}' "$1" && return 0
    sleep 0.2
  done
  echo "no answer from $1" >&2; exit 1
}

render bench/router/backend.conf "$WORK/backend.conf"
render bench/router/nginx-proxy.conf "$WORK/proxy.conf"
render bench/router/router.yaml "$WORK/router.yaml"
render bench/router/router-auth.yaml "$WORK/router-auth.yaml"
# The A/B build (ROUTER_ALT_JAR) runs the router config on its own ports and state file.
sed -e "s|port: $ROUTER_PORT|port: $ROUTER_ALT_PORT|" -e "s|port: $ADMIN_PORT|port: $ROUTER_ALT_ADMIN_PORT|" \
    -e "s|router-state.json|router-alt-state.json|" "$WORK/router.yaml" > "$WORK/router-alt.yaml"
SHADOW_BACKEND_PORT=18012
if [ -n "${SHADOW_PERCENT:-}" ]; then
  sed -e "s|__BACKEND_PORT__|$SHADOW_BACKEND_PORT|" -e "s|__WORK__/backend|__WORK__/shadow-backend|g" \
    bench/router/backend.conf > "$WORK/shadow-backend.conf.in"
  render "$WORK/shadow-backend.conf.in" "$WORK/shadow-backend.conf"
  sed -i -e "/^      canary: /a\\      shadow: { weight: 0, modelVersion: \"2\", endpoints: [http://127.0.0.1:$SHADOW_BACKEND_PORT] }" \
    "$WORK/router-alt.yaml"
  echo "    shadow: { track: shadow, percent: $SHADOW_PERCENT }" >> "$WORK/router-alt.yaml"
fi

# Every target: its process (pinned to $SERVER_CPU, stdout in $OUT/NAME-stdout.log) and its URL.
declare -A PID URL
TARGETS=""
start() { # name url command...
  local name=$1 url=$2; shift 2
  taskset -c "$SERVER_CPU" "$@" > "$OUT/$name-stdout.log" 2>&1 & PIDS+=($!)
  PID[$name]=$!; URL[$name]=$url; TARGETS="$TARGETS $name"
}
taskset -c "$BACKEND_CPU" nginx -c "$WORK/backend.conf" -p "$WORK" & PIDS+=($!)
if [ -n "${SHADOW_PERCENT:-}" ]; then
  taskset -c "${SHADOW_CPU:-$WRK_CPU}" nginx -c "$WORK/shadow-backend.conf" -p "$WORK" & PIDS+=($!)
fi
start nginx "http://127.0.0.1:$PROXY_PORT/v2/models/iris/versions/1/infer" nginx -c "$WORK/proxy.conf" -p "$WORK"
# shellcheck disable=SC2086
start router "http://127.0.0.1:$ROUTER_PORT/v2/models/iris/infer" \
  java $ROUTER_JAVA_OPTS -jar "$ROUTER_JAR" --config "$WORK/router.yaml"
if [ "$MINIMAL" = 1 ]; then
  start vertx-min "http://127.0.0.1:$MINIMAL_PORT/v2/models/iris/versions/1/infer" \
    java -cp "$ROUTER_JAR" bench/router/MinimalProxy.java "$MINIMAL_PORT" "$BACKEND_PORT"
fi
if [ -n "$ROUTER_ALT_JAR" ]; then
  # shellcheck disable=SC2086
  start router-alt "http://127.0.0.1:$ROUTER_ALT_PORT/v2/models/iris/infer" \
    java ${ROUTER_ALT_JAVA_OPTS-$ROUTER_JAVA_OPTS} -jar "$ROUTER_ALT_JAR" --config "$WORK/router-alt.yaml"
fi
if [ "$NETTY" = 1 ]; then
  start netty-min "http://127.0.0.1:$NETTY_PORT/v2/models/iris/versions/1/infer" \
    java -cp "$ROUTER_JAR" bench/router/NettyMinProxy.java "$NETTY_PORT" "$BACKEND_PORT"
fi
if [ "$HYBRID" = 1 ]; then
  start hybrid "http://127.0.0.1:$HYBRID_PORT/v2/models/iris/versions/1/infer" \
    java -cp "$ROUTER_JAR" bench/router/HybridProxy.java "$HYBRID_PORT" "$BACKEND_PORT"
fi
if [ "$AUTH" = 1 ]; then
  # The dev key is made in $WORK/dev by the token command; the router trusts its JWKS.
  TOKEN=$(java -jar "$ROUTER_JAR" token --config "$WORK/router-auth.yaml" --sub bench-consumer --ttl 2h)
  # shellcheck disable=SC2086
  start router-auth "http://127.0.0.1:$ROUTER_AUTH_PORT/v2/models/iris/infer" \
    java $ROUTER_JAVA_OPTS -jar "$ROUTER_JAR" --config "$WORK/router-auth.yaml"
fi
wait_http "http://127.0.0.1:$BACKEND_PORT/v2/models/iris/versions/1/infer"
for target in $TARGETS; do wait_http "${URL[$target]}"; done

run_wrk() { # name url duration -> raw output file (only router-auth gets the token)
  local token=""
  case $1 in *router-auth*) token=${TOKEN:-} ;; esac
  TOKEN=$token taskset -c "$WRK_CPU" wrk -t1 -c"$CONNS" -d"$3" --timeout 5s --latency -s bench/router/infer.lua "$2" > "$OUT/$1.txt"
}
to_ms() { # wrk latency like 812.00us / 1.20ms / 1.01s -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
field() { # file -> "req/s p50 p99 non2xx errors"
  local rps p50 p99 non2xx errs
  rps=$(awk '/^Requests\/sec/ { print $2 }' "$1")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$1")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$1")")
  non2xx=$(awk '/Non-2xx/ { print $5 }' "$1"); non2xx=${non2xx:-0}
  errs=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$1"); errs=${errs:-0}
  echo "$rps $p50 $p99 $non2xx $errs"
}

# CPU time (clock ticks: "user system") of a process and its live children (nginx's worker). This
# is the cost per request that scheduling noise barely moves, unlike req/s on a shared machine; the
# split shows what the kernel (sockets, epoll) costs against the proxy's own code.
cpu_ticks() {
  local user=0 sys=0 p u s
  for p in $1 $(pgrep -P "$1"); do
    read -r u s < <(awk '{ print $14, $15 }' "/proc/$p/stat")
    user=$((user + u)); sys=$((sys + s))
  done
  echo "$user $sys"
}
CLK_TCK=$(getconf CLK_TCK)
# Seconds the JVM has spent compiling (jstat -compiler's Time), or nothing for nginx: shows whether a
# JVM target was still warming up while it was measured.
jit_seconds() {
  local out
  out=$(jstat -compiler "$1" 2>/dev/null) || return 0
  awk 'NR == 2 { print $4 }' <<< "$out"
}
seconds_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
echo "warm-up: passes of $WARMUP per target, at least $WARMUP_RUNS and ${WARMUP_MIN_SECONDS}s, until no JVM compiles for more than ${WARMUP_JIT_QUIET}s in a run (at most $WARMUP_MAX_RUNS)"
declare -A JIT0
warmup_start=$SECONDS
for w in $(seq 1 "$WARMUP_MAX_RUNS"); do
  compiling=""
  for target in $TARGETS; do
    jit0=$(jit_seconds "${PID[$target]}")
    run_wrk "warmup-$target-$w" "${URL[$target]}" "$WARMUP"
    jit1=$(jit_seconds "${PID[$target]}")
    if [ -n "$jit0" ] && awk -v d="$(seconds_between "$jit0" "$jit1")" -v q="$WARMUP_JIT_QUIET" 'BEGIN { exit !(d > q) }'; then
      compiling="$compiling $target:$(seconds_between "$jit0" "$jit1")s"
    fi
  done
  echo "  pass $w ($((SECONDS - warmup_start)) s): still compiling:${compiling:- none}"
  if [ "$w" -ge "$WARMUP_RUNS" ] && [ $((SECONDS - warmup_start)) -ge "$WARMUP_MIN_SECONDS" ] && [ -z "$compiling" ]; then break; fi
done
for target in $TARGETS; do JIT0[$target]=$(jit_seconds "${PID[$target]}"); done

printf '\n%-6s %-11s %10s %9s %9s %7s %7s %12s %14s %6s\n' round target req/s p50_ms p99_ms non2xx errors cpu_us/req user+sys_us jit_s
for r in $(seq 1 "$ROUNDS"); do
  for target in $TARGETS; do
    read -r user0 sys0 <<< "$(cpu_ticks "${PID[$target]}")"
    jit0=$(jit_seconds "${PID[$target]}")
    run_wrk "$target-$r" "${URL[$target]}" "$DURATION"
    read -r user1 sys1 <<< "$(cpu_ticks "${PID[$target]}")"
    jit=-; [ -n "$jit0" ] && jit=$(seconds_between "$jit0" "$(jit_seconds "${PID[$target]}")")
    read -r rps p50 p99 non2xx errs <<< "$(field "$OUT/$target-$r.txt")"
    reqs=$(awk '/requests in/ { print $1 }' "$OUT/$target-$r.txt")
    read -r cpu user sys <<< "$(awk -v u="$((user1 - user0))" -v s="$((sys1 - sys0))" -v hz="$CLK_TCK" -v n="$reqs" \
      'BEGIN { k = 1e6 / hz / n; printf "%.1f %.1f %.1f", (u + s) * k, u * k, s * k }')"
    printf '%-6s %-11s %10s %9s %9s %7s %7s %12s %14s %6s\n' "$r" "$target" "$rps" "$p50" "$p99" "$non2xx" "$errs" "$cpu" "$user+$sys" "$jit"
    echo "$r $target $rps $p50 $p99 $non2xx $errs $cpu $user $sys" >> "$WORK/results"
  done
done

awk '
  # The median of the per-round req/s ratios of target t to nginx: one disturbed round moves it less than the mean.
  function median_ratio(t,    i, k, v) {
    k = 0
    for (i = 1; i <= n[t]; i++) { v[++k] = r[i " " t] / r[i " nginx"] }
    return median(v, k)
  }
  # The median of the per-round p99 differences of target t to nginx (ms): a round where either side
  # met a slow stretch of the VM moves it less than the mean.
  function median_p99_gap(t,    i, k, v) {
    k = 0
    for (i = 1; i <= n[t]; i++) { v[++k] = q[i " " t] - q[i " nginx"] }
    return median(v, k)
  }
  function median(v, k,    i, j, m) {
    for (i = 2; i <= k; i++) { m = v[i]; for (j = i - 1; j >= 1 && v[j] > m; j--) v[j + 1] = v[j]; v[j + 1] = m }
    return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
  }
  { rps[$2] += $3; p50[$2] += $4; p99[$2] += $5; cpu[$2] += $8; usr[$2] += $9; sys[$2] += $10; n[$2]++
    if ($3 > best[$2]) best[$2] = $3
    if (!($2 in lowp99) || $5 < lowp99[$2]) lowp99[$2] = $5
    if ($1 in pair) pair[$1] = pair[$1] " " $2 "=" $3; else pair[$1] = $2 "=" $3
    r[$1 " " $2] = $3; q[$1 " " $2] = $5 }
  END {
    # Paced runs hold every target at the same rate: their req/s ratios are not throughput, and their
    # p99 gap is what the hop adds below saturation, not the c=64 closed-loop figure the targets are for.
    rps_label = pace ? "(paced: equal load, not throughput)" : "(target >= 0.80)"
    p99_label = pace ? "(paced: what the hop adds below saturation)" : "(target <= +1 ms)"
    printf "\nover %d rounds:      mean req/s    best req/s   mean p50 ms   mean p99 ms   lowest p99 ms   CPU us/req   (user + sys)\n", n["router"]
    for (t in n) printf "  %-11s %14.0f %13.0f %13.3f %13.3f %15.3f %12.1f   (%.1f + %.1f)\n", t, rps[t] / n[t], best[t], p50[t] / n[t], p99[t] / n[t], lowp99[t], cpu[t] / n[t], usr[t] / n[t], sys[t] / n[t]
    printf "CPU per request relative to nginx (lower is better):"
    for (t in n) if (t != "nginx") printf "  %s %.2fx", t, cpu[t] / cpu["nginx"]
    printf "\n"
    printf "router/nginx req/s, per round:"
    for (i = 1; i <= n["router"]; i++) printf " %.2f", r[i " router"] / r[i " nginx"]
    printf "\nrouter/nginx req/s, mean: %.2f  median of rounds: %.2f  best vs best: %.2f   %s\n", rps["router"] / rps["nginx"], median_ratio("router"), best["router"] / best["nginx"], rps_label
    printf "router p99 - nginx p99, mean: %+.3f ms  median of rounds: %+.3f ms   %s\n", (p99["router"] - p99["nginx"]) / n["router"], median_p99_gap("router"), p99_label
    printf "router p50 - nginx p50, mean: %+.3f ms\n", (p50["router"] - p50["nginx"]) / n["router"]
    if ("router-auth" in n) {
      printf "router-auth/nginx req/s, per round:"
      for (i = 1; i <= n["router-auth"]; i++) printf " %.2f", r[i " router-auth"] / r[i " nginx"]
      printf "\nrouter-auth/nginx req/s, mean: %.2f  median of rounds: %.2f   %s   router-auth/router: %.2f\n", rps["router-auth"] / rps["nginx"], median_ratio("router-auth"), pace ? rps_label : "(target >= 0.75)", rps["router-auth"] / rps["router"]
      printf "router-auth p99 - nginx p99, mean: %+.3f ms  median of rounds: %+.3f ms\n", (p99["router-auth"] - p99["nginx"]) / n["router-auth"], median_p99_gap("router-auth")
    }
    if ("router-alt" in n) {
      printf "router-alt/router req/s, per round:"
      for (i = 1; i <= n["router-alt"]; i++) printf " %.2f", r[i " router-alt"] / r[i " router"]
      printf "\nrouter-alt/router p99, per round:"
      for (i = 1; i <= n["router-alt"]; i++) printf " %.2f", q[i " router-alt"] / q[i " router"]
      printf "\nrouter-alt/router mean req/s: %.2f  mean p50: %.2f  mean p99: %.2f\n", rps["router-alt"] / rps["router"], p50["router-alt"] / p50["router"], p99["router-alt"] / p99["router"]
    }
    if ("vertx-min" in n) printf "router/vertx-min req/s, mean: %.2f   vertx-min/nginx: %.2f\n", rps["router"] / rps["vertx-min"], rps["vertx-min"] / rps["nginx"]
  }' pace="${PACE_MS:-}" "$WORK/results"
printf 'JIT compile seconds during the measured rounds (near 0: measured warm):'
for target in $TARGETS; do
  jit=$(jit_seconds "${PID[$target]}")
  if [ -n "$jit" ] && [ -n "${JIT0[$target]}" ]; then
    printf ' %s %s' "$target" "$(seconds_between "${JIT0[$target]}" "$jit")"
  fi
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); raw wrk output in $OUT"
