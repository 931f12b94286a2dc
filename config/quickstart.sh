#!/usr/bin/env bash
# Starts infergate locally on the bundled Iris model: three model-server replicas (9001, 9002 serve
# the stable track, 9003 the canary; each one's admin listener, with the repository API and /metrics,
# on 127.0.0.1:9101-9103) and the router on :8080 in front of them (config/router.yaml).
# Prints a working request, then runs until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL_SERVER=model-server/target/model-server.jar
ROUTER=router/target/router.jar
LOGS=state/logs
mkdir -p "$LOGS"

if [[ ! -f $MODEL_SERVER || ! -f $ROUTER ]]; then
  echo "building (first run only): mvn -B -q -DskipTests package"
  mvn -B -q -DskipTests package
fi

pids=()
stop() {
  trap - EXIT INT TERM # once: a signal's trap would otherwise run again at exit
  echo; echo "stopping infergate"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

wait_ready() { # url name log
  for _ in $(seq 1 120); do
    if curl -fsS "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "$2 did not become ready; see $3" >&2
  exit 1
}

for port in 9001 9002 9003; do
  java -jar "$MODEL_SERVER" --config config/model-server.yaml --port "$port" --admin-port "$((port + 100))" \
    >"$LOGS/model-server-$port.log" 2>&1 &
  pids+=($!)
done
for port in 9001 9002 9003; do
  wait_ready "http://127.0.0.1:$port/v2/health/ready" "model-server :$port" "$LOGS/model-server-$port.log"
done
echo "model servers ready on :9001 :9002 :9003 (admin: 127.0.0.1:9101-9103; logs in $LOGS)"
BODY='{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}'

# A local dev signing key is made on first run in state/dev/ (git-ignored; its public half is the
# JWKS that config/router.yaml trusts); the token command signs with it.
TOKEN=$(java -jar "$ROUTER" token --config config/router.yaml --sub alice --ttl 12h)
ADMIN_TOKEN=$(java -jar "$ROUTER" token --config config/router.yaml --sub ops --role infergate-admin --ttl 12h)

# -Xmn12m as in the router image (router/Dockerfile says why).
java -Xmn12m -jar "$ROUTER" --config config/router.yaml >"$LOGS/router.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:8081/metrics" "router" "$LOGS/router.log"
echo "router ready on :8080 (admin API on 127.0.0.1:8081; logs in $LOGS)"
URL=http://127.0.0.1:8080/v2/models/iris/infer

echo
echo "Try it (a consumer token for 'alice', valid 12 h; make more with"
echo "  java -jar $ROUTER token --sub NAME [--role R] [--plan gold] [--ttl 1h]):"
echo
echo "  TOKEN=$TOKEN"
echo "  curl -s -H \"authorization: Bearer \$TOKEN\" -H 'content-type: application/json' \\"
echo "    -d '$BODY' \\"
echo "    $URL"
echo
curl -s -i -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "$BODY" "$URL" \
  | grep -iE '^(HTTP|x-infergate-track|ratelimit-remaining)|model_version'
echo
echo
echo "Ops (admin role): see and change the rollout, e.g. canary to 50%:"
echo "  ADMIN_TOKEN=$ADMIN_TOKEN"
echo "  curl -s -H \"authorization: Bearer \$ADMIN_TOKEN\" http://127.0.0.1:8081/admin/services/iris"
echo "  curl -s -X PUT -H \"authorization: Bearer \$ADMIN_TOKEN\" -d '{\"stable\": 50, \"canary\": 50}' \\"
echo "    http://127.0.0.1:8081/admin/services/iris/weights"
echo
echo "Running; Ctrl-C stops everything."
wait
