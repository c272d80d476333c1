#!/usr/bin/env bash
# The full reliability run and its control (see docs/reliability.md):
#
#   reliability/run.sh                 # full run (exactly_once_v2), then the control run (at_least_once)
#   PROFILE=short reliability/run.sh   # the CI profile: one broker kill, one instance kill
#   RUNS=full reliability/run.sh       # the full run only
#   RUNS=full reliability/run.sh --set SIGHTLINE_KAFKA_PRODUCER_DELIVERY_TIMEOUT_MS=60000
#                                      # the same faults with a setting changed for every service
#
# Each run starts a KRaft controller, 3 brokers, the schema registry, 2 gateways and 2
# instances of enrich, aggregate, anomaly and serving, every one its own JVM; sends paced
# load (RATE events/s) through both gateways and queries the serving replicas throughout;
# injects the faults; then drains and recounts every result from the acknowledged events.
# Reports go to reliability/target/runs/<run>/report.md; process logs beside them.
# Knobs: RATE=200 PROFILE=full RUNS="full control" JAVA=java
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rate="${RATE:-200}"
profile="${PROFILE:-full}"
runs="${RUNS:-full control}"
java="${JAVA:-java}"
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -B -q -pl reliability -am package -DskipTests
fi
cp="$root/reliability/target/classes:$root/reliability/target/lib/*"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(date -u +%FT%TZ)"
status=0
for run in $runs; do
  case "$run" in
    full) guarantee=exactly_once_v2 ;;
    control) guarantee=at_least_once ;;
    *) echo "unknown run $run (full or control)"; exit 2 ;;
  esac
  dir="$root/reliability/target/runs/$run-$(date +%s)"
  echo "» $run run: $profile profile, $guarantee, $rate events/s, in $dir"
  set +e
  "$java" -cp "$cp" io.sightline.reliability.ReliabilityRun \
    --profile "$profile" --guarantee "$guarantee" --rate "$rate" --data-dir "$dir" "$@"
  rc=$?
  set -e
  if [ "$run" = full ] && [ $rc -ne 0 ]; then
    echo "✗ the full run failed its verification"; status=1
  elif [ "$run" = control ] && [ $rc -eq 0 ]; then
    echo "✗ the control run (at_least_once) passed: the verifier did not see the duplicates it must"; status=1
  elif [ "$run" = control ]; then
    echo "✓ the control run failed verification, as at_least_once must under these faults"
  fi
done
exit $status
