#!/usr/bin/env bash
# The soak (see docs/reliability.md): the local stack (one JVM) under steady load for
# MINUTES, sampled every 10 s by io.sightline.reliability.SoakSampler: heap after GC (from
# the stack's GC log; the stack runs on ZGC, whose every cycle covers the whole heap), RSS,
# state directory size, open file descriptors and threads, and the p99 of probe POSTs and
# queries sent beside the load. Prints a row a minute and the
# trend of each column over the last TREND_MINUTES; exits 1 when a column is not flat.
#
#   reliability/soak.sh                      # 30 minutes at 5,000 events/s
#   RATE=4000 MINUTES=10 reliability/soak.sh
#
# RATE defaults to half the pipeline's capacity as last measured (bench/run-pipeline-capacity.sh,
# docs/benchmarks.md). The dedup window is 2 minutes here (24 h by default): its store keeps
# whole segments, about two windows' worth, so the run spans many of them and a state bounded
# by its retention shows as flat (with 10 minutes it still filled at the 30th minute).
# Knobs: RATE MINUTES=30 TREND_MINUTES=20 HEAP=2g JAVA=java DEDUP_WINDOW_MS=120000
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rate="${RATE:-5000}"
minutes="${MINUTES:-30}"
trend="${TREND_MINUTES:-20}"
heap="${HEAP:-2g}"
java="${JAVA:-java}"
gateway_port="${GATEWAY_PORT:-28780}"
serving_port="${SERVING_PORT:-28781}"
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -B -q -pl reliability,bench,local-stack -am package -DskipTests
fi
data="$(mktemp -d /tmp/sightline-soak.XXXXXX)"
out="$root/reliability/target/soak"
mkdir -p "$out"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(date -u +%FT%TZ)"
echo "» local stack (-Xmx$heap), $rate events/s for $minutes minutes; data in $data"
SIGHTLINE_RATE_LIMIT_EVENTS_PER_SECOND=0 SIGHTLINE_DEDUP_WINDOW_MS="${DEDUP_WINDOW_MS:-120000}" \
  "$java" "-Xmx$heap" -Xms"$heap" -XX:+UseZGC "-Xlog:gc,gc+heap:file=$data/gc.log" -jar local-stack/target/sightline-local.jar \
  --data-dir "$data/stack" --kafka-port 0 --registry-port 0 --gateway-port "$gateway_port" \
  --serving-port "$serving_port" --enrich-port 0 --aggregate-port 0 --anomaly-port 0 --archiver-port 0 \
  > "$out/stack.log" 2>&1 &
stack_pid=$!
load_pid=""
cleanup() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null || true
  kill "$stack_pid" 2>/dev/null || true; wait "$stack_pid" 2>/dev/null || true; rm -rf "$data"
}
trap cleanup EXIT
gateway="http://127.0.0.1:$gateway_port"
serving="http://127.0.0.1:$serving_port"
for _ in $(seq 1 300); do
  curl -sf "$gateway/health/ready" >/dev/null && curl -sf "$serving/health/ready" >/dev/null && break
  kill -0 "$stack_pid" 2>/dev/null || { echo "the stack exited; see $out/stack.log"; exit 1; }
  sleep 1
done
events=$(( rate * 60 * (minutes + 1) ))
"$java" -cp "$root/bench/target/classes:$root/bench/target/lib/*" io.sightline.bench.LoadGenerator \
  --url "$gateway" --write-key local-dev-key --rate "$rate" --batch-size 100 --concurrency 8 \
  --events "$events" --warmup-events 0 --label soak > "$out/load.log" 2>&1 &
load_pid=$!
"$java" -cp "$root/reliability/target/classes:$root/reliability/target/lib/*" io.sightline.reliability.SoakSampler \
  --pid "$stack_pid" --gc-log "$data/gc.log" --state-dir "$data/stack/state" --gateway "$gateway" \
  --serving "$serving" --minutes "$minutes" --trend-minutes "$trend" | tee "$out/soak.md"
