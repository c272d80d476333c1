# Sourced by the gateway benchmarks: builds bench/ (unless SKIP_BUILD is set), starts
# bench.BenchStack (broker, registry and gateway in one JVM) with STACK_JAVA_OPTS,
# waits for it, sources its BOOTSTRAP, GATEWAY_URL and PERF_TOPIC, stops it on exit,
# and defines load(), bench.LoadGenerator against that gateway.
# Expects: root, java, stack_java_opts, event_bytes, out.
if [ -z "${SKIP_BUILD:-}" ]; then
  flock /tmp/sightline-mvn.lock ./mvnw -B -q -o -pl bench -am package -DskipTests
fi
cp="$root/bench/target/classes:$root/bench/target/lib/*"
data="$(mktemp -d /tmp/sightline-bench.XXXXXX)"
envfile="$data/stack.env"

# shellcheck disable=SC2086
"$java" $stack_java_opts -cp "$cp" io.sightline.bench.BenchStack "$envfile" "$data/stack" > "$out/stack.log" 2>&1 &
stack_pid=$!
cleanup() { kill "$stack_pid" 2>/dev/null || true; wait "$stack_pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 120); do [ -s "$envfile" ] && break; sleep 1; done
[ -s "$envfile" ] || { echo "stack did not start; see $out/stack.log"; exit 1; }
# shellcheck disable=SC1090
source "$envfile"
echo "stack: $BOOTSTRAP $GATEWAY_URL"

load() { "$java" -Xmx512m -cp "$cp" io.sightline.bench.LoadGenerator --url "$GATEWAY_URL" --event-bytes "$event_bytes" "$@"; }
