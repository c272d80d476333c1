package io.sightline.anomaly.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.anomaly.AnomalyConfig;
import io.sightline.common.streams.StreamsConfigs;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.registry.InMemorySchemaRegistryClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnomalyTopologyTest {

    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private static final String SERIES = SeriesKey.of("event_count", Map.of("event", "Checkout")).toString();

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(new InMemorySchemaRegistryClient());
    private TopologyTestDriver driver;
    private TestInputTopic<String, MetricWindow> metrics;
    private TestOutputTopic<String, Alert> alerts;

    @BeforeEach
    void setUp() {
        AnomalyConfig config = new AnomalyConfig(Map.of("SIGHTLINE_STATE_DIR", stateDir.toString()));
        Properties props = new Properties();
        props.putAll(StreamsConfigs.properties(config, "anomaly-processor",
                topics.valueSerde(DeadLetter.class).serializer(), new SimpleMeterRegistry()));
        driver = new TopologyTestDriver(AnomalyTopology.build(topics, config.detectorSettings()), props);
        metrics = driver.createInputTopic(Topics.METRICS_WINDOWED, new StringSerializer(), topics.metricsWindowed().valueSerde().serializer());
        alerts = driver.createOutputTopic(Topics.ALERTS, new StringDeserializer(), topics.alerts().valueSerde().deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void shouldStayQuietWhileTheSeriesIsLearning() {
        window(0, 10);
        window(1, 11);
        window(2, 500);

        assertThat(alerts.isEmpty()).isTrue();
    }

    @Test
    void shouldFireOnASpikeBeforeItsWindowEndsAndResolveOnceAWholeWindowIsNormal() {
        double[] normal = {10, 11, 9, 10, 12, 10};
        for (int i = 0; i < normal.length; i++) {
            window(i, normal[i]);
        }

        window(6, 12);
        assertThat(alerts.isEmpty()).isTrue();
        window(6, 80);

        Alert firing = alerts.readValue();
        assertThat(firing.getStatus()).isEqualTo(AlertStatus.firing);
        assertThat(firing.getObserved()).isEqualTo(80.0);
        assertThat(firing.getExpected()).isEqualTo(10.0);
        assertThat(firing.getLabels()).containsEntry("metric", "event_count").containsEntry("event", "Checkout")
                .containsEntry("alertname", "MetricAnomaly").containsKey("severity");
        assertThat(firing.getAnnotations().get("summary")).contains("above");
        assertThat(firing.getStartsAt()).isEqualTo(T0.plusSeconds(6 * 60));
        assertThat(alerts.isEmpty()).isTrue();

        window(7, 10);
        window(8, 3);

        Alert resolved = alerts.readValue();
        assertThat(resolved.getStatus()).isEqualTo(AlertStatus.resolved);
        assertThat(resolved.getFingerprint()).isEqualTo(firing.getFingerprint());
        assertThat(resolved.getEndsAt()).isEqualTo(T0.plusSeconds(8 * 60));
    }

    @Test
    void shouldFireWhenASeriesDropsToZero() {
        for (int i = 0; i < 8; i++) {
            window(i, 50 + (i % 3));
        }

        // Minutes 8 and 9 saw no events at all; minute 10 does again.
        window(10, 1);

        List<Alert> fired = alerts.readValuesToList();
        assertThat(fired).hasSize(1);
        assertThat(fired.get(0).getObserved()).isZero();
        assertThat(fired.get(0).getAnnotations().get("summary")).contains("below");
    }

    private void window(int minute, double value) {
        Instant start = T0.plusSeconds(minute * 60L);
        metrics.pipeInput(SERIES, MetricWindow.newBuilder().setMetric("event_count").setDimensions(Map.of("event", "Checkout"))
                .setWindowStart(start).setWindowEnd(start.plusSeconds(60)).setValue(value).setUpdatedAt(start).build());
    }
}
