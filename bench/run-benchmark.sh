#!/usr/bin/env bash
# Benchmark of the ingest gateway next to Kafka's own ProducerPerformance, on the same
# freshly started single-node broker, in one run (see docs/benchmarks.md).
#
#   bench/run-benchmark.sh [events-single] [events-batched]
#
# Starts broker + schema registry + gateway (bench.BenchStack) in one JVM, warms it up,
# then measures single-event POSTs in a closed loop (with wrk when it is installed: its
# C client leaves the cores to the gateway; else with bench.LoadGenerator), batched
# POSTs, single-event POSTs paced at PACED_RATE (default 5,000/s, half of the 10,000/s
# single-event target) with latency from each request's scheduled send time, and
# finally ProducerPerformance with the record size the gateway's producer reported and
# the batched run's record count. Every run is bounded; the stack is stopped at the end.
# JAVA (default: java on the PATH) and STACK_JAVA_OPTS choose the runtime of the stack.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
single_events="${1:-60000}"
batched_events="${2:-500000}"
concurrency_single="${CONCURRENCY_SINGLE:-256}"
concurrency_batched="${CONCURRENCY_BATCHED:-16}"
batch_size="${BATCH_SIZE:-100}"
event_bytes="${EVENT_BYTES:-300}"
paced_rate="${PACED_RATE:-5000}"
java="${JAVA:-java}"
stack_java_opts="${STACK_JAVA_OPTS:--Xmx1g -XX:+UseG1GC}"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
out="$root/bench/target/results"
mkdir -p "$out"

# shellcheck source=bench/gateway-stack.sh
source "$root/bench/gateway-stack.sh"

if command -v wrk >/dev/null; then
  # wrk: two threads, one keep-alive connection per slot, random user ids (bench/wrk/track.lua).
  echo "» warm-up: 4 x 20 s of single-event POSTs (wrk, $concurrency_single connections)"
  for _ in 1 2 3 4; do
    wrk -t2 -c"$concurrency_single" -d20s -s bench/wrk/track.lua "$GATEWAY_URL/v1/track" | grep 'Requests/sec' || true
  done
  echo "» single-event POSTs, closed loop, 30 s (wrk, $concurrency_single connections)"
  wrk_out=$(wrk -t2 -c"$concurrency_single" -d30s --latency -s bench/wrk/track.lua "$GATEWAY_URL/v1/track" | tee -a "$out/load.log")
  single=$(awk -v label="label=single-wrk concurrency=$concurrency_single batch=1" -v rate_name=events_per_s -f bench/wrk/summary.awk <<<"$wrk_out")
else
  echo "» warm-up and single-event POSTs, closed loop (bench.LoadGenerator; install wrk for a lighter client)"
  single=$(load --label single --concurrency "$concurrency_single" --batch-size 1 --events "$single_events" --warmup-events 60000 | tee -a "$out/load.log" | grep '^RESULT')
fi
echo "$single"
echo "» batched POSTs ($batch_size per request), closed loop"
batched=$(load --label batched --concurrency "$concurrency_batched" --batch-size "$batch_size" --events "$batched_events" --warmup-events 100000 | tee -a "$out/load.log" | grep '^RESULT')
echo "$batched"
echo "» single-event POSTs paced at $paced_rate events/s, $concurrency_single connections"
paced=$(load --label single-paced --concurrency "$concurrency_single" --batch-size 1 --events "$((paced_rate * 30))" --warmup-events "$((paced_rate * 5))" --rate "$paced_rate" | tee -a "$out/load.log" | grep '^RESULT')
echo "$paced"

gateway_port="${GATEWAY_URL##*:}"
record_size=$(curl -s "http://127.0.0.1:$gateway_port/metrics" | grep '^kafka_producer_record_size_avg' | head -1 | awk '{printf "%d", $2}')
record_size="${record_size:-300}"
echo "» Kafka ProducerPerformance: $batched_events records of $record_size bytes (the gateway's average record size) on the same broker"
perf=$("$java" -Xmx512m -cp "$cp" org.apache.kafka.tools.ProducerPerformance --topic "$PERF_TOPIC" --num-records "$batched_events" \
  --record-size "$record_size" --throughput -1 --producer-props bootstrap.servers="$BOOTSTRAP" acks=all enable.idempotence=true \
  compression.type=lz4 linger.ms=5 batch.size=131072 2>&1 | tee "$out/producer-performance.log" | tail -1)
echo "$perf"

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $("$java" -version 2>&1 | head -1), stack: $stack_java_opts, load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$single"; echo "$batched"; echo "$paced"
  echo "PRODUCER_PERFORMANCE record_size=$record_size $perf"
} | tee "$out/summary.txt"
