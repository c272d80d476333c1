package io.sightline.anomaly.topology;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.anomaly.AnomalyConfig;
import io.sightline.common.streams.StreamsAppSettings;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EventCatalogEntry;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.LatestEvaluation;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.PlanViolation;
import io.sightline.schemas.avro.QualityViolation;
import io.sightline.schemas.registry.InMemorySchemaRegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/** A TopologyTestDriver around the anomaly topology, with helpers to pipe windows and read alerts and state. */
final class DetectorDriver implements AutoCloseable {

    static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");

    private final Topics topics = new Topics(new InMemorySchemaRegistryClient());
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, MetricWindow> metrics;
    private final TestOutputTopic<String, Alert> alerts;
    private final TestInputTopic<String, DeadLetter> deadLetters;
    private final TestInputTopic<String, QualityViolation> violations;
    private final TestInputTopic<String, EventCatalogEntry> observations;
    private final TestOutputTopic<String, EventCatalogEntry> catalog;
    private final Duration window;

    DetectorDriver(Path stateDir, Map<String, String> env, Duration window) {
        this(stateDir, env, window, () -> true);
    }

    /** @param upstreamCaughtUp what the lag probe would say of the stages upstream */
    DetectorDriver(Path stateDir, Map<String, String> env, Duration window, BooleanSupplier upstreamCaughtUp) {
        Map<String, String> all = new HashMap<>(env);
        all.put("SIGHTLINE_STATE_DIR", stateDir.toString());
        AnomalyConfig config = new AnomalyConfig(all);
        Properties props = new Properties();
        props.putAll(StreamsAppSettings.properties(
                config,
                "anomaly-processor",
                topics.valueSerde(DeadLetter.class).serializer(),
                new SimpleMeterRegistry()));
        driver = new TopologyTestDriver(
                AnomalyTopology.build(topics, config.topologySettings().withUpstream(upstreamCaughtUp)), props, T0);
        metrics = driver.createInputTopic(
                Topics.METRICS_WINDOWED,
                new StringSerializer(),
                topics.metricsWindowed().valueSerde().serializer());
        deadLetters = driver.createInputTopic(
                Topics.EVENTS_INVALID,
                new StringSerializer(),
                topics.eventsInvalid().valueSerde().serializer());
        alerts = driver.createOutputTopic(
                Topics.ALERTS,
                new StringDeserializer(),
                topics.alerts().valueSerde().deserializer());
        violations = driver.createInputTopic(
                Topics.QUALITY_VIOLATIONS,
                new StringSerializer(),
                topics.qualityViolations().valueSerde().serializer());
        observations = driver.createInputTopic(
                Topics.QUALITY_OBSERVATIONS,
                new StringSerializer(),
                topics.qualityObservations().valueSerde().serializer());
        catalog = driver.createOutputTopic(
                Topics.QUALITY_CATALOG,
                new StringDeserializer(),
                topics.qualityCatalog().valueSerde().deserializer());
        this.window = window;
    }

    void window(String metric, Map<String, String> dimensions, long index, double value) {
        Instant start = T0.plus(window.multipliedBy(index));
        metrics.pipeInput(
                SeriesKey.of(metric, dimensions).toString(),
                MetricWindow.newBuilder()
                        .setMetric(metric)
                        .setDimensions(dimensions)
                        .setWindowStart(start)
                        .setWindowEnd(start.plus(window))
                        .setValue(value)
                        .setUpdatedAt(start)
                        .build(),
                start);
    }

    void deadLetter(String component, long index, int count) {
        deadLetter(component, null, index, count);
    }

    /** {@code count} dead letters from {@code source} (null: none named) one second into window {@code index}. */
    void deadLetter(String component, String source, long index, int count) {
        Instant at = T0.plus(window.multipliedBy(index)).plusSeconds(1);
        for (int i = 0; i < count; i++) {
            deadLetters.pipeInput(
                    "k",
                    DeadLetter.newBuilder()
                            .setReasonCode("missing_field")
                            .setReasonText("event is required")
                            .setComponent(component)
                            .setSource(source)
                            .setPayload(java.nio.ByteBuffer.wrap(new byte[0]))
                            .setTime(at)
                            .build(),
                    at);
        }
    }

    /** {@code count} events of {@code source} with tracking-plan violations one second into window {@code index}, each with two. */
    void violatingEvents(String source, long index, int count, String action) {
        Instant at = T0.plus(window.multipliedBy(index)).plusSeconds(1);
        for (int i = 0; i < count; i++) {
            for (int v = 0; v < 2; v++) {
                violations.pipeInput(
                        source,
                        QualityViolation.newBuilder()
                                .setSource(source)
                                .setMessageId("m-" + index + "-" + i)
                                .setEventType(EventType.track)
                                .setEventName("Order Completed")
                                .setTrackingPlan("shop")
                                .setTrackingPlanVersion(1)
                                .setViolation(PlanViolation.newBuilder()
                                        .setViolationType("type_mismatch")
                                        .setPath("properties.total")
                                        .setExpected("number")
                                        .setActual("string \"9.99\"")
                                        .setMessage("m")
                                        .setAction(action)
                                        .build())
                                .setFirstOfEvent(v == 0)
                                .setReceivedAt(at)
                                .build(),
                        at);
            }
        }
    }

    /** One gateway's observation of an event name, at {@code at}. */
    void observed(EventCatalogEntry observation, Instant at) {
        observations.pipeInput(
                Topics.catalogKey(
                        observation.getSource(), observation.getEventType().name(), observation.getEventName()),
                observation,
                at);
    }

    TestOutputTopic<String, EventCatalogEntry> catalog() {
        return catalog;
    }

    TestOutputTopic<String, Alert> alerts() {
        return alerts;
    }

    LatestEvaluation latest(String metric, Map<String, String> dimensions) {
        KeyValueStore<String, LatestEvaluation> store = driver.getKeyValueStore(AnomalyTopology.LATEST_STORE);
        return store.get(SeriesKey.of(metric, dimensions).toString());
    }

    boolean tracks(String metric, Map<String, String> dimensions) {
        return driver.getKeyValueStore(AnomalyTopology.HISTORY_STORE)
                        .get(SeriesKey.of(metric, dimensions).toString())
                != null;
    }

    void advanceWallClock(Duration d) {
        driver.advanceWallClockTime(d);
    }

    /** The value of a task metric of the detector, e.g. {@code series-evicted-total}. */
    double metric(String name) {
        for (Map.Entry<MetricName, ? extends Metric> e : driver.metrics().entrySet()) {
            if (e.getKey().group().equals(SeriesDetector.METRIC_GROUP)
                    && e.getKey().name().equals(name)) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no metric " + name + " in group " + SeriesDetector.METRIC_GROUP);
    }

    @Override
    public void close() {
        driver.close();
    }
}
