package io.sightline.aggregate.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.aggregate.definition.LatenessHorizons;
import io.sightline.aggregate.definition.MetricDefinitions;
import io.sightline.common.streams.StreamsAppSettings;
import io.sightline.enrich.EnrichConfig;
import io.sightline.enrich.topology.EnrichSettings;
import io.sightline.enrich.topology.EnrichTopology;
import io.sightline.schemas.SeriesKey;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random clocks per producer, through the enrich and the aggregate topologies chained:
 * correct clocks, clocks minutes ahead without {@code sentAt} (clamped), clocks hours
 * behind with {@code sentAt} (corrected by the gateway's formula), phones replaying
 * events hours to days old, and a producer that sends future timestamps all the time.
 * Whatever the mix, each window's value equals a recount by the time model (event time
 * places, receive time closes, horizons bound lateness), every event of a producer
 * with a usable clock is counted, and what is too late is counted per series and
 * dead-lettered exactly. Fixed seeds, so a failure replays.
 */
class MixedClocksPropertyTest {

    private static final Instant START = Instant.parse("2026-12-05T09:00:00Z");
    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final long MINUTE = 60_000;
    private static final long HOUR = 3_600_000;
    private static final List<Long> SIZES = List.of(MINUTE, HOUR);
    private static final String DEFINITIONS =
            "metrics: [{name: event_count, measure: {type: count}, dimensions: [source], windows: [1m, 1h]}]";

    enum Clock {
        CORRECT,
        FAST_WITHOUT_SENT_AT,
        SLOW_WITH_SENT_AT,
        OFFLINE_REPLAY,
        ALWAYS_FUTURE
    }

