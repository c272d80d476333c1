package io.sightline.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sightline.anomaly.topology.AnomalyTopology;
import io.sightline.common.service.StreamsService;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertContributor;
import io.sightline.schemas.avro.AlertStatus;
import io.sightline.schemas.avro.CorrelatedSeries;
import io.sightline.schemas.avro.LatestEvaluation;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.testkit.PipelineEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An alert's explanation sees the series of every partition: the drill-down names a
 * dimension value whose series lives on another partition, and the correlation a metric
 * on yet another one (through {@code metrics.evaluations.v1} and the global store).
 */
class ExplanationAcrossPartitionsIT {

    private static final int PARTITIONS = 3;
    private static final Map<String, String> CHECKOUT = Map.of("event", "Checkout");
    private static final Map<String, String> SEARCH = Map.of("event", "Search");

    @TempDir
    Path dir;

    @Test
    void shouldExplainAnAlertWithSeriesFromOtherPartitions() throws Exception {
        String checkout = SeriesKey.of("event_count", CHECKOUT).toString();
        String search = SeriesKey.of("event_count", SEARCH).toString();
        String latency = SeriesKey.of("latency_p95", Map.of()).toString();
        assertThat(List.of(partition(checkout), partition(search), partition(latency)))
                .as("the three series on three different partitions")
                .doesNotHaveDuplicates();

        // The spike is in the current minute: records carry the current time, and stream time far ahead of
        // a series' windows counts its missing windows as zero.
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(10));
        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"));
                StreamsService service = AnomalyService.start(new AnomalyConfig(
                        env.serviceEnv(dir.resolve("state"), Map.of("SIGHTLINE_QUALITY_LAG_INTERVAL_MS", "0"))))) {
            // Each update carries its window's time, as the aggregator's do: stream time that ran ahead of the
            // warm-up windows would count the windows not yet sent as zero (a drop alert).
            for (int i = 0; i < 10; i++) {
                Instant at = t0.plus(Duration.ofMinutes(i)).plusSeconds(30);
                env.produce(Topics.METRICS_WINDOWED, checkout, window("event_count", CHECKOUT, t0, i, 50 + i % 2), at);
                env.produce(Topics.METRICS_WINDOWED, search, window("event_count", SEARCH, t0, i, 40 + i % 2), at);
                env.produce(Topics.METRICS_WINDOWED, latency, window("latency_p95", Map.of(), t0, i, 200 + i % 3), at);
            }
            // Search and latency spike first; once their evaluations are in the global store, Checkout spikes.
            Instant now = Instant.now();
            env.produce(Topics.METRICS_WINDOWED, search, window("event_count", SEARCH, t0, 10, 300), now);
            env.produce(Topics.METRICS_WINDOWED, latency, window("latency_p95", Map.of(), t0, 10, 900), now);
            Instant minute10 = t0.plus(Duration.ofMinutes(10));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> evaluatedAt(service, search, minute10) && evaluatedAt(service, latency, minute10));

            env.produce(Topics.METRICS_WINDOWED, checkout, window("event_count", CHECKOUT, t0, 10, 400), Instant.now());

            java.util.function.Predicate<Alert> spike = a -> a.getStatus() == AlertStatus.firing
                    && CHECKOUT.equals(a.getDimensions())
                    && a.getWindowStart().equals(minute10);
            var alerts = env.readUntil(Topics.ALERTS, Alert.class, Duration.ofSeconds(60), r -> spike.test(r.value()));
            assertThat(alerts)
                    .as("no alert during the warm-up")
                    .noneMatch(r -> r.value().getWindowStart().isBefore(minute10));
            Alert firing = alerts.stream()
                    .map(r -> r.value())
                    .filter(spike)
                    .findFirst()
                    .orElseThrow();
            assertThat(firing.getContributors())
                    .as(firing.toString())
                    .extracting(AlertContributor::getValue)
                    .contains("Checkout", "Search");
            assertThat(firing.getCorrelated())
                    .as(firing.toString())
                    .extracting(CorrelatedSeries::getSeries)
                    .anyMatch(s -> s.startsWith("latency_p95"));
        }
    }

    private static int partition(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    private static boolean evaluatedAt(StreamsService service, String key, Instant windowStart) {
        try {
            LatestEvaluation e = service.app()
                    .streams()
                    .store(StoreQueryParameters.fromNameAndType(
                            AnomalyTopology.EVALUATIONS_STORE,
                            QueryableStoreTypes.<String, LatestEvaluation>keyValueStore()))
                    .get(key);
            return e != null && e.getWindowStart() == windowStart.toEpochMilli();
        } catch (InvalidStateStoreException e) {
            return false;
        }
    }

    private static MetricWindow window(String metric, Map<String, String> dims, Instant t0, int minute, double value) {
        Instant start = t0.plus(Duration.ofMinutes(minute));
        return MetricWindow.newBuilder()
                .setMetric(metric)
                .setDimensions(dims)
                .setWindowStart(start)
                .setWindowEnd(start.plus(Duration.ofMinutes(1)))
                .setValue(value)
                .setUpdatedAt(start)
                .build();
    }
}
