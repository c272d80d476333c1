package io.sightline.aggregate.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.sightline.aggregate.AggregateConfig;
import io.sightline.aggregate.definition.LatenessHorizons;
import io.sightline.aggregate.definition.MetricDefinitions;
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
import java.util.stream.Collectors;
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

/**
 * The aggregator's time model with the default lateness horizons and a 60 s grace:
 * windows close and expire by receive time, events count in the window of their own
 * time, late events revise closed windows until the horizon, and later ones are
 * counted and dead-lettered.
 */
class EventTimeTopologyTest {

    static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    static final String DEFINITIONS =
            "metrics: [{name: event_count, measure: {type: count}, dimensions: [event], windows: [1m, 1h]}]";

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(new InMemorySchemaRegistryClient());
    private TopologyTestDriver driver;
    private TestInputTopic<String, EnrichedEvent> enriched;
    private TestOutputTopic<String, MetricWindow> metrics;
    private TestOutputTopic<String, DeadLetter> invalid;

    @BeforeEach
    void start() {
        // the service's defaults: 60 s grace, horizons 1m=15m,1h=48h,1d=7d
        AggregateConfig defaults = new AggregateConfig(Map.of());
        driver = AggregateTestDriver.start(
                topics,
                stateDir,
                MetricDefinitions.parse(DEFINITIONS, "test"),
                defaults.windowGrace(),
                defaults.latenessHorizons());
        enriched = driver.createInputTopic(
                Topics.EVENTS_ENRICHED,
                new StringSerializer(),
                topics.eventsEnriched().valueSerde().serializer());
        metrics = driver.createOutputTopic(
                Topics.METRICS_WINDOWED,
                new StringDeserializer(),
                topics.metricsWindowed().valueSerde().deserializer());
        invalid = driver.createOutputTopic(
                Topics.EVENTS_INVALID,
                new StringDeserializer(),
                topics.eventsInvalid().valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void shouldNotLetAnEventAheadOfItsReceiveTimeCloseAnyoneElsesWindow() {
        // 50 users at the current time, one event 9 minutes ahead (as if no clamp had run), 50 more users
        for (int i = 0; i < 50; i++) {
            send("u" + i, "web", "Clicked", NOW.plusSeconds(1), NOW.plusSeconds(1));
        }
        send("fast", "server", "Clicked", NOW.plus(Duration.ofMinutes(9)), NOW.plusSeconds(2));
        for (int i = 50; i < 100; i++) {
            send("u" + i, "web", "Clicked", NOW.plusSeconds(3), NOW.plusSeconds(3));
        }

        Map<String, Double> latest = latestValues();
        assertThat(latest)
                .containsEntry("event_count{event=Clicked}@" + NOW, 100.0)
                .containsEntry("event_count{event=Clicked}@" + NOW.plus(Duration.ofMinutes(9)), 1.0);
        assertThat(latest.keySet()).noneMatch(k -> k.startsWith("late_events"));
        assertThat(invalid.readValuesToList()).isEmpty();
    }

    @Test
    void shouldReviseAClosedWindowWithLateEventsWithinItsHorizonAndSaySo() {
        send("a", "web", "Clicked", NOW.plusSeconds(10), NOW.plusSeconds(10));
        // receive time moves 5 minutes on: the minute closed (end plus 60 s grace) with its final value
        send("b", "web", "Viewed", NOW.plus(Duration.ofMinutes(5)), NOW.plus(Duration.ofMinutes(5)));
        // a phone that was offline sends its event of that minute now
        send(
                "c",
                "ios",
                "Clicked",
                NOW.plusSeconds(20),
                NOW.plus(Duration.ofMinutes(5)).plusSeconds(1));

        List<MetricWindow> minute = metrics.readValuesToList().stream()
                .filter(w -> w.getMetric().equals("event_count")
                        && w.getWindowStart().equals(NOW))
                .toList();
        assertThat(minute)
                .extracting(MetricWindow::getValue, MetricWindow::getIsFinal, MetricWindow::getRevision)
                .containsExactly(tuple(1.0, false, 0), tuple(1.0, true, 0), tuple(2.0, true, 1));
        assertThat(minute.get(2).getRevisableUntil()).isEqualTo(NOW.plus(Duration.ofMinutes(16)));
        assertThat(invalid.readValuesToList()).isEmpty();
    }

    @Test
    void shouldCountOfflineEventsHoursOldInTheirHourAndCountThemLateForTheirMinutes() {
        send("now", "web", "Clicked", NOW, NOW);
        Instant sixHoursAgo = NOW.minus(Duration.ofHours(6)).plusSeconds(30);
        for (int i = 0; i < 1000; i++) {
            send("offline-" + (i % 10), "ios", "Played", sixHoursAgo.plusMillis(i), NOW.plusSeconds(1));
        }

        Map<String, Double> latest = latestValues();
        Instant hour = NOW.minus(Duration.ofHours(6));
        assertThat(latest).containsEntry("event_count.1h{event=Played}@" + hour, 1000.0);
        MetricWindow lastRevision = lastOf("event_count.1h{event=Played}");
        assertThat(lastRevision.getIsFinal()).isTrue();
        assertThat(lastRevision.getRevision()).isEqualTo(1000);
        assertThat(latest).containsEntry("late_events{metric=event_count,source=ios}@" + NOW, 1000.0);
        assertThat(latest.keySet()).noneMatch(k -> k.startsWith("event_count{event=Played}"));
        assertThat(invalid.readValuesToList()).isEmpty();
    }

    @Test
    void shouldDeadLetterEventsTooLateForEveryWindowAndCountThemPerSeriesExactly() {
        send("now", "web", "Clicked", NOW, NOW);
        for (int i = 0; i < 37; i++) {
            send("old-" + i, "ios", "Played", NOW.minus(Duration.ofDays(3)).plusSeconds(i), NOW.plusSeconds(1));
        }

        Map<String, Double> latest = latestValues();
        assertThat(latest)
                .containsEntry("late_events{metric=event_count,source=ios}@" + NOW, 37.0)
                .containsEntry("late_events{metric=event_count.1h,source=ios}@" + NOW, 37.0);
        assertThat(latest.keySet()).noneMatch(k -> k.contains("Played"));
        List<DeadLetter> letters = invalid.readValuesToList();
        assertThat(letters).hasSize(37).allSatisfy(letter -> {
            assertThat(letter.getReasonCode()).isEqualTo("event_time_too_late");
            assertThat(letter.getComponent()).isEqualTo("aggregate-processor");
            assertThat(letter.getSource()).isEqualTo("ios");
            assertThat(letter.getReasonText()).contains("SIGHTLINE_WINDOW_LATENESS_HORIZONS");
        });
        assertThat(letters).extracting(DeadLetter::getMessageId).doesNotHaveDuplicates();
        EnrichedEvent replayable = topics.eventsEnriched()
                .valueSerde()
                .deserializer()
                .deserialize(Topics.EVENTS_ENRICHED, letters.get(0).getPayload().array());
        assertThat(replayable.getEvent().getMessageId())
                .isEqualTo(letters.get(0).getMessageId());
    }

    @Test
    void shouldNotTakeAWindowSizeThatNoHorizonListsLaterThanTheHorizonOfTheSizeBelowIt() {
        LatenessHorizons horizons = LatenessHorizons.parse(List.of("1m=15m", "1h=48h"));

        assertThat(horizons.horizonMillis(Duration.ofSeconds(30).toMillis()))
                .isEqualTo(Duration.ofMinutes(15).toMillis());
        assertThat(horizons.horizonMillis(Duration.ofMinutes(5).toMillis()))
                .isEqualTo(Duration.ofMinutes(15).toMillis());
        assertThat(horizons.horizonMillis(Duration.ofDays(1).toMillis()))
                .isEqualTo(Duration.ofHours(48).toMillis());
        assertThat(horizons.revisableAfterClose(
                        Duration.ofMinutes(1).toMillis(), Duration.ofMinutes(20).toMillis()))
                .isZero();
    }

    private void send(String user, String source, String name, Instant time, Instant receivedAt) {
        TrackedEvent event = TrackedEvent.newBuilder()
                .setMessageId(user + "-" + time + "-" + receivedAt)
                .setType(EventType.track)
                .setSource(source)
                .setEvent(name)
                .setUserId(user)
                .setReceivedAt(receivedAt)
                .setTimestamp(time)
                .build();
        enriched.pipeInput(
                user,
                EnrichedEvent.newBuilder()
                        .setEvent(event)
                        .setUserKey(user)
                        .setEnrichedAt(receivedAt)
                        .build());
    }

    /** The latest value per {@code series@windowStart} of everything published so far (read once per test). */
    private List<KeyValue<String, MetricWindow>> published;

    private List<KeyValue<String, MetricWindow>> published() {
        if (published == null) {
            published = metrics.readKeyValuesToList();
        }
        return published;
    }

    private Map<String, Double> latestValues() {
        return published().stream()
                .collect(Collectors.toMap(
                        kv -> kv.key + "@" + kv.value.getWindowStart(), kv -> kv.value.getValue(), (a, b) -> b));
    }

    private MetricWindow lastOf(String series) {
        List<MetricWindow> of = published().stream()
                .filter(kv -> kv.key.equals(series))
                .map(kv -> kv.value)
                .toList();
        return of.get(of.size() - 1);
    }
}
