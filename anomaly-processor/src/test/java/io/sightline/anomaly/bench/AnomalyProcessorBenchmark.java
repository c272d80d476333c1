package io.sightline.anomaly.bench;

import io.sightline.anomaly.AnomalyConfig;
import io.sightline.anomaly.AnomalyService;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.testkit.PipelineEnvironment;
import io.sightline.testkit.StreamsDrain;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a test: a benchmark, run on demand (Surefire runs only *Test classes). The anomaly
 * processor on a local broker with S live series: S one-minute windows of the metric
 * {@code bench_count} (dimension {@code item}, values around 100 with noise, final), one per
 * series per minute, for W minutes of warm-up and then M measured minutes, all loaded into
 * {@code metrics.windowed.v1} before the processor starts; it then drains them with its real
 * topology, stores and exactly-once commits. Prints windows per second after the warm-up
 * and the state directory and changelog sizes ({@code STATE}, {@code CHANGELOG}).
 * {@code -Dbench.rules=<file>} runs a rules file (e.g. {@code ../deploy/rules/gauges.yaml}).
 *
 * <pre>
 * ./mvnw -B -o -pl anomaly-processor -am verify -Dtest=AnomalyProcessorBenchmark -Dbench.series=100000 \
 *     -Dbench.warmupMinutes=3 -Dbench.minutes=3 -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=None \
 *     -Dfailsafe.failIfNoSpecifiedTests=false
 * </pre>
 */
class AnomalyProcessorBenchmark {

    @TempDir
    Path dir;

    @Test
    void benchmark() throws Exception {
        int series = Integer.getInteger("bench.series", 100_000);
        int warmupMinutes = Integer.getInteger("bench.warmupMinutes", 3);
        int minutes = Integer.getInteger("bench.minutes", 3);
        String rules = System.getProperty("bench.rules", "");
        int warmup = series * warmupMinutes;
        int total = series * (warmupMinutes + minutes);
        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"));
                Admin admin = Admin.create(Map.of("bootstrap.servers", env.bootstrapServers()))) {
            load(env, series, warmupMinutes + minutes);
            Map<String, String> settings = new HashMap<>();
            settings.put("SIGHTLINE_KAFKA_STATESTORE_CACHE_MAX_BYTES", "10485760");
            // Every series is tracked: the cap evicts above it.
            settings.put("SIGHTLINE_DETECTOR_MAX_SERIES", String.valueOf(2 * series));
            if (!rules.isEmpty()) {
                settings.put(
                        "SIGHTLINE_DETECTOR_RULES_FILE",
                        Path.of(rules).toAbsolutePath().toString());
            }
            double perSecond = StreamsDrain.recordsPerSecond(
                    admin,
                    "sightline-anomaly",
                    dir.resolve("anomaly"),
                    warmup,
                    total,
                    () -> AnomalyService.start(new AnomalyConfig(env.serviceEnv(dir.resolve("anomaly"), settings))),
                    s -> s.app().streams());
            System.out.printf(
                    "%nBENCHMARK anomaly-processor, %d series, %d windows after a warm-up of %d, rules %s: %.0f windows/s%n",
                    series, total - warmup, warmup, rules.isEmpty() ? "default" : rules, perSecond);
        }
    }

    /** One final window per series and minute, minute by minute, as the aggregator writes them. */
    private static void load(PipelineEnvironment env, int series, int minutes) {
        Random random = new Random(1);
        Instant origin =
                Instant.now().minusSeconds(60L * (minutes + 1)).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        try (KafkaProducer<String, MetricWindow> producer = env.bulkProducer()) {
            for (int m = 0; m < minutes; m++) {
                Instant start = origin.plusSeconds(60L * m);
                for (int s = 0; s < series; s++) {
                    Map<String, String> dimensions = Map.of("item", "item-" + s);
                    MetricWindow w = MetricWindow.newBuilder()
                            .setMetric("bench_count")
                            .setDimensions(dimensions)
                            .setWindowStart(start)
                            .setWindowEnd(start.plusSeconds(60))
                            .setValue(100 + 10 * random.nextGaussian())
                            .setUpdatedAt(start.plusSeconds(61))
                            .setSampleCount(100)
                            .setIsFinal(true)
                            .setMeasure("count")
                            .build();
                    producer.send(new ProducerRecord<>(
                            Topics.METRICS_WINDOWED,
                            null,
                            start.plusSeconds(60).toEpochMilli(),
                            SeriesKey.of("bench_count", dimensions).toString(),
                            w));
                }
            }
            producer.flush();
        }
    }
}
