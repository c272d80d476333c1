#!/usr/bin/env bash
# The whole pipeline's capacity on the local stack (see docs/benchmarks.md): events/s from
# the first POST until every event is counted in the serving API, exactly, with the backlog
# drained. Starts a fresh local stack (one JVM: broker, registry and every service), warms it
# up with WARMUP events (posted and counted), then posts EVENTS events closed-loop through
# bench.LoadGenerator (batches of 100) and polls GET /v1/metrics/all_events until its windows
# add up to every event posted.
#
#   bench/run-pipeline-capacity.sh
#   EVENTS=1000000 ROUNDS=3 bench/run-pipeline-capacity.sh
#
# Knobs: EVENTS=600000 WARMUP=200000 ROUNDS=1 CONCURRENCY=8 HEAP=2g JAVA=java TIMEOUT=600 (seconds)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
events="${EVENTS:-600000}"
warmup="${WARMUP:-200000}"
rounds="${ROUNDS:-1}"
concurrency="${CONCURRENCY:-8}"
heap="${HEAP:-2g}"
java="${JAVA:-java}"
timeout="${TIMEOUT:-600}"
gateway_port="${GATEWAY_PORT:-28880}"
serving_port="${SERVING_PORT:-28881}"
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -B -q -pl bench,local-stack -am package -DskipTests
fi
out="$root/bench/target/results"
mkdir -p "$out"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
for round in $(seq 1 "$rounds"); do
  data="$(mktemp -d /tmp/sightline-capacity.XXXXXX)"
  SIGHTLINE_RATE_LIMIT_EVENTS_PER_SECOND=0 "$java" "-Xmx$heap" -jar local-stack/target/sightline-local.jar \
    --data-dir "$data" --kafka-port 0 --registry-port 0 --gateway-port "$gateway_port" \
    --serving-port "$serving_port" --enrich-port 0 --aggregate-port 0 --anomaly-port 0 --archiver-port 0 \
    > "$out/capacity-stack.log" 2>&1 &
  stack_pid=$!
  trap 'kill $stack_pid 2>/dev/null || true; wait $stack_pid 2>/dev/null || true; rm -rf "$data"' EXIT
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$gateway_port/health/ready" >/dev/null \
      && curl -sf "http://127.0.0.1:$serving_port/health/ready" >/dev/null && break
    kill -0 "$stack_pid" 2>/dev/null || { echo "the stack exited; see $out/capacity-stack.log"; exit 1; }
    sleep 1
  done
  from="$(date -u -d '-2 minutes' +%FT%TZ)"
  post() { # $1 events, $2 label
    "$java" -cp "$root/bench/target/classes:$root/bench/target/lib/*" io.sightline.bench.LoadGenerator \
      --url "http://127.0.0.1:$gateway_port" --write-key local-dev-key --batch-size 100 \
      --concurrency "$concurrency" --events "$1" --warmup-events 0 --label "$2"
  }
  await_counted() { # $1 events in all, $2 the start of the phase
    local counted=0 to
    while [ "$counted" -lt "$1" ]; do
      to="$(date -u -d '+2 minutes' +%FT%TZ)"
      counted=$(curl -s "http://127.0.0.1:$serving_port/v1/metrics/all_events?from=$from&to=$to" \
        | python3 -c 'import json,sys; print(int(sum(p["value"] for s in json.load(sys.stdin)["series"] for p in s["points"])))' \
        2>/dev/null || echo 0)
      if [ "$(echo "$(date +%s.%N) - $2 > $timeout" | bc)" = 1 ]; then
        echo "round $round: only $counted of $1 counted after $timeout s"; exit 1
      fi
      [ "$counted" -gt "$1" ] && { echo "round $round: $counted counted, more than the $1 posted"; exit 1; }
      if [ "$counted" -lt "$1" ]; then sleep 0.5; fi
    done
  }
  if [ "$warmup" -gt 0 ]; then
    post "$warmup" warmup > "$out/capacity-warmup.log"
    await_counted "$warmup" "$(date +%s.%N)"
  fi
  start=$(date +%s.%N)
  post "$events" capacity | tee "$out/capacity-load.log"
  posted=$(date +%s.%N)
  await_counted $(( warmup + events )) "$start"
  done_at=$(date +%s.%N)
  awk -v n="$events" -v s="$start" -v p="$posted" -v d="$done_at" -v r="$round" 'BEGIN {
    printf "round %d: %d events posted in %.1f s (%.0f events/s accepted); all counted after %.1f s: %.0f events/s end to end, backlog drained %.1f s after the last POST\n",
      r, n, p - s, n / (p - s), d - s, n / (d - s), d - p }'
  kill "$stack_pid"; wait "$stack_pid" 2>/dev/null || true; rm -rf "$data"; trap - EXIT
done
