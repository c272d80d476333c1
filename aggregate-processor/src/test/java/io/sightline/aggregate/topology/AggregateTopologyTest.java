package io.sightline.aggregate.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.aggregate.definition.LatenessHorizons;
import io.sightline.aggregate.definition.MetricDefinitions;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.ErasureReceipt;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.SubjectType;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.schemas.registry.InMemorySchemaRegistryClient;
import io.sightline.testkit.TaskMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AggregateTopologyTest {

    private static final Instant MINUTE = Instant.parse("2024-05-01T12:00:00Z");
    private static final Instant HOUR = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(new InMemorySchemaRegistryClient());
    private TopologyTestDriver driver;
    private TestInputTopic<String, EnrichedEvent> enriched;
    private TestOutputTopic<String, MetricWindow> metrics;

    /** Windows that take no events after grace: these tests are about closing; revisions have their own ({@code EventTimeTopologyTest}). */
    static final LatenessHorizons NO_REVISIONS = LatenessHorizons.parse(List.of("1m=30s"));

    void start(MetricDefinitions definitions) {
        driver = AggregateTestDriver.start(topics, stateDir, definitions, Duration.ofSeconds(30), NO_REVISIONS);
        enriched = driver.createInputTopic(
                Topics.EVENTS_ENRICHED,
                new StringSerializer(),
                topics.eventsEnriched().valueSerde().serializer());
        metrics = driver.createOutputTopic(
                Topics.METRICS_WINDOWED,
                new StringDeserializer(),
                topics.metricsWindowed().valueSerde().deserializer());
    }

    void start(String yaml) {
        start(MetricDefinitions.parse(yaml, "test"));
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void shouldCountEventsPerNameInOneMinuteEventTimeWindowsWithTheDefaultDefinitions() {
        start(MetricDefinitions.defaults());

        enriched.pipeInput("u1", event("u1", "Signed Up", MINUTE.plusSeconds(5)));
        enriched.pipeInput("u2", event("u2", "Signed Up", MINUTE.plusSeconds(50)));
        enriched.pipeInput("u1", event("u1", "Clicked", MINUTE.plusSeconds(10)));
        enriched.pipeInput("u3", event("u3", "Signed Up", MINUTE.plusSeconds(65)));

        List<KeyValue<String, MetricWindow>> updates = metrics.readKeyValuesToList().stream()
                .filter(kv -> kv.key.startsWith("event_count{"))
                .toList();

        assertThat(updates)
                .extracting(kv -> kv.key)
                .containsExactly(
                        "event_count{event=Signed+Up}",
                        "event_count{event=Signed+Up}",
                        "event_count{event=Clicked}",
                        "event_count{event=Signed+Up}");
        MetricWindow secondSignup = updates.get(1).value;
        assertThat(secondSignup.getValue()).isEqualTo(2.0);
        assertThat(secondSignup.getSampleCount()).isEqualTo(2L);
        assertThat(secondSignup.getIsFinal()).isFalse();
        assertThat(secondSignup.getWindowStart()).isEqualTo(MINUTE);
        assertThat(secondSignup.getWindowEnd()).isEqualTo(MINUTE.plusSeconds(60));
        assertThat(secondSignup.getDimensions()).containsEntry("event", "Signed Up");
        assertThat(updates.get(3).value.getValue()).isEqualTo(1.0);
        assertThat(updates.get(3).value.getWindowStart()).isEqualTo(MINUTE.plusSeconds(60));
    }

    @Test
    void shouldCountLateEventsWithinGraceAndDropAndCountThosePastIt() {
        start("metrics: [{name: event_count, measure: {type: count}, dimensions: [event], windows: [1m]}]");

        enriched.pipeInput("u1", event("u1", "Signed Up", MINUTE.plusSeconds(5)));
        enriched.pipeInput("u1", event("u1", "Signed Up", MINUTE.plusSeconds(85)));
        // late but within the 30 s grace of the first window (it closes at 90 s)
        enriched.pipeInput("u2", event("u2", "Signed Up", MINUTE.plusSeconds(50)));
        // stream time reaches 95 s: the first window closes with its final value, before the event is added
        enriched.pipeInput("u1", event("u1", "Signed Up", MINUTE.plusSeconds(95)));
        // past grace: dropped and counted
        enriched.pipeInput("u3", event("u3", "Signed Up", MINUTE.plusSeconds(55)));

        List<MetricWindow> updates = metrics.readValuesToList().stream()
                .filter(w -> w.getMetric().equals("event_count"))
                .toList();
        assertThat(updates)
                .extracting(w -> w.getWindowStart().getEpochSecond() - MINUTE.getEpochSecond() + ":" + w.getValue()
                        + ":" + w.getIsFinal())
                .containsExactly("0:1.0:false", "60:1.0:false", "0:2.0:false", "0:2.0:true", "60:2.0:false");
        assertThat(metricTotal("late-records-dropped-total")).isEqualTo(1.0);
    }

    @Test
    void shouldCountEventsDroppedPastTheirHorizonPerSeriesUnderTheirSourceInTheMinuteTheyArrived() {
        // given two metrics, so every event makes two contributions, and a 30 s grace
        start("""
                metrics:
                  - {name: event_count, measure: {type: count}, dimensions: [event], windows: [1m]}
                  - {name: active_users, measure: {type: unique_users}, windows: [1m]}
                """);
        enriched.pipeInput("u1", event("u1", "Clicked", MINUTE.plusSeconds(5)));
        enriched.pipeInput("u1", event("u1", "Clicked", MINUTE.plusSeconds(85)));
        // late, but within grace: counted in its window, not as late
        enriched.pipeInput("u2", from("ios", event("u2", "Clicked", MINUTE.plusSeconds(50))));
        // stream time reaches 95 s: the first minute (closing at 90 s) is final
        enriched.pipeInput("u1", event("u1", "Clicked", MINUTE.plusSeconds(95)));

        // when two ios events of the closed minute arrive
        enriched.pipeInput("u3", from("ios", event("u3", "Clicked", MINUTE.plusSeconds(55))));
        enriched.pipeInput("u4", from("ios", event("u4", "Clicked", MINUTE.plusSeconds(58))));

        // then they are counted once each per series under their source, in the minute of the stream time that dropped
        // them
        Map<String, MetricWindow> late = new java.util.HashMap<>();
        metrics.readKeyValuesToList().stream()
                .filter(kv -> kv.value.getMetric().equals("late_events"))
                .forEach(kv -> late.put(kv.key, kv.value));
        assertThat(late.keySet())
                .containsExactlyInAnyOrder(
                        "late_events{metric=event_count,source=ios}", "late_events{metric=active_users,source=ios}");
        assertThat(late.get("late_events{metric=active_users,source=ios}").getValue())
                .isEqualTo(2.0);
        MetricWindow ios = late.get("late_events{metric=event_count,source=ios}");
        assertThat(ios.getDimensions()).isEqualTo(Map.of("source", "ios", "metric", "event_count"));
        assertThat(ios.getValue()).isEqualTo(2.0);
        assertThat(ios.getSampleCount()).isEqualTo(2L);
        assertThat(ios.getWindowStart()).isEqualTo(MINUTE.plusSeconds(60));
        assertThat(ios.getWindowEnd()).isEqualTo(MINUTE.plusSeconds(120));
        assertThat(ios.getIsFinal()).isFalse();
        // the sensor counts every dropped contribution: two events times two metrics
        assertThat(metricTotal("late-records-dropped-total")).isEqualTo(4.0);
    }

    @Test
    void shouldNameEveryProcessorStoreAndRepartitionTopicOfTheLateCount() {
        String description = AggregateTopology.build(
                        topics,
                        new AggregateSettings(
                                MetricDefinitions.defaults(),
                                Duration.ofSeconds(30),
                                LatenessHorizons.defaults(),
                                Duration.ZERO,
                                1000))
                .describe()
                .toString();

        assertThat(description)
                .contains(
                        "late-by-source-and-metric-repartition",
                        AggregateTopology.LATE_COUNTS_STORE,
                        "count-late",
                        "late-to-metrics-windowed");
        assertThat(description).doesNotContain("KSTREAM-", "KTABLE-");
    }

    @Test
    void shouldCountPageCallsUnderADollarName() {
        start(MetricDefinitions.defaults());
        EnrichedEvent page = event("u1", null, MINUTE);
        page.getEvent().setType(EventType.page);

        enriched.pipeInput("u1", page);

        assertThat(metrics.readKeyValuesToList())
                .extracting(kv -> kv.key)
                .contains("event_count{event=%24page}", "event_count.1h{event=%24page}");
    }

    @Test
    void shouldEstimateUniqueUsersWithinTheSketchsStatedError() {
        start("metrics: [{name: active_users, measure: {type: unique_users}, windows: [1h]}]");

        for (int i = 0; i < 10_000; i++) {
            enriched.pipeInput("user-" + i, event("user-" + i, "Clicked", HOUR.plusMillis(i)));
            // the same user again must not count twice
            if (i % 10 == 0) {
                enriched.pipeInput("user-" + i, event("user-" + i, "Clicked", HOUR.plusMillis(i)));
            }
        }

        List<MetricWindow> updates = metrics.readValuesToList();
        MetricWindow last = updates.get(updates.size() - 1);
        // HLL lgK=12: relative standard error 1.04/sqrt(4096) = 1.625 %; 3 sigmas = 4.9 %
        assertThat(last.getValue()).isBetween(10_000 * (1 - 0.049), 10_000 * (1 + 0.049));
        assertThat(last.getSampleCount()).isEqualTo(11_000L);
    }

    @Test
    void shouldReportSumMeanAndPercentilesOfANumericProperty() {
        start("metrics: [{name: latency_ms, filter: {where: [{field: properties.latency_ms, op: exists}]}, "
                + "measure: {type: p95, property: latency_ms}, windows: [1h]}]");

        for (int i = 1; i <= 1000; i++) {
            EnrichedEvent e = event("u", "API Request", HOUR.plusMillis(i));
            e.getEvent().setProperties("{\"latency_ms\":" + i + "}");
            enriched.pipeInput("u", e);
        }
        enriched.pipeInput("u", event("u", "API Request", HOUR.plusSeconds(5)));

        List<MetricWindow> updates = metrics.readValuesToList();
        MetricWindow last = updates.get(updates.size() - 1);
        assertThat(updates).hasSize(1000);
        assertThat(last.getValues()).containsEntry("sum", 500_500.0).containsEntry("mean", 500.5);
        // KLL k=200: normalized rank error about 1.65 %, i.e. about 17 ranks of 1000
        assertThat(last.getValue()).isEqualTo(last.getP95()).isBetween(950.0 - 20, 950.0 + 20);
        assertThat(last.getP50()).isBetween(500.0 - 20, 500.0 + 20);
        assertThat(last.getP99()).isBetween(990.0 - 20, 1000.0);
    }

    @Test
    void shouldComputeARatioOfTwoMetrics() {
        start("""
                metrics:
                  - {name: errors, filter: {event: Error}, measure: {type: count}, windows: [1m]}
                  - {name: all_events, measure: {type: count}, windows: [1m]}
                  - {name: error_rate, measure: {type: ratio, numerator: errors, denominator: all_events}, windows: [1m]}
                """);

        enriched.pipeInput("u1", event("u1", "Clicked", MINUTE.plusSeconds(1)));
        enriched.pipeInput("u1", event("u1", "Error", MINUTE.plusSeconds(2)));
        enriched.pipeInput("u2", event("u2", "Clicked", MINUTE.plusSeconds(3)));
        enriched.pipeInput("u2", event("u2", "Clicked", MINUTE.plusSeconds(4)));

        List<KeyValue<String, MetricWindow>> rates = metrics.readKeyValuesToList().stream()
                .filter(kv -> kv.key.equals("error_rate{}"))
                .toList();
        MetricWindow last = rates.get(rates.size() - 1).value;
        assertThat(last.getValue()).isEqualTo(0.25);
        assertThat(last.getValues()).containsEntry("numerator", 1.0).containsEntry("denominator", 4.0);
    }

    @Test
    void shouldCountFunnelStepsInOrderWithinTheTimeLimit() {
        start("""
                metrics:
                  - name: signup_funnel
                    measure: {type: funnel, steps: [{event: Signed Up}, {event: Activated}, {event: Subscribed}], within: 1h}
                    windows: [1h]
                """);
        // a: all three steps in order
        enriched.pipeInput("a", event("a", "Signed Up", HOUR.plusSeconds(0)));
        enriched.pipeInput("a", event("a", "Activated", HOUR.plusSeconds(600)));
        enriched.pipeInput("a", event("a", "Subscribed", HOUR.plusSeconds(1200)));
        // b: step 3 before step 2 does not count; step 2 then does
        enriched.pipeInput("b", event("b", "Signed Up", HOUR.plusSeconds(10)));
        enriched.pipeInput("b", event("b", "Subscribed", HOUR.plusSeconds(300)));
        enriched.pipeInput("b", event("b", "Activated", HOUR.plusSeconds(360)));
        // c: step 2 after the one-hour limit does not count
        enriched.pipeInput("c", event("c", "Signed Up", HOUR.plusSeconds(20)));
        enriched.pipeInput("c", event("c", "Activated", HOUR.plusSeconds(20 + 3601)));
        // d: step 2 before step 1 does not count
        enriched.pipeInput("d", event("d", "Activated", HOUR.plusSeconds(30)));
        enriched.pipeInput("d", event("d", "Signed Up", HOUR.plusSeconds(40)));

        List<MetricWindow> updates = metrics.readValuesToList();
        MetricWindow last = updates.get(updates.size() - 1);
        assertThat(last.getWindowStart()).isEqualTo(HOUR);
        assertThat(last.getValues())
                .containsEntry("step_1", 4.0)
                .containsEntry("step_2", 2.0)
                .containsEntry("step_3", 1.0)
                .containsEntry("dropoff_2", 0.5)
                .containsEntry("dropoff_3", 0.5);
        assertThat(last.getValue()).isEqualTo(0.25);
    }

    @Test
    void shouldEraseADeletedUsersProgressThroughEveryFunnelAndKeepOtherUsers() {
        start("""
                metrics:
                  - name: signup_funnel
                    measure: {type: funnel, steps: [{event: Signed Up}, {event: Activated}], within: 1h}
                    windows: [1h]
                  - name: upgrade_funnel
                    measure: {type: funnel, steps: [{event: Signed Up}, {event: Subscribed}], within: 1h}
                    windows: [1h]
                """);
        enriched.pipeInput("a", event("a", "Signed Up", HOUR));
        enriched.pipeInput("b", event("b", "Signed Up", HOUR.plusSeconds(1)));
        KeyValueStore<String, String> funnels = driver.getKeyValueStore(AggregateTopology.FUNNEL_STORE);
        assertThat(funnels.get(ContributionMapper.funnelKey("signup_funnel", "a")))
                .isNotNull();
        TestInputTopic<String, SubjectRegulation> regulations = driver.createInputTopic(
                Topics.PRIVACY_REGULATIONS,
                new StringSerializer(),
                topics.privacyRegulations().valueSerde().serializer());

        regulations.pipeInput(
                Topics.subjectKey(SubjectType.USER_ID, "a"),
                new SubjectRegulation(
                        "r-1", RegulationType.SUPPRESS_WITH_DELETE, SubjectType.USER_ID, "a", HOUR, null));
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        assertThat(funnels.get(ContributionMapper.funnelKey("signup_funnel", "a")))
                .isNull();
        assertThat(funnels.get(ContributionMapper.funnelKey("upgrade_funnel", "a")))
                .isNull();
        assertThat(funnels.get(ContributionMapper.funnelKey("signup_funnel", "b")))
                .isNotNull();
        TestOutputTopic<String, ErasureReceipt> receipts = driver.createOutputTopic(
                Topics.PRIVACY_ERASURE_RECEIPTS,
                new StringDeserializer(),
                topics.privacyErasureReceipts().valueSerde().deserializer());
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(receipts.readKeyValuesToMap())
                .hasEntrySatisfying(
                        "aggregate-processor/erase-user-subjects/0_0",
                        r -> assertThat(r.getErasedThrough()).containsEntry("0", 0L));
    }

    @Test
    void shouldBreakAFunnelDownByTheDimensionsOfEachCohortsFirstStep() {
        start("""
                metrics:
                  - name: plan_funnel
                    measure: {type: funnel, steps: [{event: Signed Up}, {event: Activated}], within: 1h}
                    dimensions: [properties.plan]
                    windows: [1h]
                """);
        // a and b sign up on "pro", c on "free"; a's activation carries another plan but counts under its cohort's.
        enriched.pipeInput("a", withPlan(event("a", "Signed Up", HOUR.plusSeconds(0)), "pro"));
        enriched.pipeInput("b", withPlan(event("b", "Signed Up", HOUR.plusSeconds(5)), "pro"));
        enriched.pipeInput("c", withPlan(event("c", "Signed Up", HOUR.plusSeconds(10)), "free"));
        enriched.pipeInput("a", withPlan(event("a", "Activated", HOUR.plusSeconds(60)), "free"));
        enriched.pipeInput("c", withPlan(event("c", "Activated", HOUR.plusSeconds(70)), "free"));

        Map<String, MetricWindow> latest = metrics.readKeyValuesToMap();
        MetricWindow pro = latest.get(
                SeriesKey.of("plan_funnel.1h", Map.of("properties.plan", "pro")).toString());
        MetricWindow free = latest.get(SeriesKey.of("plan_funnel.1h", Map.of("properties.plan", "free"))
                .toString());
        assertThat(pro.getValues()).containsEntry("step_1", 2.0).containsEntry("step_2", 1.0);
        assertThat(free.getValues()).containsEntry("step_1", 1.0).containsEntry("step_2", 1.0);
    }

    private static EnrichedEvent withPlan(EnrichedEvent e, String plan) {
        e.getEvent().setProperties("{\"plan\":\"" + plan + "\"}");
        return e;
    }

    @Test
    void shouldRollDimensionValuesPastTheCardinalityCapIntoOther() {
        start(
                "metrics: [{name: by_plan, measure: {type: count}, dimensions: [properties.plan], maxCardinality: 2, windows: [1m]}]");

        for (String plan : List.of("a", "b", "c", "a", "d")) {
            EnrichedEvent e = event("u", "Clicked", MINUTE);
            e.getEvent().setProperties("{\"plan\":\"" + plan + "\"}");
            enriched.pipeInput("u", e);
        }

        Map<String, MetricWindow> latest = metrics.readKeyValuesToMap();
        assertThat(latest.keySet())
                .containsExactlyInAnyOrder(
                        "by_plan{properties.plan=a}", "by_plan{properties.plan=b}", "by_plan{properties.plan=other}");
        assertThat(latest.get("by_plan{properties.plan=other}").getValue()).isEqualTo(2.0);
        assertThat(latest.get("by_plan{properties.plan=a}").getValue()).isEqualTo(2.0);
    }

    @Test
    void shouldExcludeBotsUnlessAMetricIncludesThem() {
        start("""
                metrics:
                  - {name: humans, measure: {type: count}, windows: [1m]}
                  - {name: everyone, measure: {type: count}, windows: [1m], includeBots: true}
                """);
        EnrichedEvent bot = event("crawler", "Viewed", MINUTE);
        bot.setBot(true);

        enriched.pipeInput("u1", event("u1", "Viewed", MINUTE));
        enriched.pipeInput("crawler", bot);

        Map<String, MetricWindow> latest = metrics.readKeyValuesToMap();
        assertThat(latest.get("humans{}").getValue()).isEqualTo(1.0);
        assertThat(latest.get("everyone{}").getValue()).isEqualTo(2.0);
    }

    @Test
    void shouldCountSessionsAsDistinctSessionIds() {
        start("metrics: [{name: sessions, measure: {type: unique_sessions}, windows: [1h]}]");
        for (String session : List.of("s1", "s1", "s2", "s3", "s2")) {
            EnrichedEvent e = event("u", "Clicked", HOUR);
            e.setSessionId(session);
            enriched.pipeInput("u", e);
        }

        assertThat(metrics.readKeyValuesToMap().get("sessions.1h{}").getValue()).isEqualTo(3.0);
    }

    private double metricTotal(String name) {
        return TaskMetrics.total(driver.metrics(), name);
    }

    private static EnrichedEvent from(String source, EnrichedEvent e) {
        e.getEvent().setSource(source);
        return e;
    }

    private static EnrichedEvent event(String user, String name, Instant at) {
        TrackedEvent event = TrackedEvent.newBuilder()
                .setMessageId("m-" + at)
                .setType(EventType.track)
                .setSource("web")
                .setEvent(name)
                .setUserId(user)
                .setReceivedAt(at)
                .setTimestamp(at)
                .build();
        return EnrichedEvent.newBuilder()
                .setEvent(event)
                .setUserKey(user)
                .setEnrichedAt(at)
                .build();
    }
}
