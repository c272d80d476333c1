package io.sightline.enrich.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.common.streams.DeadLetters;
import io.sightline.common.streams.StreamsAppSettings;
import io.sightline.enrich.EnrichConfig;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.CatalogProduct;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.ErasureReceipt;
import io.sightline.schemas.avro.EventContext;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.SubjectType;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.schemas.avro.UserProfile;
import io.sightline.schemas.registry.InMemorySchemaRegistryClient;
import io.sightline.testkit.TaskMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
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
    private TestOutputTopic<String, DeadLetter> invalid;
    private TestInputTopic<String, CatalogProduct> catalog;
    private TestOutputTopic<String, MetricWindow> metrics;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void setUp() {
        EnrichConfig config = new EnrichConfig(Map.of("SIGHTLINE_STATE_DIR", stateDir.toString()));
        Properties props = new Properties();
        props.putAll(StreamsAppSettings.properties(
                config, "enrich-processor", topics.valueSerde(DeadLetter.class).serializer(), meters));
        driver = new TopologyTestDriver(
                EnrichTopology.build(topics, EnrichSettings.defaults().withDedupWindow(Duration.ofHours(1))), props);
        raw = driver.createInputTopic(
                Topics.EVENTS_RAW,
                new StringSerializer(),
                topics.eventsRaw().valueSerde().serializer());
        rawBytes = driver.createInputTopic(Topics.EVENTS_RAW, new StringSerializer(), new ByteArraySerializer());
        enriched = driver.createOutputTopic(
                Topics.EVENTS_ENRICHED,
                new StringDeserializer(),
                topics.eventsEnriched().valueSerde().deserializer());
        invalid = driver.createOutputTopic(
                Topics.EVENTS_INVALID,
                new StringDeserializer(),
                topics.eventsInvalid().valueSerde().deserializer());
        catalog = driver.createInputTopic(
                Topics.CATALOG_PRODUCTS,
                new StringSerializer(),
                topics.catalogProducts().valueSerde().serializer());
        metrics = driver.createOutputTopic(
                Topics.METRICS_WINDOWED,
                new StringDeserializer(),
                topics.metricsWindowed().valueSerde().deserializer());
        profiles = driver.createOutputTopic(
                Topics.USERS_PROFILE,
                new StringDeserializer(),
                topics.usersProfile().valueSerde().deserializer());
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
        assertThat(profiles.readKeyValuesToMap().get("u1").getTraits())
                .isEqualTo("{\"plan\":\"pro\",\"country\":\"DE\"}");
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
        // The dead letter itself is checked against a real broker (EnrichServiceIT):
        // TopologyTestDriver does not capture dead-letter records.
        rawBytes.pipeInput("web:u1", "not avro at all".getBytes());
        raw.pipeInput("web:u1", event("m-after", EventType.track, "Clicked", "u1", null));

        assertThat(enriched.readValuesToList())
                .extracting(e -> e.getEvent().getMessageId())
                .containsExactly("m-after");
    }

    @Test
    void shouldDropADuplicateWithinTheWindowAndPassOneReceivedAtTheWindowEdge() {
        // given a 1 h dedup window and an event received at T0
        raw.pipeInput("web:u1", received(event("dup-1", EventType.track, "Clicked", "u1", null), T0));

        // when the same messageId arrives 1 ms inside the window and then exactly at its edge
        raw.pipeInput(
                "web:u1",
                received(
                        event("dup-1", EventType.track, "Clicked", "u1", null),
                        T0.plus(Duration.ofHours(1)).minusMillis(1)));
        raw.pipeInput(
                "web:u1",
                received(event("dup-1", EventType.track, "Clicked", "u1", null), T0.plus(Duration.ofHours(1))));
        // and the same messageId from another source
        TrackedEvent otherSource = event("dup-1", EventType.track, "Clicked", "u1", null);
        otherSource.setSource("ios");
        raw.pipeInput("ios:u1", otherSource);

        // then the copy inside the window is dropped and counted, the others pass
        assertThat(enriched.readValuesToList())
                .extracting(
                        e -> e.getEvent().getReceivedAt() + "/" + e.getEvent().getSource())
                .containsExactly(T0 + "/web", T0.plus(Duration.ofHours(1)) + "/web", T0 + "/ios");
        assertThat(metricTotal("duplicates-dropped-total")).isEqualTo(1.0);
    }

    @Test
    void shouldCountDroppedDuplicatesPerSourceAndMinuteOfArrivalAsTheDuplicateEventsSeries() {
        // given one event from web and one from ios, received at T0 (the start of a minute)
        raw.pipeInput("web:u1", event("m-web", EventType.track, "Clicked", "u1", null));
        TrackedEvent fromIos = event("m-ios", EventType.track, "Clicked", "u1", null);
        fromIos.setSource("ios");
        raw.pipeInput("ios:u1", fromIos);

        // when the web event is retried twice within that minute and the ios event once in the next
        // (retries keep their event time; only the receive time moves on)
        raw.pipeInput("web:u1", retried(event("m-web", EventType.track, "Clicked", "u1", null), T0.plusSeconds(10)));
        raw.pipeInput("web:u1", retried(event("m-web", EventType.track, "Clicked", "u1", null), T0.plusSeconds(50)));
        TrackedEvent iosRetry = retried(event("m-ios", EventType.track, "Clicked", "u1", null), T0.plusSeconds(70));
        iosRetry.setSource("ios");
        raw.pipeInput("ios:u1", iosRetry);

        // then only the originals pass, and each source's duplicates are counted in the minute they arrived
        assertThat(enriched.readValuesToList())
                .extracting(e -> e.getEvent().getMessageId())
                .containsExactly("m-web", "m-ios");
        Map<String, MetricWindow> latest = metrics.readKeyValuesToMap();
        assertThat(latest.keySet())
                .containsExactlyInAnyOrder("duplicate_events{source=web}", "duplicate_events{source=ios}");
        MetricWindow web = latest.get("duplicate_events{source=web}");
        assertThat(web.getMetric()).isEqualTo("duplicate_events");
        assertThat(web.getDimensions()).isEqualTo(Map.of("source", "web"));
        assertThat(web.getValue()).isEqualTo(2.0);
        assertThat(web.getSampleCount()).isEqualTo(2L);
        assertThat(web.getWindowStart()).isEqualTo(T0);
        assertThat(web.getWindowEnd()).isEqualTo(T0.plusSeconds(60));
        assertThat(web.getIsFinal()).isFalse();
        MetricWindow ios = latest.get("duplicate_events{source=ios}");
        assertThat(ios.getValue()).isEqualTo(1.0);
        assertThat(ios.getWindowStart()).isEqualTo(T0.plusSeconds(60));
        assertThat(metricTotal("duplicates-dropped-total")).isEqualTo(3.0);
    }

    @Test
    void shouldNameEveryProcessorStoreAndRepartitionTopicOfTheDuplicateCount() {
        String description = EnrichTopology.build(topics).describe().toString();

        assertThat(description)
                .contains(
                        "duplicates-by-source-repartition",
                        EnrichTopology.DUPLICATE_COUNTS_STORE,
                        "count-duplicates",
                        "duplicates-to-metrics-windowed");
        assertThat(description).doesNotContain("KSTREAM-", "KTABLE-");
    }

    @Test
    void shouldClampEventsFromTheFutureToTheirReceiveTimeAndSendEventsTooOldToTheDeadLetterTopic() {
        TrackedEvent future = event("future", EventType.track, "Clicked", "u1", null);
        future.setTimestamp(T0.plus(Duration.ofMinutes(9)));
        TrackedEvent ahead = event("ahead", EventType.track, "Clicked", "u1", null);
        ahead.setTimestamp(T0.plus(Duration.ofSeconds(59)));
        TrackedEvent old = event("old", EventType.track, "Clicked", "u1", null);
        old.setTimestamp(T0.minus(Duration.ofDays(8)));
        old.setProperties("{\"email\":\"ann@example.com\"}");

        raw.pipeInput("web:u1", future);
        raw.pipeInput("web:u1", ahead);
        raw.pipeInput("web:u1", old);
        raw.pipeInput("web:u1", event("fine", EventType.track, "Clicked", "u1", null));

        List<DeadLetter> letters = invalid.readValuesToList();
        assertThat(letters).extracting(DeadLetter::getReasonCode).containsExactly("event_time_too_old");
        assertThat(letters.get(0).getMessageId()).isEqualTo("old");
        assertThat(letters.get(0).getReasonText())
                .isEqualTo("timestamp is PT192H behind receivedAt; at most PT168H is accepted");
        assertThat(letters.get(0).getComponent()).isEqualTo("enrich-processor");
        TrackedEvent kept =
                topics.eventsRaw().valueSerde().deserializer().deserialize(Topics.EVENTS_RAW, bytes(letters.get(0)));
        assertThat(kept.getProperties())
                .as("a dead letter's payload is masked like an enriched event")
                .startsWith("{\"email\":\"hmac:");
        assertThat(meters.get(DeadLetters.METRIC)
                        .tag("stage", "enrich-processor")
                        .tag("reason", "event_time_too_old")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(letters.get(0).getInputTopic()).isEqualTo(Topics.EVENTS_RAW);
        assertThat(letters.get(0).getInputOffset()).isEqualTo(2L);
        assertThat(topics.eventsRaw()
                        .valueSerde()
                        .deserializer()
                        .deserialize(Topics.EVENTS_RAW, bytes(letters.get(0)))
                        .getMessageId())
                .isEqualTo("old");
        // 9 minutes ahead is past the 1-minute tolerance: clamped and marked; 59 s ahead is kept as sent
        List<TestRecord<String, EnrichedEvent>> out = enriched.readRecordsToList();
        assertThat(out).extracting(r -> r.value().getEvent().getMessageId()).containsExactly("future", "ahead", "fine");
        assertThat(out)
                .extracting(
                        r -> r.value().getEvent().getTimestamp(),
                        r -> r.value().getEvent().getTimeCorrection())
                .containsExactly(tuple(T0, "future_clamped"), tuple(T0.plusSeconds(59), null), tuple(T0, null));
        // the output record carries the (corrected) event time
        assertThat(out.get(1).timestamp()).isEqualTo(T0.plusSeconds(59).toEpochMilli());
        assertThat(metricTotal("events-rejected-total")).isEqualTo(1.0);
        assertThat(metricTotal("events-time-clamped-total")).isEqualTo(1.0);
    }

    @Test
    void shouldParseTheUserAgentIntoDeviceOsBrowserAndBotFlag() {
        raw.pipeInput(
                "web:u1",
                withContext(
                        event("m1", EventType.track, "Clicked", "u1", null),
                        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
                        null));
        raw.pipeInput(
                "web:u1",
                withContext(
                        event("m2", EventType.track, "Clicked", "u1", null),
                        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                        null));

        List<EnrichedEvent> out = enriched.readValuesToList();
        assertThat(out.get(0).getDeviceClass()).isEqualTo("Desktop");
        assertThat(out.get(0).getOsName()).isEqualTo("Windows NT");
        assertThat(out.get(0).getBrowserName()).isEqualTo("Chrome");
        assertThat(out.get(0).getBot()).isFalse();
        assertThat(out.get(1).getBot()).isTrue();
    }

    @Test
    void shouldAnonymizeIpv4AndIpv6AddressesInTheTypedFieldAndTheContextJson() {
        raw.pipeInput("web:u1", withContext(event("m1", EventType.track, "Clicked", "u1", null), null, "203.0.113.77"));
        raw.pipeInput(
                "web:u1",
                withContext(event("m2", EventType.track, "Clicked", "u1", null), null, "2001:db8:abcd:12:34:56:78:9a"));
        raw.pipeInput(
                "web:u1",
                withContext(event("m3", EventType.track, "Clicked", "u1", null), null, "not-an-ip.example.com"));

        List<EnrichedEvent> out = enriched.readValuesToList();
        assertThat(out.get(0).getEvent().getContext().getIp()).isEqualTo("203.0.113.0");
        assertThat(out.get(0).getEvent().getContext().getJson()).isEqualTo("{\"ip\":\"203.0.113.0\"}");
        assertThat(out.get(1).getEvent().getContext().getIp()).isEqualTo("2001:db8:abcd:0:0:0:0:0");
        assertThat(out.get(2).getEvent().getContext().getIp()).isNull();
        assertThat(out.get(2).getEvent().getContext().getJson()).isEqualTo("{}");
    }

    @Test
    void shouldReplacePiiTraitsAndPropertiesByAKeyedHash() throws Exception {
        TrackedEvent identify =
                event("m1", EventType.identify, null, "u1", "{\"email\":\"ada@example.com\",\"plan\":\"pro\"}");
        identify.setProperties("{\"contact\":{\"Phone\":\"+4912345\"}}");

        raw.pipeInput("web:u1", identify);

        EnrichedEvent out = enriched.readValue();
        String expectedEmail = "hmac:" + hmac("sightline-enrich", "ada@example.com");
        assertThat(out.getEvent().getTraits()).isEqualTo("{\"email\":\"" + expectedEmail + "\",\"plan\":\"pro\"}");
        assertThat(out.getEvent().getProperties())
                .isEqualTo("{\"contact\":{\"Phone\":\"hmac:" + hmac("sightline-enrich", "+4912345") + "\"}}");
        assertThat(out.getUserTraits()).contains(expectedEmail).doesNotContain("ada@example.com");
        assertThat(profiles.readKeyValuesToMap().get("u1").getTraits()).doesNotContain("ada@example.com");
    }

    @Test
    void shouldStartANewSessionAfterThirtyMinutesOfInactivity() {
        raw.pipeInput("web:u1", at(event("s1", EventType.track, "Clicked", "u1", null), T0));
        raw.pipeInput(
                "web:u1", at(event("s2", EventType.track, "Clicked", "u1", null), T0.plus(Duration.ofMinutes(10))));
        raw.pipeInput(
                "web:u1",
                at(
                        event("s3", EventType.track, "Clicked", "u1", null),
                        T0.plus(Duration.ofMinutes(39).plusSeconds(59))));
        raw.pipeInput(
                "web:u1", at(event("s4", EventType.track, "Clicked", "u1", null), T0.plus(Duration.ofMinutes(70))));
        raw.pipeInput(
                "web:u2", at(event("s5", EventType.track, "Clicked", "u2", null), T0.plus(Duration.ofMinutes(70))));

        List<EnrichedEvent> out = enriched.readValuesToList();
        assertThat(out).extracting(EnrichedEvent::getSessionIndex).containsExactly(1, 1, 1, 2, 1);
        assertThat(out.get(0).getSessionId())
                .isEqualTo(out.get(2).getSessionId())
                .isNotEqualTo(out.get(3).getSessionId());
        assertThat(out.get(4).getSessionId()).isNotEqualTo(out.get(0).getSessionId());
    }

    @Test
    void shouldJoinTheKnownUsersProfileOntoAnonymousEventsOnceAnAliasLinksThem() {
        TrackedEvent before = event("a1", EventType.track, "Viewed Pricing", null, null);
        before.setAnonymousId("anon-7");
        raw.pipeInput("web:anon-7", before);
        raw.pipeInput("web:u1", event("a2", EventType.identify, null, "u1", "{\"plan\":\"pro\"}"));
        TrackedEvent alias = event("a3", EventType.alias, null, "u1", null);
        alias.setPreviousId("anon-7");
        raw.pipeInput("web:u1", alias);
        TrackedEvent after = event("a4", EventType.track, "Clicked", null, null);
        after.setAnonymousId("anon-7");
        raw.pipeInput("web:anon-7", after);

        List<org.apache.kafka.streams.test.TestRecord<String, EnrichedEvent>> out = enriched.readRecordsToList();
        assertThat(out)
                .extracting(r -> r.getKey() + "/" + r.getValue().getEvent().getMessageId())
                .containsExactly("anon-7/a1", "u1/a2", "u1/a3", "u1/a4");
        assertThat(out.get(0).getValue().getUserTraits()).isNull();
        assertThat(out.get(3).getValue().getUserKey()).isEqualTo("u1");
        assertThat(out.get(3).getValue().getUserTraits()).isEqualTo("{\"plan\":\"pro\"}");
    }

    @Test
    void shouldSuppressTheDevicesLinkedToASuppressedUserAndLiftThemWithTheUser() {
        TrackedEvent alias = event("l1", EventType.alias, null, "u1", null);
        alias.setPreviousId("anon-7");
        raw.pipeInput("web:u1", alias);
        TrackedEvent identified = event("l2", EventType.identify, null, "u1", null);
        identified.setAnonymousId("anon-8");
        raw.pipeInput("web:u1", identified);
        TrackedEvent stranger = event("l3", EventType.identify, null, "u2", null);
        stranger.setAnonymousId("anon-9");
        raw.pipeInput("web:u2", stranger);
        TestInputTopic<String, SubjectRegulation> regulationsIn = regulationsIn();
        TestOutputTopic<String, SubjectRegulation> regulationsOut = regulationsOut();

        regulationsIn.pipeInput(
                "USER_ID:u1",
                new SubjectRegulation("r-1", RegulationType.SUPPRESS, SubjectType.USER_ID, "u1", T0, null));
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        List<SubjectRegulation> derived = regulationsOut.readValuesToList();
        assertThat(derived)
                .extracting(
                        SubjectRegulation::getSubjectId,
                        SubjectRegulation::getSubjectType,
                        SubjectRegulation::getDerivedFrom,
                        SubjectRegulation::getRegulationType,
                        SubjectRegulation::getRegulationId)
                .containsExactlyInAnyOrder(
                        tuple("anon-7", SubjectType.ANONYMOUS_ID, "u1", RegulationType.SUPPRESS, "r-1"),
                        tuple("anon-8", SubjectType.ANONYMOUS_ID, "u1", RegulationType.SUPPRESS, "r-1"));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(regulationsOut.isEmpty())
                .as("each regulation is followed once")
                .isTrue();

        // What the gateways would read back (the derived records), then the user is let go again.
        derived.forEach(d -> regulationsIn.pipeInput(Topics.subjectKey(SubjectType.ANONYMOUS_ID, d.getSubjectId()), d));
        regulationsIn.pipeInput(
                "USER_ID:u1",
                new SubjectRegulation("r-2", RegulationType.UNSUPPRESS, SubjectType.USER_ID, "u1", T0, null));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(regulationsOut.readValuesToList())
                .extracting(SubjectRegulation::getSubjectId, SubjectRegulation::getRegulationType)
                .containsExactlyInAnyOrder(
                        tuple("anon-7", RegulationType.UNSUPPRESS), tuple("anon-8", RegulationType.UNSUPPRESS));
    }

    @Test
    void shouldEraseADeletedUserAndTheDevicesLinkedToThemFromEveryStoreAndTombstoneTheProfile() {
        TrackedEvent before = event("d1", EventType.track, "Viewed Pricing", null, null);
        before.setAnonymousId("anon-7");
        raw.pipeInput("web:anon-7", before);
        TrackedEvent identified = event("d2", EventType.identify, null, "u1", "{\"email\":\"a@b.c\"}");
        identified.setAnonymousId("anon-7");
        raw.pipeInput("web:u1", identified);
        TrackedEvent group = event("d3", EventType.group, null, "u1", "{\"name\":\"Acme\"}");
        group.setGroupId("acme");
        raw.pipeInput("web:u1", group);
        raw.pipeInput("web:u2", event("d4", EventType.identify, null, "u2", "{\"plan\":\"free\"}"));
        TestInputTopic<String, SubjectRegulation> regulationsIn = regulationsIn();
        TestOutputTopic<String, SubjectRegulation> regulationsOut = regulationsOut();
        TestOutputTopic<String, ErasureReceipt> receipts = driver.createOutputTopic(
                Topics.PRIVACY_ERASURE_RECEIPTS,
                new StringDeserializer(),
                topics.privacyErasureReceipts().valueSerde().deserializer());
        KeyValueStore<String, ?> sessions = driver.getKeyValueStore(EnrichTopology.SESSION_STORE);
        KeyValueStore<String, ?> groups = driver.getKeyValueStore(EnrichTopology.GROUP_STORE);
        KeyValueStore<String, ?> links = driver.getKeyValueStore(EnrichTopology.IDENTITY_STORE);
        KeyValueStore<String, ?> userProfiles = driver.getKeyValueStore(EnrichTopology.PROFILE_STORE);
        assertThat(Arrays.asList(sessions.get("u1"), groups.get("u1"), links.get("anon-7"), userProfiles.get("u1")))
                .doesNotContainNull();
        assertThat(sessions.get("anon-7")).as("the session before identify").isNotNull();
        profiles.readRecordsToList();
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(receipts.readKeyValuesToMap())
                .as("every task reports at start, before any deletion")
                .containsOnlyKeys(
                        "enrich-processor/erase-device-subjects/0_0", "enrich-processor/erase-user-subjects/0_0");

        regulationsIn.pipeInput(
                Topics.erasureKey(SubjectType.USER_ID, "u1"),
                new SubjectRegulation("r-9", RegulationType.DELETE_ONLY, SubjectType.USER_ID, "u1", T0, null));
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        assertThat(Arrays.asList(sessions.get("u1"), groups.get("u1"), userProfiles.get("u1")))
                .containsOnlyNulls();
        assertThat(userProfiles.get("u2")).as("other users keep their state").isNotNull();
        assertThat(profiles.readRecordsToList())
                .extracting(TestRecord::getKey, TestRecord::getValue)
                .contains(tuple("u1", null));
        List<TestRecord<String, SubjectRegulation>> derived = regulationsOut.readRecordsToList();
        assertThat(derived)
                .extracting(TestRecord::getKey, r -> r.getValue().getRegulationType())
                .containsExactly(tuple("erase:ANONYMOUS_ID:anon-7", RegulationType.DELETE_ONLY));
        Map<String, ErasureReceipt> receipted = receipts.readKeyValuesToMap();
        assertThat(receipted.get("enrich-processor/erase-user-subjects/0_0").getErasedThrough())
                .containsEntry("0", 0L);

        // The derived device regulation comes back through the topic (the driver loops it) and erases the
        // device's own state.
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(links.get("anon-7")).isNull();
        assertThat(sessions.get("anon-7")).isNull();
        assertThat(receipts.readKeyValuesToMap()
                        .get("enrich-processor/erase-device-subjects/0_0")
                        .getErasedThrough())
                .containsEntry("0", 1L);

        // What the user sends after the deletion is kept: a deletion is applied once.
        raw.pipeInput("web:u1", event("d5", EventType.identify, null, "u1", "{\"plan\":\"pro\"}"));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(userProfiles.get("u1")).isNotNull();
    }

    @Test
    void shouldKeepSetOnceTraitsFromTheirFirstValue() {
        raw.pipeInput(
                "web:u1",
                event(
                        "o1",
                        EventType.identify,
                        null,
                        "u1",
                        "{\"$set_once\":{\"first_plan\":\"free\"},\"plan\":\"free\"}"));
        raw.pipeInput(
                "web:u1",
                event(
                        "o2",
                        EventType.identify,
                        null,
                        "u1",
                        "{\"$set_once\":{\"first_plan\":\"pro\"},\"plan\":\"pro\"}"));

        assertThat(profiles.readKeyValuesToMap().get("u1").getTraits())
                .isEqualTo("{\"first_plan\":\"free\",\"plan\":\"pro\"}");
    }

    @Test
    void shouldCarryGroupTraitsOntoTheUsersLaterEvents() {
        TrackedEvent group = event("g1", EventType.group, null, "u1", "{\"name\":\"Acme\",\"seats\":10}");
        group.setGroupId("acme");
        raw.pipeInput("web:u1", group);
        TrackedEvent more = event("g2", EventType.group, null, "u1", "{\"seats\":12}");
        more.setGroupId("acme");
        raw.pipeInput("web:u1", more);
        raw.pipeInput("web:u1", event("g3", EventType.track, "Clicked", "u1", null));

        EnrichedEvent last = enriched.readValuesToList().get(2);
        assertThat(last.getGroupId()).isEqualTo("acme");
        assertThat(last.getGroupTraits()).isEqualTo("{\"name\":\"Acme\",\"seats\":12}");
    }

    @Test
    void shouldJoinTheCatalogEntryOfTheProductInTheProperties() {
        catalog.pipeInput(
                "sku-1",
                CatalogProduct.newBuilder()
                        .setProductId("sku-1")
                        .setName("Lamp")
                        .setCategory("home")
                        .setPrice(19.5)
                        .setAttributes("{\"color\":\"red\"}")
                        .setUpdatedAt(T0)
                        .build());
        TrackedEvent known = event("p1", EventType.track, "Product Viewed", "u1", null);
        known.setProperties("{\"product_id\":\"sku-1\"}");
        TrackedEvent unknown = event("p2", EventType.track, "Product Viewed", "u1", null);
        unknown.setProperties("{\"product_id\":\"sku-404\"}");

        raw.pipeInput("web:u1", known);
        raw.pipeInput("web:u1", unknown);
        raw.pipeInput("web:u1", event("p3", EventType.track, "Clicked", "u1", null));

        List<EnrichedEvent> out = enriched.readValuesToList();
        assertThat(out.get(0).getProductId()).isEqualTo("sku-1");
        assertThat(out.get(0).getProduct())
                .isEqualTo(
                        "{\"color\":\"red\",\"id\":\"sku-1\",\"name\":\"Lamp\",\"category\":\"home\",\"price\":19.5}");
        assertThat(out.get(1).getProductId()).isEqualTo("sku-404");
        assertThat(out.get(1).getProduct()).isNull();
        assertThat(out.get(2).getProduct()).isNull();
    }

    private TestInputTopic<String, SubjectRegulation> regulationsIn() {
        return driver.createInputTopic(
                Topics.PRIVACY_REGULATIONS,
                new StringSerializer(),
                topics.privacyRegulations().valueSerde().serializer());
    }

    /** What the topology writes to the regulations topic: the devices' derived regulations. */
    private TestOutputTopic<String, SubjectRegulation> regulationsOut() {
        return driver.createOutputTopic(
                Topics.PRIVACY_REGULATIONS,
                new StringDeserializer(),
                topics.privacyRegulations().valueSerde().deserializer());
    }

    private double metricTotal(String name) {
        return TaskMetrics.total(driver.metrics(), name);
    }

    private static byte[] bytes(DeadLetter letter) {
        java.nio.ByteBuffer b = letter.getPayload().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static String hmac(String key, String value) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static TrackedEvent received(TrackedEvent e, Instant receivedAt) {
        e.setReceivedAt(receivedAt);
        e.setTimestamp(receivedAt);
        return e;
    }

    /** A client's retry: the same event time, received later. */
    private static TrackedEvent retried(TrackedEvent e, Instant receivedAt) {
        e.setReceivedAt(receivedAt);
        return e;
    }

    private static TrackedEvent at(TrackedEvent e, Instant time) {
        return received(e, time);
    }

    private static TrackedEvent withContext(TrackedEvent e, String userAgent, String ip) {
        e.setContext(EventContext.newBuilder()
                .setUserAgent(userAgent)
                .setIp(ip)
                .setJson(ip == null ? null : "{\"ip\":\"" + ip + "\"}")
                .build());
        return e;
    }

    static TrackedEvent event(String messageId, EventType type, String name, String userId, String traits) {
        return TrackedEvent.newBuilder()
                .setMessageId(messageId)
                .setType(type)
                .setSource("web")
                .setEvent(name)
                .setUserId(userId)
                .setAnonymousId(userId == null ? "anon" : null)
                .setReceivedAt(T0)
                .setTimestamp(T0)
                .setTraits(traits)
                .build();
    }
}
