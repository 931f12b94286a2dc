# Sourced by the router benchmark scripts: a temporary work folder ($WORK) and the background
# processes they start ($PIDS), all stopped and removed when the script exits, however it exits.
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
