#!/usr/bin/env bash
# What checking a tracking plan costs the gateway, in one run (see docs/benchmarks.md):
# batched POSTs with the write key of a source without a plan and with the key of a
# source checked against bench.BenchPlan (50 events x 10 properties), alternating
# ROUNDS times on the same stack, so drift of the machine hits both alike.
#
#   bench/run-plan-benchmark.sh [events-per-run]
#
# Knobs: ROUNDS=3 CONCURRENCY_BATCHED=16 BATCH_SIZE=100 EVENT_BYTES=300 JAVA=java STACK_JAVA_OPTS="-Xmx1g -XX:+UseG1GC"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
events="${1:-1000000}"
rounds="${ROUNDS:-3}"
concurrency="${CONCURRENCY_BATCHED:-16}"
batch_size="${BATCH_SIZE:-100}"
event_bytes="${EVENT_BYTES:-300}"
java="${JAVA:-java}"
stack_java_opts="${STACK_JAVA_OPTS:--Xmx1g -XX:+UseG1GC}"
out="$root/bench/target/results"
mkdir -p "$out"
# shellcheck source=bench/gateway-stack.sh
source "$root/bench/gateway-stack.sh"

echo "» warm-up, both sources"
load --label warmup --write-key bench-key --concurrency "$concurrency" --batch-size "$batch_size" --events 200000 --warmup-events 0 >/dev/null
load --label warmup --write-key bench-planned-key --concurrency "$concurrency" --batch-size "$batch_size" --events 200000 --warmup-events 0 >/dev/null
results=()
for round in $(seq 1 "$rounds"); do
  for key in bench-key bench-planned-key; do
    label=$([ "$key" = bench-key ] && echo "no-plan" || echo "plan")
    line=$(load --label "$label-$round" --write-key "$key" --concurrency "$concurrency" --batch-size "$batch_size" --events "$events" \
      --warmup-events 0 | tee -a "$out/plan-load.log" | grep '^RESULT')
    echo "$line"
    results+=("$line")
  done
done
metrics=$(curl -s "${GATEWAY_URL}/metrics")
checked=$(awk '/^sightline_ingest_plan_checks_total/ {s += $2} END {printf "%d", s}' <<<"$metrics")
violations=$(awk '/^sightline_ingest_plan_violations_total/ {s += $2} END {printf "%d", s}' <<<"$metrics")
{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $("$java" -version 2>&1 | head -1), stack: $stack_java_opts"
  printf '%s\n' "${results[@]}"
  printf '%s\n' "${results[@]}" | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^events_per_s=/) { split($i, kv, "="); v = kv[2] }
      if ($2 ~ /label=no-plan/) { n += v; nc++ } else { p += v; pc++ } }
      END { printf "MEAN no_plan_events_per_s=%.0f plan_events_per_s=%.0f change=%+.1f%%\n", n / nc, p / pc, (p / pc - n / nc) * 100 / (n / nc) }'
  echo "events checked against the plan: $checked; violations: $violations (0 expected: the generated events conform)"
} | tee "$out/plan-summary.txt"
