package io.sightline.enrich.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.common.streams.StreamsConfigs;
import io.sightline.enrich.EnrichConfig;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.schemas.avro.UserProfile;
import io.sightline.schemas.registry.InMemorySchemaRegistryClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnrichTopologyTest {

    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(new InMemorySchemaRegistryClient());
    private TopologyTestDriver driver;
    private TestInputTopic<String, TrackedEvent> raw;
    private TestInputTopic<String, byte[]> rawBytes;
    private TestOutputTopic<String, EnrichedEvent> enriched;
    private TestOutputTopic<String, UserProfile> profiles;

    @BeforeEach
    void setUp() {
        EnrichConfig config = new EnrichConfig(Map.of("SIGHTLINE_STATE_DIR", stateDir.toString()));
        Properties props = new Properties();
        props.putAll(StreamsConfigs.properties(config, "enrich-processor",
                topics.valueSerde(DeadLetter.class).serializer(), new SimpleMeterRegistry()));
        driver = new TopologyTestDriver(EnrichTopology.build(topics), props);
        raw = driver.createInputTopic(Topics.EVENTS_RAW, new StringSerializer(), topics.eventsRaw().valueSerde().serializer());
        rawBytes = driver.createInputTopic(Topics.EVENTS_RAW, new StringSerializer(), new ByteArraySerializer());
        enriched = driver.createOutputTopic(Topics.EVENTS_ENRICHED, new StringDeserializer(), topics.eventsEnriched().valueSerde().deserializer());
        profiles = driver.createOutputTopic(Topics.USERS_PROFILE, new StringDeserializer(), topics.usersProfile().valueSerde().deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void shouldJoinTraitsMergedFromEarlierIdentifyCalls() {
        raw.pipeInput("web:u1", event("m1", EventType.identify, null, "u1", "{\"plan\":\"free\",\"country\":\"DE\"}"));
        raw.pipeInput("web:u1", event("m2", EventType.identify, null, "u1", "{\"plan\":\"pro\"}"));
        raw.pipeInput("web:u1", event("m3", EventType.track, "Upgraded", "u1", null));

        EnrichedEvent last = enriched.readValuesToList().get(2);
        assertThat(last.getEvent().getMessageId()).isEqualTo("m3");
        assertThat(last.getUserKey()).isEqualTo("u1");
        assertThat(last.getUserTraits()).isEqualTo("{\"plan\":\"pro\",\"country\":\"DE\"}");
        assertThat(profiles.readKeyValuesToMap().get("u1").getTraits()).isEqualTo("{\"plan\":\"pro\",\"country\":\"DE\"}");
    }

    @Test
    void shouldPassOnEventsOfUsersWithoutAProfileKeyedByAnonymousId() {
        TrackedEvent anonymous = event("m1", EventType.track, "Viewed Pricing", null, null);
        anonymous.setAnonymousId("anon-9");

        raw.pipeInput("web:anon-9", anonymous);

        var out = enriched.readKeyValue();
        assertThat(out.key).isEqualTo("anon-9");
        assertThat(out.value.getUserTraits()).isNull();
        assertThat(out.value.getEvent().getEvent()).isEqualTo("Viewed Pricing");
    }

    @Test
    void shouldSkipAPoisonRecordAndKeepProcessing() {
        // The dead letter itself is checked against a real broker (EnrichProcessorIT):
        // TopologyTestDriver does not capture dead-letter records.
        rawBytes.pipeInput("web:u1", "not avro at all".getBytes());
        raw.pipeInput("web:u1", event("m-after", EventType.track, "Clicked", "u1", null));

        assertThat(enriched.readValuesToList()).extracting(e -> e.getEvent().getMessageId()).containsExactly("m-after");
    }

    static TrackedEvent event(String messageId, EventType type, String name, String userId, String traits) {
        return TrackedEvent.newBuilder()
                .setMessageId(messageId).setType(type).setSource("web").setEvent(name)
                .setUserId(userId).setAnonymousId(userId == null ? "anon" : null)
                .setReceivedAt(T0).setTimestamp(T0).setTraits(traits).build();
    }
}
