package io.sightline.aggregate.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.aggregate.AggregateConfig;
import io.sightline.common.streams.StreamsConfigs;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.schemas.registry.InMemorySchemaRegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AggregateTopologyTest {

    private static final Instant MINUTE = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(new InMemorySchemaRegistryClient());
    private TopologyTestDriver driver;
    private TestInputTopic<String, EnrichedEvent> enriched;
    private TestOutputTopic<String, MetricWindow> metrics;

    @BeforeEach
    void setUp() {
        AggregateConfig config = new AggregateConfig(Map.of("SIGHTLINE_STATE_DIR", stateDir.toString()));
        Properties props = new Properties();
        props.putAll(StreamsConfigs.properties(config, "aggregate-processor",
                topics.valueSerde(DeadLetter.class).serializer(), new SimpleMeterRegistry()));
        // Caching off: every update reaches the output, as with a short commit interval in production.
        props.put("statestore.cache.max.bytes", 0);
        driver = new TopologyTestDriver(AggregateTopology.build(topics, Duration.ofSeconds(30), Duration.ofHours(1)), props);
        enriched = driver.createInputTopic(Topics.EVENTS_ENRICHED, new StringSerializer(), topics.eventsEnriched().valueSerde().serializer());
        metrics = driver.createOutputTopic(Topics.METRICS_WINDOWED, new StringDeserializer(), topics.metricsWindowed().valueSerde().deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void shouldCountEventsPerNameInOneMinuteEventTimeWindows() {
        enriched.pipeInput("u1", event("Signed Up", MINUTE.plusSeconds(5)));
        enriched.pipeInput("u2", event("Signed Up", MINUTE.plusSeconds(50)));
        enriched.pipeInput("u1", event("Clicked", MINUTE.plusSeconds(10)));
        enriched.pipeInput("u3", event("Signed Up", MINUTE.plusSeconds(65)));

        List<KeyValue<String, MetricWindow>> updates = metrics.readKeyValuesToList();

        assertThat(updates).extracting(kv -> kv.key).containsExactly(
                "event_count{event=Signed+Up}", "event_count{event=Signed+Up}", "event_count{event=Clicked}", "event_count{event=Signed+Up}");
        MetricWindow secondSignup = updates.get(1).value;
        assertThat(secondSignup.getValue()).isEqualTo(2.0);
        assertThat(secondSignup.getWindowStart()).isEqualTo(MINUTE);
        assertThat(secondSignup.getWindowEnd()).isEqualTo(MINUTE.plusSeconds(60));
        assertThat(secondSignup.getDimensions()).containsEntry("event", "Signed Up");
        assertThat(updates.get(3).value.getValue()).isEqualTo(1.0);
        assertThat(updates.get(3).value.getWindowStart()).isEqualTo(MINUTE.plusSeconds(60));
    }

    @Test
    void shouldDropEventsArrivingAfterTheGracePeriod() {
        enriched.pipeInput("u1", event("Signed Up", MINUTE.plusSeconds(5)));
        enriched.pipeInput("u1", event("Signed Up", MINUTE.plusSeconds(200)));
        enriched.pipeInput("u2", event("Signed Up", MINUTE.plusSeconds(6)));

        assertThat(metrics.readValuesToList()).extracting(MetricWindow::getValue).containsExactly(1.0, 1.0);
    }

    @Test
    void shouldCountPageCallsUnderADollarName() {
        EnrichedEvent page = event(null, MINUTE);
        page.getEvent().setType(EventType.page);

        enriched.pipeInput("u1", page);

        assertThat(metrics.readKeyValue().key).isEqualTo("event_count{event=%24page}");
    }

    private static EnrichedEvent event(String name, Instant at) {
        TrackedEvent event = TrackedEvent.newBuilder().setMessageId("m-" + at).setType(EventType.track).setSource("web")
                .setEvent(name).setUserId("u").setReceivedAt(at).setTimestamp(at).build();
        return EnrichedEvent.newBuilder().setEvent(event).setUserKey("u").setEnrichedAt(at).build();
    }
}
