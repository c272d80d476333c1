#!/usr/bin/env bash
# Benchmark of serving-api queries while ingest runs, on the local stack (see
# docs/benchmarks.md).
#
#   bench/run-query-benchmark.sh
#
# Starts the local stack with demo traffic (one JVM: broker, registry and all five
# services), waits until the aggregate processor has written event_count series, warms
# the serving API up, then for each ingest rate in INGEST_RATES (events/s; 0 = demo
# traffic only) keeps bench.LoadGenerator posting batches of 100 events to the gateway
# at that rate (paced, so the pipeline load is the stated one) while
#   - wrk measures the most queries/s the API answers: point lookups (one series, the
#     last minute) and 60-window ranges (one series, the last hour) in a closed loop,
#     each on a series picked at random (bench/wrk/metric-query.lua);
#   - bench.QueryLoadGenerator sends the same queries paced at QUERY_RATE queries/s,
#     latency from each query's scheduled send time: the p99 "at N queries/s".
# Needs wrk (Debian package wrk).
#
# Knobs: INGEST_RATES="0 1000 2500 5000" QUERY_RATE=2000 QUERY_CONNECTIONS=8 DURATION=20
#        JAVA=java STACK_JAVA_OPTS="-Xmx1g -XX:+UseG1GC" GATEWAY_PORT=28580 SERVING_PORT=28581
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
ingest_rates="${INGEST_RATES:-0 1000 2500 5000}"
query_rate="${QUERY_RATE:-2000}"
connections="${QUERY_CONNECTIONS:-8}"
duration="${DURATION:-20}"
java="${JAVA:-java}"
stack_java_opts="${STACK_JAVA_OPTS:--Xmx1g -XX:+UseG1GC}"
gateway_port="${GATEWAY_PORT:-28580}"
serving_port="${SERVING_PORT:-28581}"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
out="$root/bench/target/results"
mkdir -p "$out"
command -v wrk >/dev/null || { echo "wrk is not installed (Debian package wrk)"; exit 1; }

if [ -z "${SKIP_BUILD:-}" ]; then
  flock /tmp/sightline-mvn.lock ./mvnw -B -q -o -pl bench,local-stack -am package -DskipTests
fi
cp="$root/bench/target/classes:$root/bench/target/lib/*"
data="$(mktemp -d /tmp/sightline-query-bench.XXXXXX)"

# shellcheck disable=SC2086
"$java" $stack_java_opts -jar local-stack/target/sightline-local.jar --data-dir "$data" --demo \
  --kafka-port 0 --registry-port 0 --gateway-port "$gateway_port" --serving-port "$serving_port" \
  --enrich-port 0 --aggregate-port 0 --anomaly-port 0 > "$out/query-stack.log" 2>&1 &
stack_pid=$!
ingest_pid=""
cleanup() {
  [ -n "$ingest_pid" ] && kill "$ingest_pid" 2>/dev/null || true
  kill "$stack_pid" 2>/dev/null || true; wait "$stack_pid" 2>/dev/null || true; rm -rf "$data"
}
trap cleanup EXIT
serving="http://127.0.0.1:$serving_port"
gateway="http://127.0.0.1:$gateway_port"

echo "» waiting for event_count series (demo traffic through the pipeline)"
series=""
for _ in $(seq 1 240); do
  series=$(curl -s "$serving/v1/metrics/event_count" | grep -o '"event":"[^"]*"' | cut -d'"' -f4 | sort -u | sed 's/ /%20/g' | paste -sd, || true)
  [ -n "$series" ] && break
  sleep 1
done
[ -n "$series" ] || { echo "no event_count series after 240 s; see $out/query-stack.log"; exit 1; }
echo "series: $series"
export SERIES="$series"

query() { # kind seconds
  KIND="$1" wrk -t2 -c"$connections" -d"$2"s --latency -s bench/wrk/metric-query.lua "$serving/"
}
summarize() { # label wrk-output
  awk -v label="$1" -v rate_name=qps -f bench/wrk/summary.awk <<<"$2"
}

echo "» warm-up: 2 x 20 s of point lookups and 20 s of ranges"
query point 20 | grep 'Requests/sec'
query point 20 | grep 'Requests/sec'
query range 20 | grep 'Requests/sec'

results=()
for rate in $ingest_rates; do
  if [ "$rate" -gt 0 ]; then
    # Batches of 100 events, paced; as many events as the four query runs take at that rate.
    "$java" -Xmx256m -cp "$cp" io.sightline.bench.LoadGenerator --url "$gateway" --write-key local-dev-key \
      --concurrency 4 --batch-size 100 --event-bytes 300 --warmup-events 0 --rate "$rate" \
      --events "$((rate * (4 * duration + 20)))" --label "ingest-$rate" >> "$out/query-ingest.log" 2>&1 &
    ingest_pid=$!
    sleep 5
  fi
  for kind in point range; do
    echo "» $kind queries, $connections connections, ${duration} s, ingest at $rate events/s"
    result=$(summarize "kind=$kind connections=$connections ingest_events_per_s=$rate" "$(query "$kind" "$duration" | tee -a "$out/query.log")")
    echo "$result"
    results+=("$result")
  done
  for kind in point range; do
    echo "» $kind queries paced at $query_rate/s, $connections connections, ${duration} s, ingest at $rate events/s"
    result=$("$java" -Xmx256m -cp "$cp" io.sightline.bench.QueryLoadGenerator --url "$serving" --kind "$kind" \
      --concurrency "$connections" --rate "$query_rate" --queries "$((query_rate * duration))" --warmup-queries "$((query_rate * 5))" \
      --label "paced-ingest-$rate" | tee -a "$out/query.log" | grep '^RESULT' || true)
    echo "$result"
    results+=("$result")
  done
  if [ -n "$ingest_pid" ]; then
    # Its result line says whether the ingest kept its rate (and got only 200s).
    wait "$ingest_pid" || true; ingest_pid=""
    ingest=$(grep "label=ingest-$rate " "$out/query-ingest.log" | tail -1)
    echo "$ingest"
    results+=("$ingest")
  fi
done

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $("$java" -version 2>&1 | head -1), stack: $stack_java_opts, load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%s\n' "${results[@]}"
} | tee "$out/query-summary.txt"
