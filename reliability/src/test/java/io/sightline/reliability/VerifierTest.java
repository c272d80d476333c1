package io.sightline.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.reliability.EventLoad.Outcome;
import io.sightline.reliability.EventLoad.SentEvent;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.MetricWindow;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The verifier must be able to fail: each kind of damage it looks for, made on purpose. */
class VerifierTest {

    private static final long T0 = Instant.parse("2026-12-06T10:00:00Z").toEpochMilli();

    private final List<SentEvent> sent = List.of(
            new SentEvent("rel-0", "Viewed", "user-1", T0 + 1_000, 10, 100),
            new SentEvent("rel-1", "Viewed", "user-2", T0 + 2_000, 20, 200),
            new SentEvent("rel-2", "Clicked", "user-1", T0 + 61_000, 5, 300),
            new SentEvent("rel-3", "Clicked", "user-3", T0 + 62_000, 7, 400));
    private final Map<String, Outcome> outcomes = new HashMap<>(
            Map.of("rel-0", Outcome.ACKED, "rel-1", Outcome.ACKED, "rel-2", Outcome.ACKED, "rel-3", Outcome.AMBIGUOUS));

    @Test
    void shouldPassWhatWasStoredOnceAndCountedRight() {
        Verifier.Verdict v = judge(once("rel-0", "rel-1", "rel-2"), once("rel-0", "rel-1", "rel-2"), published(3));
        assertThat(v.passed()).as(v.examples(5).toString()).isTrue();
        assertThat(v.acked()).isEqualTo(3);
    }

    @Test
    void shouldCountAnAmbiguousEventThatWasStoredAndMustThenBeCountedToo() {
        Verifier.Verdict v =
                judge(once("rel-0", "rel-1", "rel-2", "rel-3"), once("rel-0", "rel-1", "rel-2", "rel-3"), published(3));
        assertThat(v.ambiguousStored()).isEqualTo(1);
        assertThat(v.miscounted())
                .as("rel-3 stored but not in the published windows")
                .isNotEmpty();
        assertThat(judge(
                                once("rel-0", "rel-1", "rel-2", "rel-3"),
                                once("rel-0", "rel-1", "rel-2", "rel-3"),
                                published(4))
                        .passed())
                .isTrue();
    }

    @Test
    void shouldReportAnAcknowledgedEventMissingFromEitherTopicAsLost() {
        assertThat(judge(once("rel-0", "rel-1"), once("rel-0", "rel-1"), published(3))
                        .lost())
                .isEqualTo(1);
        assertThat(judge(once("rel-0", "rel-1", "rel-2"), once("rel-0", "rel-2"), published(3))
                        .lost())
                .isEqualTo(1);
    }

    @Test
    void shouldReportDuplicatesAndTheWindowsTheyMiscount() {
        Map<String, Integer> twice = once("rel-0", "rel-1", "rel-2");
        twice.put("rel-1", 2);
        Map<String, MetricWindow> overcounted = published(3);
        String viewed = Verifier.id("rel_events{event=Viewed}", T0);
        overcounted.put(viewed, window(3));
        Verifier.Verdict v = judge(once("rel-0", "rel-1", "rel-2"), twice, overcounted);
        assertThat(v.enrichedDuplicates()).isEqualTo(1);
        assertThat(v.miscounted()).containsKey(viewed);
        assertThat(v.overcounted()).isEqualTo(1);
        assertThat(v.passed()).isFalse();
    }

    @Test
    void shouldReportAQueryAnsweredAboveTheRecountAndADuplicatedAlert() {
        String viewed = Verifier.id("rel_events{event=Viewed}", T0);
        Verifier.Verdict v = Verifier.judge(
                sent,
                outcomes::get,
                once("rel-0", "rel-1", "rel-2"),
                once("rel-0", "rel-1", "rel-2"),
                published(3),
                Map.of("a/firing/1/1", 2),
                2,
                Map.of(viewed, 3.0));
        assertThat(v.wrongAnswers()).containsKey(viewed);
        assertThat(v.duplicatedAlerts()).isEqualTo(1);
    }

    @Test
    void shouldAcceptAP95WithinItsRankErrorAndNothingFurther() {
        SplittableRandom random = new SplittableRandom(7);
        List<Long> values = LongStream.range(0, 2000)
                .map(i -> random.nextLong(1, 1000))
                .sorted()
                .boxed()
                .toList();
        assertThat(Verifier.p95Error(values, values.get(1900))).isNull();
        assertThat(Verifier.p95Error(values, values.get(1860))).as("rank 0.93").isNull();
        assertThat(Verifier.p95Error(values, values.get(1500))).as("rank 0.75").isNotNull();
        assertThat(Verifier.p95Error(values, values.get(1999)))
                .as("the maximum")
                .isNotNull();
    }

    private Verifier.Verdict judge(
            Map<String, Integer> raw, Map<String, Integer> enriched, Map<String, MetricWindow> published) {
        return Verifier.judge(sent, outcomes::get, raw, enriched, published, Map.of(), 0, Map.of());
    }

    private static Map<String, Integer> once(String... ids) {
        Map<String, Integer> out = new HashMap<>();
        for (String id : ids) {
            out.put(id, 1);
        }
        return out;
    }

    /** What a correct pipeline publishes for the first {@code stored} events. */
    private Map<String, MetricWindow> published(int stored) {
        Map<String, MetricWindow> out = new HashMap<>();
        Verifier.recount(sent.subList(0, stored)).forEach((id, value) -> out.put(id, window(value)));
        Map<Long, List<Long>> latencies = new HashMap<>();
        sent.subList(0, stored)
                .forEach(e -> latencies
                        .computeIfAbsent(
                                e.timestamp() - Math.floorMod(e.timestamp(), 60_000L), k -> new java.util.ArrayList<>())
                        .add(e.latencyMs()));
        latencies.forEach((start, values) -> out.put(
                Verifier.id(SeriesKey.of("rel_latency", Map.of()).toString(), start),
                window(values.stream().mapToLong(Long::longValue).max().orElseThrow())));
        return out;
    }

    private static MetricWindow window(double value) {
        return MetricWindow.newBuilder()
                .setMetric("m")
                .setDimensions(Map.of())
                .setWindowStart(Instant.EPOCH)
                .setWindowEnd(Instant.EPOCH)
                .setValue(value)
                .setUpdatedAt(Instant.EPOCH)
                .setSampleCount(1)
                .setIsFinal(false)
                .build();
    }
}
