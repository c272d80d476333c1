#!/usr/bin/env bash
# Benchmark of the ingest gateway next to Kafka's own ProducerPerformance, on the same
# freshly started single-node broker, in one run (see docs/benchmarks.md).
#
#   bench/run-benchmark.sh [events-single] [events-batched]
#
# Starts broker + schema registry + gateway (bench.BenchStack) in one JVM, runs the load
# generator (bench.LoadGenerator) for single-event POSTs, batched POSTs and single-event
# POSTs paced at half the measured single-event rate, then ProducerPerformance with the
# record size the gateway's producer reported and the batched run's record count.
# Every run is bounded by its event count; the stack is stopped at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
single_events="${1:-60000}"
batched_events="${2:-500000}"
concurrency_single="${CONCURRENCY_SINGLE:-64}"
concurrency_batched="${CONCURRENCY_BATCHED:-16}"
batch_size="${BATCH_SIZE:-100}"
event_bytes="${EVENT_BYTES:-300}"
out="$root/bench/target/results"
mkdir -p "$out"

if [ -z "${SKIP_BUILD:-}" ]; then
  flock /tmp/sightline-mvn.lock ./mvnw -B -q -o -pl bench -am package -DskipTests
fi
cp="$root/bench/target/classes:$root/bench/target/lib/*"
data="$(mktemp -d /tmp/sightline-bench.XXXXXX)"
envfile="$data/stack.env"

java -Xmx1g -XX:+UseG1GC -cp "$cp" io.sightline.bench.BenchStack "$envfile" "$data/stack" > "$out/stack.log" 2>&1 &
stack_pid=$!
cleanup() { kill "$stack_pid" 2>/dev/null || true; wait "$stack_pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 120); do [ -s "$envfile" ] && break; sleep 1; done
[ -s "$envfile" ] || { echo "stack did not start; see $out/stack.log"; exit 1; }
# shellcheck disable=SC1090
source "$envfile"
echo "stack: $BOOTSTRAP $GATEWAY_URL"

load() { java -Xmx512m -cp "$cp" io.sightline.bench.LoadGenerator --url "$GATEWAY_URL" --event-bytes "$event_bytes" "$@"; }

echo "» single-event POSTs, closed loop"
single=$(load --label single --concurrency "$concurrency_single" --batch-size 1 --events "$single_events" --warmup-events 20000 | tee -a "$out/load.log" | grep '^RESULT')
echo "$single"
echo "» batched POSTs ($batch_size per request), closed loop"
batched=$(load --label batched --concurrency "$concurrency_batched" --batch-size "$batch_size" --events "$batched_events" --warmup-events 100000 | tee -a "$out/load.log" | grep '^RESULT')
echo "$batched"
single_rate=$(sed -E 's/.*events_per_s=([0-9]+).*/\1/' <<<"$single")
half=$((single_rate / 2))
echo "» single-event POSTs paced at half that rate ($half events/s)"
paced=$(load --label single-half-load --concurrency "$concurrency_single" --batch-size 1 --events "$((half * 20))" --warmup-events "$((half * 5))" --rate "$half" | tee -a "$out/load.log" | grep '^RESULT')
echo "$paced"

gateway_port="${GATEWAY_URL##*:}"
record_size=$(curl -s "http://127.0.0.1:$gateway_port/metrics" | grep '^kafka_producer_record_size_avg' | head -1 | awk '{printf "%d", $2}')
record_size="${record_size:-300}"
echo "» Kafka ProducerPerformance: $batched_events records of $record_size bytes (the gateway's average record size) on the same broker"
perf=$(java -Xmx512m -cp "$cp" org.apache.kafka.tools.ProducerPerformance --topic "$PERF_TOPIC" --num-records "$batched_events" \
  --record-size "$record_size" --throughput -1 --producer-props bootstrap.servers="$BOOTSTRAP" acks=all enable.idempotence=true \
  compression.type=lz4 linger.ms=5 batch.size=131072 2>&1 | tee "$out/producer-performance.log" | tail -1)
echo "$perf"

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$single"; echo "$batched"; echo "$paced"
  echo "PRODUCER_PERFORMANCE record_size=$record_size $perf"
} | tee "$out/summary.txt"
