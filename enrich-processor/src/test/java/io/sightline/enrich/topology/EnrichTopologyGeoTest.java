package io.sightline.enrich.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.common.streams.StreamsAppSettings;
import io.sightline.enrich.EnrichConfig;
import io.sightline.enrich.context.GeoDatabases;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.EventContext;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.schemas.registry.InMemorySchemaRegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

/** Geo enrichment through the whole enrich topology, with a generated MaxMind-format City database. */
class EnrichTopologyGeoTest {

    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path dir;

    private final Topics topics = new Topics(new InMemorySchemaRegistryClient());
    private TopologyTestDriver driver;
    private TestInputTopic<String, TrackedEvent> raw;
    private TestOutputTopic<String, EnrichedEvent> enriched;

    @BeforeEach
    void setUp() throws Exception {
        Path database = GeoDatabases.city(Files.createDirectory(dir.resolve("geo")));
        EnrichSettings d = EnrichSettings.defaults();
        EnrichSettings withGeo = new EnrichSettings(
                d.dedupWindow(),
                d.futureTolerance(),
                d.maxPast(),
                d.sessionGap(),
                d.piiKeys(),
                d.piiSecret(),
                d.productIdProperty(),
                Optional.of(database));
        EnrichConfig config = new EnrichConfig(
                Map.of("SIGHTLINE_STATE_DIR", dir.resolve("state").toString()));
        Properties props = new Properties();
        props.putAll(StreamsAppSettings.properties(
                config,
                "enrich-processor",
                topics.valueSerde(DeadLetter.class).serializer(),
                new SimpleMeterRegistry()));
        driver = new TopologyTestDriver(EnrichTopology.build(topics, withGeo), props);
        raw = driver.createInputTopic(
                Topics.EVENTS_RAW,
                new StringSerializer(),
                topics.eventsRaw().valueSerde().serializer());
        enriched = driver.createOutputTopic(
                Topics.EVENTS_ENRICHED,
                new StringDeserializer(),
                topics.eventsEnriched().valueSerde().deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void shouldSetGeoFromTheFullAddressAndForwardOnlyTheAnonymizedOne() {
        // given London is 81.2.69.128/25, so the anonymized 81.2.69.0 alone would have no geo
        raw.pipeInput("web:u1", fromIp("g1", "81.2.69.142"));
        raw.pipeInput("web:u1", fromIp("g2", "2001:db8:1234:5678::9"));
        raw.pipeInput("web:u1", fromIp("g3", "10.0.0.7"));

        List<EnrichedEvent> out = enriched.readValuesToList();
        assertThat(out)
                .extracting(e -> e.getGeoCountry() + "/" + e.getGeoRegion() + "/" + e.getGeoCity())
                .containsExactly("GB/England/London", "DE/Upper Bavaria/Munich", "null/null/null");
        assertThat(out)
                .extracting(e -> e.getEvent().getContext().getIp())
                .containsExactly("81.2.69.0", "2001:db8:1234:0:0:0:0:0", "10.0.0.0");
        assertThat(out.get(0).getEvent().getContext().getJson()).isEqualTo("{\"ip\":\"81.2.69.0\"}");
    }

    private static TrackedEvent fromIp(String messageId, String ip) {
        return TrackedEvent.newBuilder()
                .setMessageId(messageId)
                .setType(EventType.track)
                .setSource("web")
                .setEvent("Clicked")
                .setUserId("u1")
                .setReceivedAt(T0)
                .setTimestamp(T0)
                .setContext(EventContext.newBuilder()
                        .setIp(ip)
                        .setJson("{\"ip\":\"" + ip + "\"}")
                        .build())
                .build();
    }
}
