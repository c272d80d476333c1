#!/usr/bin/env bash
# What a long suppression list costs the gateway, in one run (see docs/benchmarks.md):
# batched POSTs on a stack without suppressed subjects and on one with SUPPRESSED of them
# (default a million, loaded from privacy.regulations.v1 before the gateway starts),
# alternating ROUNDS times on fresh stacks, so drift of the machine hits both alike; the
# heap after a full GC and the time the gateway took to load the list are printed too.
#
#   bench/run-suppression-benchmark.sh [events-per-run]
#
# Knobs: ROUNDS=3 SUPPRESSED=1000000 CONCURRENCY_BATCHED=16 BATCH_SIZE=100 EVENT_BYTES=300 JAVA=java
#        STACK_JAVA_OPTS="-Xmx1g -XX:+UseG1GC"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
events="${1:-500000}"
rounds="${ROUNDS:-3}"
suppressed="${SUPPRESSED:-1000000}"
concurrency="${CONCURRENCY_BATCHED:-16}"
batch_size="${BATCH_SIZE:-100}"
event_bytes="${EVENT_BYTES:-300}"
java="${JAVA:-java}"
stack_java_opts="${STACK_JAVA_OPTS:--Xmx1g -XX:+UseG1GC}"
out="$root/bench/target/results"
mkdir -p "$out"
if [ -z "${SKIP_BUILD:-}" ]; then
  flock /tmp/sightline-mvn.lock ./mvnw -B -q -o -pl bench -am package -DskipTests
fi

# One side of one round in its own stack: prints a RESULT line with the side and the heap after GC.
side() {
  local count="$1" round="$2"
  (
    export SKIP_BUILD=1 BENCH_SUPPRESSED="$count"
    # shellcheck source=bench/gateway-stack.sh
    source "$root/bench/gateway-stack.sh"
    load --label warmup --write-key bench-key --concurrency "$concurrency" --batch-size "$batch_size" --events 200000 \
      --warmup-events 0 >/dev/null
    line=$(load --label "suppressed-$count-$round" --write-key bench-key --concurrency "$concurrency" \
      --batch-size "$batch_size" --events "$events" --warmup-events 0 | grep '^RESULT')
    jcmd "$stack_pid" GC.run >/dev/null
    heap=$(jcmd "$stack_pid" GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") { print $(i + 1); exit }}')
    loaded=$(grep -o 'gateway ready in [0-9.]* s' "$out/stack.log" | head -1)
    gauge=$(curl -s "${GATEWAY_URL}/metrics" | awk '/^sightline_ingest_suppressed_subjects/ {print $2}')
    echo "$line heap_after_gc=$heap suppressed_gauge=$gauge ($loaded)"
  )
}

results=()
for round in $(seq 1 "$rounds"); do
  for count in 0 "$suppressed"; do
    line=$(side "$count" "$round" | grep '^RESULT')
    echo "$line"
    results+=("$line")
  done
done
{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $("$java" -version 2>&1 | head -1), stack: $stack_java_opts"
  printf '%s\n' "${results[@]}"
  printf '%s\n' "${results[@]}" | awk -v n="$suppressed" '/^RESULT/ {for (i = 1; i <= NF; i++) if ($i ~ /^events_per_s=/) { split($i, kv, "="); v = kv[2] }
      if ($2 ~ /label=suppressed-0-/) { a[++na] = v } else { b[++nb] = v } }
      function median(x, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
        return k % 2 ? x[(k + 1) / 2] : (x[k / 2] + x[k / 2 + 1]) / 2 }
      END { m0 = median(a, na); m1 = median(b, nb)
        printf "MEDIAN none_events_per_s=%.0f suppressed_%d_events_per_s=%.0f change=%+.1f%%\n", m0, n, m1, (m1 - m0) * 100 / m0 }'
} | tee "$out/suppression-summary.txt"
