package io.sightline.aggregate.bench;

import io.sightline.aggregate.AggregateConfig;
import io.sightline.aggregate.AggregateService;
import io.sightline.enrich.EnrichConfig;
import io.sightline.enrich.EnrichService;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.EventContext;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.testkit.PipelineEnvironment;
import io.sightline.testkit.StreamsDrain;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a test: a benchmark, run on demand (Surefire runs only *Test classes). It loads
 * a warm-up of W events and then N events into a single local broker, then starts one
 * app at a time, lets it drain the warm-up, and measures how long it takes from there
 * until its consumer group has committed every input (and internal repartition)
 * record: a pass-through Streams app (read, write, nothing
 * else; the ceiling), the enrich processor, the aggregate processor with the default
 * metrics. All exactly-once, commit interval 100 ms, 3 partitions. After each drain it prints
 * the app's state directory size ({@code STATE}) and its changelog topics' size on the broker
 * ({@code CHANGELOG}). {@code -Dbench.spanSeconds=S} spreads the events evenly over the S seconds
 * of event time ending now (default: 1 ms apart, starting now); {@code -Dbench.apps} picks the apps
 * (comma list of passthrough, aggregate, enrich; default all three).
 *
 * <pre>
 * ./mvnw -B -o -pl aggregate-processor -am verify -Dtest=StreamProcessorsBenchmark -Dbench.events=50000 -Dbench.warmup=50000 \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=None -Dfailsafe.failIfNoSpecifiedTests=false
 * </pre>
 */
class StreamProcessorsBenchmark {

    private static final List<String> AGENTS = List.of(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
    private static final List<String> NAMES =
            List.of("Signed Up", "Activated", "Clicked", "Viewed", "API Request", "Error");

    @TempDir
    Path dir;

    @Test
    void benchmark() throws Exception {
        int n = Integer.getInteger("bench.events", 50_000);
        // Each app first drains this many events, untimed: the JIT compiles its code paths
        // (a short run of a cold app measures the compiler, which took as much CPU as the app).
        int warmup = Integer.getInteger("bench.warmup", n);
        int total = warmup + n;
        Long span = Long.getLong("bench.spanSeconds");
        Set<String> apps = Set.of(
                System.getProperty("bench.apps", "passthrough,aggregate,enrich").split(","));
        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"));
                Admin admin = Admin.create(Map.of("bootstrap.servers", env.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("bench.in", 3, (short) 1), new NewTopic("bench.out", 3, (short) 1)))
                    .all()
                    .get();
            Instant now = Instant.now();
            Instant start = now.minusSeconds(span == null ? 0 : span);
            IntFn<Instant> at =
                    span == null ? i -> now.plusMillis(i) : i -> start.plusMillis((long) i * span * 1000 / total);
            if (apps.contains("passthrough")) {
                load(env, "bench.in", total, i -> enriched(i, at.apply(i)));
            }
            if (apps.contains("enrich")) {
                load(env, "events.raw.v1", total, i -> raw(i, at.apply(i)));
            }
            if (apps.contains("aggregate")) {
                load(env, "events.enriched.v1", total, i -> enriched(i, at.apply(i)));
            }

            Map<String, String> settings = Map.of("SIGHTLINE_KAFKA_STATESTORE_CACHE_MAX_BYTES", "10485760");
            double pass = apps.contains("passthrough")
                    ? StreamsDrain.recordsPerSecond(
                            admin,
                            "bench-passthrough",
                            dir.resolve("pass"),
                            warmup,
                            total,
                            () -> passThrough(env),
                            PassThrough::streams)
                    : Double.NaN;
            // aggregate before enrich: enrich's output would add to the aggregate's input
            double aggregate = apps.contains("aggregate")
                    ? StreamsDrain.recordsPerSecond(
                            admin,
                            "sightline-aggregate",
                            dir.resolve("aggregate"),
                            warmup,
                            total,
                            () -> AggregateService.start(
                                    new AggregateConfig(env.serviceEnv(dir.resolve("aggregate"), settings))),
                            s -> s.app().streams())
                    : Double.NaN;
            double enrich = apps.contains("enrich")
                    ? StreamsDrain.recordsPerSecond(
                            admin,
                            "sightline-enrich",
                            dir.resolve("enrich"),
                            warmup,
                            total,
                            () -> EnrichService.start(
                                    new EnrichConfig(env.serviceEnv(dir.resolve("enrich"), settings))),
                            s -> s.app().streams())
                    : Double.NaN;

            System.out.printf(
                    "%nBENCHMARK n=%d after a warm-up of %d, event time span %s s%n| app | records/s | share of pass-through |%n|---|---|---|%n",
                    n, warmup, span == null ? "-" : span);
            if (apps.contains("passthrough")) {
                System.out.printf("| pass-through | %.0f | 100 %% |%n", pass);
            }
            if (apps.contains("enrich")) {
                System.out.printf("| enrich-processor | %.0f | %.0f %% |%n", enrich, 100 * enrich / pass);
            }
            if (apps.contains("aggregate")) {
                System.out.printf("| aggregate-processor | %.0f | %.0f %% |%n", aggregate, 100 * aggregate / pass);
            }
        }
    }

    private interface IntFn<T> {
        T apply(int i);
    }

    private static <V extends SpecificRecord> void load(PipelineEnvironment env, String topic, int n, IntFn<V> make) {
        try (KafkaProducer<String, V> producer = env.bulkProducer()) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, "user-" + (i % 1000), make.apply(i)));
            }
            producer.flush();
        }
    }

    private record PassThrough(KafkaStreams streams) implements AutoCloseable {
        @Override
        public void close() {
            streams.close(Duration.ofSeconds(30));
        }
    }

    private PassThrough passThrough(PipelineEnvironment env) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("bench.in", Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .to("bench.out", Produced.with(Serdes.String(), Serdes.ByteArray()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-passthrough");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("pass").toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.start();
        return new PassThrough(streams);
    }

    private static TrackedEvent raw(int i, Instant at) {
        return TrackedEvent.newBuilder()
                .setMessageId("m-" + i)
                .setType(EventType.track)
                .setSource("web")
                .setEvent(NAMES.get(i % NAMES.size()))
                .setUserId(i % 3 == 0 ? null : "user-" + (i % 1000))
                .setAnonymousId("anon-" + (i % 1000))
                .setReceivedAt(at)
                .setTimestamp(at)
                .setProperties("{\"latency_ms\":" + (i % 500) + ",\"email\":\"u" + (i % 1000) + "@example.com\"}")
                .setContext(EventContext.newBuilder()
                        .setUserAgent(AGENTS.get(i % AGENTS.size()))
                        .setIp("203.0.113." + (i % 250))
                        .build())
                .build();
    }

    private static EnrichedEvent enriched(int i, Instant at) {
        String user = "user-" + (i % 1000);
        TrackedEvent event = TrackedEvent.newBuilder()
                .setMessageId("m-" + i)
                .setType(EventType.track)
                .setSource("web")
                .setEvent(NAMES.get(i % NAMES.size()))
                .setUserId(user)
                .setReceivedAt(at)
                .setTimestamp(at)
                .setProperties("{\"latency_ms\":" + (i % 500) + "}")
                .build();
        return EnrichedEvent.newBuilder()
                .setEvent(event)
                .setUserKey(user)
                .setEnrichedAt(at)
                .setSessionId("s-" + (i % 3000))
                .setSessionIndex(1)
                .setDeviceClass("Desktop")
                .build();
    }
}
