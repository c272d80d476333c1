package io.sightline.serving.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.common.streams.StreamsAppSettings;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.registry.InMemorySchemaRegistryClient;
import io.sightline.serving.ServingConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingTopologyTest {

    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private static final String SERIES =
            SeriesKey.of("event_count", Map.of("event", "Signed Up")).toString();

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(new InMemorySchemaRegistryClient());
    private TopologyTestDriver driver;

    @BeforeEach
    void setUp() {
        ServingConfig config = new ServingConfig(Map.of("SIGHTLINE_STATE_DIR", stateDir.toString()));
        Properties props = new Properties();
        props.putAll(StreamsAppSettings.properties(
                config, "serving-api", topics.valueSerde(DeadLetter.class).serializer(), new SimpleMeterRegistry()));
        driver = new TopologyTestDriver(ServingTopology.build(topics, config.topologySettings()), props);
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void shouldKeepTheLatestUpdateOfEachWindowQueryableByStart() {
        var metrics = driver.createInputTopic(
                Topics.METRICS_WINDOWED,
                new StringSerializer(),
                topics.metricsWindowed().valueSerde().serializer());
        metrics.pipeInput(SERIES, window(0, 1));
        metrics.pipeInput(SERIES, window(0, 2));
        metrics.pipeInput(SERIES, window(1, 5));
        // An hourly window of the same series goes to its own store and does not overwrite minute 0.
        metrics.pipeInput(
                SERIES,
                MetricWindow.newBuilder(window(0, 60))
                        .setWindowEnd(T0.plusSeconds(3600))
                        .build());

        WindowStore<String, MetricWindow> store =
                driver.getWindowStore(ServingTopology.metricStore(Duration.ofMinutes(1)));
        List<Double> values = new ArrayList<>();
        try (var it = store.fetch(SERIES, T0, T0.plusSeconds(60))) {
            it.forEachRemaining(kv -> values.add(kv.value.getValue()));
        }
        assertThat(values).containsExactly(2.0, 5.0);
        WindowStore<String, MetricWindow> hourly =
                driver.getWindowStore(ServingTopology.metricStore(Duration.ofHours(1)));
        assertThat(hourly.fetch(SERIES, T0.toEpochMilli()).getValue()).isEqualTo(60.0);
    }

    @Test
    void shouldCountRejectedInputPerComponentSourceAndReason() {
        var invalid = driver.createInputTopic(
                Topics.EVENTS_INVALID,
                new StringSerializer(),
                topics.eventsInvalid().valueSerde().serializer());
        invalid.pipeInput("k", deadLetter("web", "missing_field"), T0);
        invalid.pipeInput("k", deadLetter("web", "missing_field"), T0.plusSeconds(5));
        invalid.pipeInput("k", deadLetter(null, "invalid_json"), T0.plusSeconds(6));

        WindowStore<String, Long> store = driver.getWindowStore(ServingTopology.DEAD_LETTER_STORE);
        assertThat(store.fetch("ingest-gateway|web|missing_field", T0.toEpochMilli()))
                .isEqualTo(2L);
        assertThat(store.fetch("ingest-gateway|-|invalid_json", T0.toEpochMilli()))
                .isEqualTo(1L);
    }

    private static io.sightline.schemas.avro.DeadLetter deadLetter(String source, String reason) {
        return io.sightline.schemas.avro.DeadLetter.newBuilder()
                .setReasonCode(reason)
                .setReasonText("t")
                .setComponent("ingest-gateway")
                .setSource(source)
                .setPayload(java.nio.ByteBuffer.wrap(new byte[0]))
                .setTime(T0)
                .build();
    }

    @Test
    void shouldKeepTheCurrentStateOfEachAlertByFingerprint() {
        var alerts = driver.createInputTopic(
                Topics.ALERTS,
                new StringSerializer(),
                topics.alerts().valueSerde().serializer());
        alerts.pipeInput("f1", alert("f1", AlertStatus.firing));
        alerts.pipeInput("f1", alert("f1", AlertStatus.resolved));

        KeyValueStore<String, ValueAndTimestamp<Alert>> store =
                driver.getTimestampedKeyValueStore(ServingTopology.ALERT_STORE);
        assertThat(store.get("f1").value().getStatus()).isEqualTo(AlertStatus.resolved);
    }

    private static MetricWindow window(int minute, double value) {
        Instant start = T0.plusSeconds(minute * 60L);
        return MetricWindow.newBuilder()
                .setMetric("event_count")
                .setDimensions(Map.of("event", "Signed Up"))
                .setWindowStart(start)
                .setWindowEnd(start.plusSeconds(60))
                .setValue(value)
                .setUpdatedAt(start)
                .build();
    }

    private static Alert alert(String fingerprint, AlertStatus status) {
        return Alert.newBuilder()
                .setFingerprint(fingerprint)
                .setStatus(status)
                .setStartsAt(T0)
                .setMetric("event_count")
                .setWindowStart(T0)
                .setObserved(1)
                .setExpected(1)
                .setLower(0)
                .setUpper(2)
                .setScore(0)
                .setConfidence(0.5)
                .setDetector("robust_zscore")
                .build();
    }
}
