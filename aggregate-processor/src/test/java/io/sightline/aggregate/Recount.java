package io.sightline.aggregate;

import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.TrackedEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Input events for the aggregate processor's exactly-once tests, and the metrics they
 * must produce, recomputed independently of the processor: {@code event_count} per
 * event name and {@code active_users}, per minute, keyed by {@link #id}.
 */
final class Recount {

    static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    static final List<String> NAMES = List.of("Signed Up", "Clicked", "Viewed");

    private Recount() {}

    /** Event {@code i}: one every 97 ms from {@link #T0}, by 37 users in turn, names in turn. */
    static EnrichedEvent event(int i) {
        Instant at = T0.plusMillis(i * 97L);
        String user = "user-" + (i % 37);
        TrackedEvent event = TrackedEvent.newBuilder()
                .setMessageId("m-" + i)
                .setType(EventType.track)
                .setSource("web")
                .setEvent(NAMES.get(i % NAMES.size()))
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

    /** A published window update's identity: series key and window start. */
    static String id(ConsumerRecord<String, MetricWindow> r) {
        return r.key() + "@" + r.value().getWindowStart().toEpochMilli();
    }

    /** What the metrics must be: counts per name and distinct users, per minute. */
    static Map<String, Double> recompute(List<EnrichedEvent> input) {
        Map<String, Double> values = new TreeMap<>();
        Map<String, Set<String>> users = new HashMap<>();
        for (EnrichedEvent e : input) {
            long time = e.getEvent().getTimestamp().toEpochMilli();
            long start = time - Math.floorMod(time, 60_000L);
            values.merge(
                    SeriesKey.of("event_count", Map.of("event", e.getEvent().getEvent())) + "@" + start,
                    1.0,
                    Double::sum);
            users.computeIfAbsent(SeriesKey.of("active_users", Map.of()) + "@" + start, k -> new HashSet<>())
                    .add(e.getUserKey());
        }
        users.forEach((k, v) -> values.put(k, (double) v.size()));
        return values;
    }
}
