package io.sightline.reliability;

import io.sightline.reliability.EventLoad.Outcome;
import io.sightline.reliability.EventLoad.SentEvent;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.schemas.registry.RestSchemaRegistryClient;
import io.sightline.schemas.registry.SchemaRegistryClient;
import io.sightline.testkit.TopicReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Checks a run against what was sent, after the load stopped and the pipeline drained,
 * in the manner of Kafka's own EOS and smoke-test verifiers: every result is recounted
 * from the events themselves.
 *
 * <ul>
 *   <li>Every acknowledged event is in {@code events.raw.v1} exactly once, and every event
 *       stored there (acknowledged, or answered ambiguously and stored anyway) is in
 *       {@code events.enriched.v1} exactly once (by {@code messageId}).
 *   <li>The latest value of every metric window equals a recount from the stored events:
 *       counts, sums and unique users exactly, the p95 within twice its stated rank error.
 *   <li>No alert transition is written twice; no query answered more than the recount.
 * </ul>
 */
public final class Verifier {

    /** The p95's rank error is about 1.65 % (KLL, docs/metrics.md): twice that is a wrong number. */
    static final double P95_RANK_TOLERANCE = 0.033;

    /** What the verifier found; {@link #passed()} when nothing is lost, doubled or miscounted. */
    public record Verdict(
            long acked,
            long ambiguousStored,
            long lost,
            long rawDuplicates,
            long enrichedDuplicates,
            long windows,
            Map<String, String> miscounted,
            long overcounted,
            long duplicatedAlerts,
            long alerts,
            Map<String, String> wrongAnswers) {

        public boolean passed() {
            return lost == 0
                    && rawDuplicates == 0
                    && enrichedDuplicates == 0
                    && miscounted.isEmpty()
                    && duplicatedAlerts == 0
                    && wrongAnswers.isEmpty();
        }

        /** Up to {@code n} examples of what is wrong, for the report. */
        public List<String> examples(int n) {
            List<String> out = new ArrayList<>();
            miscounted.entrySet().stream().limit(n).forEach(e -> out.add("window " + e.getKey() + ": " + e.getValue()));
            wrongAnswers.entrySet().stream()
                    .limit(n)
                    .forEach(e -> out.add("query " + e.getKey() + ": " + e.getValue()));
            return out;
        }
    }

    private final String bootstrapServers;
    private final SchemaRegistryClient registry;

    public Verifier(String bootstrapServers, String registryUrl) {
        this.bootstrapServers = bootstrapServers;
        this.registry = new RestSchemaRegistryClient(registryUrl);
    }

    /** Reads the topics to their ends and judges them against {@code load} and what {@code queries} answered. */
    public Verdict verify(EventLoad load, Map<String, Double> largestAnswered) {
        Map<String, Integer> raw = new HashMap<>();
        read(Topics.EVENTS_RAW, TrackedEvent.class)
                .forEach(r -> raw.merge(r.value().getMessageId(), 1, Integer::sum));
        Map<String, Integer> enriched = new HashMap<>();
        read(Topics.EVENTS_ENRICHED, EnrichedEvent.class)
                .forEach(r -> enriched.merge(r.value().getEvent().getMessageId(), 1, Integer::sum));
        Map<String, MetricWindow> published = new HashMap<>();
        read(Topics.METRICS_WINDOWED, MetricWindow.class).forEach(r -> {
            if (r.key().startsWith("rel_")) {
                published.put(id(r.key(), r.value().getWindowStart().toEpochMilli()), r.value());
            }
        });
        Map<String, Integer> transitions = new HashMap<>();
        List<ConsumerRecord<String, Alert>> alerts = read(Topics.ALERTS, Alert.class);
        alerts.forEach(r -> transitions.merge(
                r.value().getFingerprint() + "/" + r.value().getStatus() + "/"
                        + r.value().getWindowStart() + "/" + r.value().getStartsAt(),
                1,
                Integer::sum));
        return judge(load.sent(), load::outcome, raw, enriched, published, transitions, alerts.size(), largestAnswered);
    }

