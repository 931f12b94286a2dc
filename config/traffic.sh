#!/usr/bin/env bash
# Quick-start traffic for watching a rollout: RATE inference requests a second to the router on :8080
# for SECONDS seconds, from CONSUMERS consumers (dev tokens for user-1..user-N: the canary's weight
# takes a share of consumers, so it needs many), each about a flower of tools/data/iris.csv with a
# little noise added (where the two bundled model versions sometimes disagree). Prints the answers'
# status codes at the end.
#   usage: config/traffic.sh [SECONDS (120)] [RATE (40)] [CONSUMERS (200)]
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_SECONDS=${1:-120}
RATE=${2:-40}
CONSUMERS=${3:-200}
URL=${URL:-http://127.0.0.1:8080/v2/models/iris/infer}
ROUTER=router/target/router.jar

mapfile -t TOKENS < <(java -jar "$ROUTER" token --config config/router.yaml --sub user \
  --count "$CONSUMERS" --ttl 2h)
mapfile -t BODIES < <(tail -n +2 tools/data/iris.csv | awk -F, 'BEGIN { srand() } {
  for (copy = 0; copy < 10; copy++) {
    printf "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[%.1f,%.1f,%.1f,%.1f]}]}\n",
      $1 + rand() - 0.5, $2 + rand() - 0.5, $3 + rand() - 0.5, $4 + rand() - 0.5
  } }')
STATUS=$(mktemp)
trap 'rm -f "$STATUS"' EXIT

echo "sending about $RATE requests/s for ${RUN_SECONDS}s from $CONSUMERS consumers to $URL"
per_tick=$(((RATE + 9) / 10))
for ((tick = 0; tick < RUN_SECONDS * 10; tick++)); do # ten ticks a second, so requests are spread
  for ((i = 0; i < per_tick; i++)); do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 \
      -H "authorization: Bearer ${TOKENS[RANDOM % ${#TOKENS[@]}]}" -H 'content-type: application/json' \
      -d "${BODIES[RANDOM % ${#BODIES[@]}]}" "$URL" >>"$STATUS" &
  done
  sleep 0.1
done
wait
echo "answers by status:"
sort "$STATUS" | uniq -c