    private record Producer(String name, Clock clock, long offset) {}

    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 34})
    void shouldCountEveryEventByTheTimeModelWhateverTheProducersClocks(long seed) {
        Random random = new Random(seed);
        List<Producer> producers = new ArrayList<>();
        for (Clock clock : Clock.values()) {
            for (int i = 0; i < 2; i++) {
                long offset = switch (clock) {
                    case CORRECT -> 0;
                    case FAST_WITHOUT_SENT_AT ->
                        Duration.ofMinutes(2 + random.nextInt(28)).toMillis();
                    case SLOW_WITH_SENT_AT ->
                        -Duration.ofMinutes(60 + random.nextInt(120)).toMillis();
                    case OFFLINE_REPLAY ->
                        Duration.ofHours(1 + random.nextInt(72)).toMillis();
                    case ALWAYS_FUTURE ->
                        Duration.ofMinutes(5 + random.nextInt(45)).toMillis();
                };
                producers.add(new Producer(clock.name().toLowerCase() + "-" + i, clock, offset));
            }
        }

        EnrichSettings enrichSettings = EnrichSettings.defaults();
        Topics topics = new Topics(new InMemorySchemaRegistryClient());
        try (TopologyTestDriver enrich = enrichDriver(topics, enrichSettings);
                TopologyTestDriver aggregate = aggregateDriver(topics)) {
            TestInputTopic<String, TrackedEvent> raw = enrich.createInputTopic(
                    Topics.EVENTS_RAW,
                    new StringSerializer(),
                    topics.eventsRaw().valueSerde().serializer());
            TestOutputTopic<String, EnrichedEvent> enriched = enrich.createOutputTopic(
                    Topics.EVENTS_ENRICHED,
                    new StringDeserializer(),
                    topics.eventsEnriched().valueSerde().deserializer());
            TestInputTopic<String, EnrichedEvent> toAggregate = aggregate.createInputTopic(
                    Topics.EVENTS_ENRICHED,
                    new StringSerializer(),
                    topics.eventsEnriched().valueSerde().serializer());
            TestOutputTopic<String, MetricWindow> metrics = aggregate.createOutputTopic(
                    Topics.METRICS_WINDOWED,
                    new StringDeserializer(),
                    topics.metricsWindowed().valueSerde().deserializer());
            TestOutputTopic<String, DeadLetter> invalid = aggregate.createOutputTopic(
                    Topics.EVENTS_INVALID,
                    new StringDeserializer(),
                    topics.eventsInvalid().valueSerde().deserializer());

            Recount expected = new Recount(LatenessHorizons.defaults());
            Map<String, Integer> sent = new HashMap<>();
            long received = START.toEpochMilli();
            for (int i = 0; i < 400; i++) {
                received += random.nextInt(3_000);
                Producer p = producers.get(random.nextInt(producers.size()));
                long happened = received - random.nextInt(2_000);
                TrackedEvent event = gatewayEvent(p, "m-" + seed + "-" + i, happened, received);
                long time = event.getTimestamp().toEpochMilli();
                // the enrich processor's clamp
                long corrected =
                        time - received > enrichSettings.futureTolerance().toMillis() ? received : time;
                expected.add(p.name(), corrected, received);
                sent.merge(p.name(), 1, Integer::sum);
                raw.pipeInput("web:" + p.name(), event);
                for (KeyValue<String, EnrichedEvent> out : enriched.readKeyValuesToList()) {
                    assertThat(out.value.getEvent().getTimestamp().toEpochMilli())
                            .as("corrected time of %s", p)
                            .isEqualTo(corrected);
                    assertThat(out.value.getEvent().getTimeCorrection())
                            .isEqualTo(corrected == time ? null : "future_clamped");
                    toAggregate.pipeInput(out.key, out.value);
                }
            }

            Map<String, Double> windows = new HashMap<>();
            Map<String, Double> late = new HashMap<>();
            for (KeyValue<String, MetricWindow> kv : metrics.readKeyValuesToList()) {
                MetricWindow w = kv.value;
                if (w.getMetric().equals(AggregateTopology.LATE_METRIC)) {
                    // one entry per minute of arrival: add up the latest value of each
                    late.put(kv.key + "@" + w.getWindowStart(), w.getValue());
                } else {
                    windows.put(kv.key + "@" + w.getWindowStart().toEpochMilli(), w.getValue());
                }
            }
            assertThat(windows).as("every window's latest value, seed %d", seed).isEqualTo(expected.counted);
            Map<String, Double> latePerSeries = new HashMap<>();
            late.forEach((key, value) -> latePerSeries.merge(key.substring(0, key.indexOf('@')), value, Double::sum));
            assertThat(latePerSeries)
                    .as("late_events per series and source, seed %d", seed)
                    .isEqualTo(expected.late);
            assertThat(invalid.readValuesToList())
                    .as("dead letters, seed %d", seed)
                    .hasSize(expected.tooLateEverywhere)
                    .allMatch(letter -> letter.getReasonCode().equals("event_time_too_late"));

            // and no producer with a usable clock lost anything: all its events are in its one-minute windows
            for (Producer p : producers) {
                if (p.clock() != Clock.OFFLINE_REPLAY) {
                    double counted = windows.entrySet().stream()
                            .filter(e -> e.getKey()
                                    .startsWith(SeriesKey.of("event_count", Map.of("source", p.name())) + "@"))
                            .mapToDouble(Map.Entry::getValue)
                            .sum();
                    assertThat(counted)
                            .as("events of %s counted, seed %d", p, seed)
                            .isEqualTo(sent.getOrDefault(p.name(), 0).doubleValue());
                }
            }
        }
    }

    /** The event as the gateway writes it: Segment's skew correction where {@code sentAt} is sent. */
    private static TrackedEvent gatewayEvent(Producer p, String id, long happened, long received) {
        long sentBy = received - 50; // the device's send, moments before the gateway's receive
        long timestamp = switch (p.clock()) {
            case CORRECT -> happened;
            case FAST_WITHOUT_SENT_AT, ALWAYS_FUTURE -> happened + p.offset();
            // device time = real time + offset for both originalTimestamp and sentAt: the offset cancels
            case SLOW_WITH_SENT_AT -> received - ((sentBy + p.offset()) - (happened + p.offset()));
            // queued while offline, sent now with sentAt: its true time, hours or days ago
            case OFFLINE_REPLAY -> happened - p.offset();
        };
        return TrackedEvent.newBuilder()
                .setMessageId(id)
                .setType(EventType.track)
                .setSource(p.name())
                .setEvent("Clicked")
                .setUserId("user-" + p.name())
                .setReceivedAt(Instant.ofEpochMilli(received))
                .setTimestamp(Instant.ofEpochMilli(timestamp))
                .build();
    }

    /**
     * The time model, written plainly: stream time is the latest receive time seen; an
     * event counts in each window of its corrected time unless stream time has passed
     * that window's end plus its horizon, in which case it is late for that series.
     */
    private static final class Recount {
        final LatenessHorizons horizons;
        final Map<String, Double> counted = new HashMap<>();
        final Map<String, Double> late = new HashMap<>();
        int tooLateEverywhere;
        long streamTime = Long.MIN_VALUE;

        Recount(LatenessHorizons horizons) {
            this.horizons = horizons;
        }

        void add(String source, long time, long received) {
            streamTime = Math.max(streamTime, received);
            boolean countedSomewhere = false;
            for (long size : SIZES) {
                long start = time - Math.floorMod(time, size);
                long expireAt = start + size + Math.max(GRACE.toMillis(), horizons.horizonMillis(size));
                String metric = size == MINUTE ? "event_count" : "event_count.1h";
                if (expireAt <= streamTime) {
                    late.merge(
                            SeriesKey.of(AggregateTopology.LATE_METRIC, Map.of("source", source, "metric", metric))
                                    .toString(),
                            1.0,
                            Double::sum);
                } else {
                    counted.merge(SeriesKey.of(metric, Map.of("source", source)) + "@" + start, 1.0, Double::sum);
                    countedSomewhere = true;
                }
            }
            if (!countedSomewhere) {
                tooLateEverywhere++;
            }
        }
    }

    private TopologyTestDriver enrichDriver(Topics topics, EnrichSettings options) {
        EnrichConfig config = new EnrichConfig(
                Map.of("SIGHTLINE_STATE_DIR", dir.resolve("enrich").toString()));
        Properties props = new Properties();
        props.putAll(StreamsAppSettings.properties(
                config,
                "enrich-processor",
                topics.valueSerde(DeadLetter.class).serializer(),
                new SimpleMeterRegistry()));
        return new TopologyTestDriver(EnrichTopology.build(topics, options), props);
    }

    private TopologyTestDriver aggregateDriver(Topics topics) {
        return AggregateTestDriver.start(
                topics,
                dir.resolve("aggregate"),
                MetricDefinitions.parse(DEFINITIONS, "test"),
                GRACE,
                LatenessHorizons.defaults());
    }
}