    /** The judgement itself, on what was read: separate so that it can be shown to fail. */
    static Verdict judge(
            Collection<SentEvent> sent,
            java.util.function.Function<String, Outcome> outcome,
            Map<String, Integer> raw,
            Map<String, Integer> enriched,
            Map<String, MetricWindow> published,
            Map<String, Integer> alertTransitions,
            long alerts,
            Map<String, Double> largestAnswered) {
        long acked = 0;
        long ambiguousStored = 0;
        long lost = 0;
        List<SentEvent> stored = new ArrayList<>();
        for (SentEvent e : sent) {
            Outcome o = outcome.apply(e.messageId());
            boolean inRaw = raw.containsKey(e.messageId());
            if (o == Outcome.ACKED) {
                acked++;
            } else if (o == Outcome.AMBIGUOUS && inRaw) {
                ambiguousStored++;
            }
            if (o == Outcome.ACKED || inRaw) {
                stored.add(e);
                if (!inRaw || !enriched.containsKey(e.messageId())) {
                    lost++;
                }
            }
        }
        long rawDuplicates = duplicates(raw);
        long enrichedDuplicates = duplicates(enriched);

        Map<String, Double> expected = recount(stored);
        Map<String, List<Long>> latencies = latencies(stored);
        Map<String, String> miscounted = new TreeMap<>();
        long overcounted = 0;
        for (Map.Entry<String, Double> e : expected.entrySet()) {
            MetricWindow w = published.get(e.getKey());
            if (w == null) {
                miscounted.put(e.getKey(), "expected " + e.getValue() + ", never published");
            } else if (w.getValue() != e.getValue()) {
                miscounted.put(e.getKey(), "expected " + e.getValue() + ", published " + w.getValue());
                overcounted += w.getValue() > e.getValue() ? 1 : 0;
            }
        }
        latencies.forEach((window, values) -> {
            MetricWindow w = published.get(window);
            String wrong = w == null ? "never published" : p95Error(values, w.getValue());
            if (wrong != null) {
                miscounted.put(window, wrong);
            }
        });
        published.keySet().stream()
                .filter(window -> !expected.containsKey(window) && !latencies.containsKey(window))
                .forEach(window -> miscounted.put(window, "published, but no stored event falls in it"));

        Map<String, String> wrongAnswers = new TreeMap<>();
        largestAnswered.forEach((window, value) -> {
            double truth = expected.getOrDefault(window, 0.0);
            if (value > truth) {
                wrongAnswers.put(window, "answered " + value + ", recount " + truth);
            }
        });
        return new Verdict(
                acked,
                ambiguousStored,
                lost,
                rawDuplicates,
                enrichedDuplicates,
                expected.size() + latencies.size(),
                miscounted,
                overcounted,
                duplicates(alertTransitions),
                alerts,
                wrongAnswers);
    }

    /** Copies beyond the first, summed over ids. */
    private static long duplicates(Map<String, Integer> copies) {
        return copies.values().stream().mapToLong(c -> c - 1L).sum();
    }

    /** {@code rel_events} and {@code rel_amount} per event name, {@code rel_users}, per minute of event time. */
    static Map<String, Double> recount(Collection<SentEvent> stored) {
        Map<String, Double> values = new HashMap<>();
        Map<String, Set<String>> users = new HashMap<>();
        for (SentEvent e : stored) {
            long start = minute(e.timestamp());
            Map<String, String> byName = Map.of("event", e.event());
            values.merge(id(SeriesKey.of("rel_events", byName).toString(), start), 1.0, Double::sum);
            values.merge(id(SeriesKey.of("rel_amount", byName).toString(), start), (double) e.amount(), Double::sum);
            users.computeIfAbsent(id(SeriesKey.of("rel_users", Map.of()).toString(), start), k -> new HashSet<>())
                    .add(e.userId());
        }
        users.forEach((window, ids) -> values.put(window, (double) ids.size()));
        return values;
    }

    private static Map<String, List<Long>> latencies(Collection<SentEvent> stored) {
        Map<String, List<Long>> out = new HashMap<>();
        for (SentEvent e : stored) {
            out.computeIfAbsent(
                            id(SeriesKey.of("rel_latency", Map.of()).toString(), minute(e.timestamp())),
                            k -> new ArrayList<>())
                    .add(e.latencyMs());
        }
        return out;
    }

    /** Null when {@code published} is the p95 of {@code values} within the tolerance; otherwise why not. */
    static String p95Error(List<Long> values, double published) {
        long below = values.stream().filter(v -> v < published).count();
        long atOrBelow = values.stream().filter(v -> v <= published).count();
        double n = values.size();
        // The rank of the published value lies between these two; granularity 1/n for small windows.
        double tolerance = Math.max(P95_RANK_TOLERANCE, 1.5 / n);
        if (below / n <= 0.95 + tolerance && atOrBelow / n >= 0.95 - tolerance) {
            return null;
        }
        return String.format(
                java.util.Locale.ROOT,
                "p95 %.1f has rank %.3f-%.3f among %d values, more than %.3f from 0.95",
                published,
                below / n,
                atOrBelow / n,
                values.size(),
                tolerance);
    }

    private static long minute(long millis) {
        return millis - Math.floorMod(millis, 60_000L);
    }

    static String id(String seriesKey, long windowStart) {
        return seriesKey + "@" + windowStart;
    }

    private <V extends SpecificRecord> List<ConsumerRecord<String, V>> read(String topic, Class<V> type) {
        try (TopicReader<V> reader = new TopicReader<>(bootstrapServers, registry, topic, type)) {
            return reader.readToEnd(Duration.ofMinutes(2));
        }
    }
}
