package io.sightline.serving.query;

import com.fasterxml.jackson.databind.JavaType;
import io.sightline.common.http.Json;
import io.sightline.serving.topology.ServingTopology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/** Rejected input by component, source and reason over a time range, merged from all replicas. */
public final class QualityQueries {

    /** One kind of reject and how many there were. */
    public record Reject(String component, String source, String reason, long count) {}

    /** The answer of {@code GET /v1/quality}. */
    public record Quality(Instant from, Instant to, long totalRejected, List<Reject> rejects) {}

    /** One group of tracking-plan violations: the values of the grouped fields, and how many. */
    public record ViolationGroup(Map<String, String> fields, long count) {}

    /** The answer of {@code GET /v1/quality/violations}. */
    public record Violations(Instant from, Instant to, List<String> groupBy, long total, List<ViolationGroup> groups) {}

    private static final JavaType QUALITY = Json.MAPPER.constructType(Quality.class);
    private static final JavaType VIOLATIONS = Json.MAPPER.constructType(Violations.class);

    private final StoreRouter router;
    private final ReplicaClient replicas;

    public QualityQueries(StoreRouter router, ReplicaClient replicas) {
        this.router = router;
        this.replicas = replicas;
    }

    public Quality rejects(Instant from, Instant to, boolean local) {
        if (local) {
            return localRejects(from, to);
        }
        Map<String, Long> counts = new TreeMap<>();
        router.everywhere(
                        ServingTopology.DEAD_LETTER_STORE,
                        () -> localRejects(from, to),
                        host -> replicas.<Quality>get(
                                host, "/v1/quality", Map.of("from", from.toString(), "to", to.toString()), QUALITY))
                .forEach(part -> part.rejects()
                        .forEach(r -> counts.merge(
                                r.component() + "|" + r.source() + "|" + r.reason(), r.count(), Long::sum)));
        return answer(from, to, counts);
    }

    private Quality localRejects(Instant from, Instant to) {
        ReadOnlyWindowStore<String, Long> store =
                router.activeStore(ServingTopology.DEAD_LETTER_STORE, QueryableStoreTypes.windowStore());
        Map<String, Long> counts = new TreeMap<>();
        try (KeyValueIterator<Windowed<String>, Long> it = store.fetchAll(from, to)) {
            while (it.hasNext()) {
                KeyValue<Windowed<String>, Long> kv = it.next();
                counts.merge(kv.key.key(), kv.value, Long::sum);
            }
        }
        return answer(from, to, counts);
    }

    /**
     * Violations in a time range, counted by the {@code groupBy} fields (of
     * {@link ServingTopology#VIOLATION_FIELDS}), optionally of one source, largest first.
     */
    public Violations violations(
            Instant from, Instant to, List<String> groupBy, String source, int top, boolean local) {
        if (local) {
            return localViolations(from, to, groupBy, source);
        }
        List<Violations> parts = router.everywhere(
                ServingTopology.VIOLATION_STORE,
                () -> localViolations(from, to, groupBy, source),
                host -> replicas.<Violations>get(
                        host, "/v1/quality/violations", query(from, to, groupBy, source), VIOLATIONS));
        Map<Map<String, String>, Long> counts = new java.util.HashMap<>();
        parts.forEach(part -> part.groups().forEach(g -> counts.merge(g.fields(), g.count(), Long::sum)));
        // A replica answers in full: the top is cut only once all are merged.
        return violations(from, to, groupBy, counts, top);
    }

    private static Violations violations(
            Instant from, Instant to, List<String> groupBy, Map<Map<String, String>, Long> counts, int top) {
        List<ViolationGroup> groups = new ArrayList<>();
        long total = 0;
        for (Map.Entry<Map<String, String>, Long> e : counts.entrySet()) {
            groups.add(new ViolationGroup(e.getKey(), e.getValue()));
            total += e.getValue();
        }
        groups.sort(Comparator.comparingLong(ViolationGroup::count)
                .reversed()
                .thenComparing(g -> g.fields().toString()));
        return new Violations(from, to, groupBy, total, groups.subList(0, Math.min(top, groups.size())));
    }

    private static Map<String, String> query(Instant from, Instant to, List<String> groupBy, String source) {
        Map<String, String> query = new java.util.LinkedHashMap<>(
                Map.of("from", from.toString(), "to", to.toString(), "groupBy", String.join(",", groupBy)));
        if (source != null) {
            query.put("source", source);
        }
        return query;
    }

    private Violations localViolations(Instant from, Instant to, List<String> groupBy, String source) {
        ReadOnlyWindowStore<String, Long> store =
                router.activeStore(ServingTopology.VIOLATION_STORE, QueryableStoreTypes.windowStore());
        Map<Map<String, String>, Long> counts = new java.util.HashMap<>();
        String separator = String.valueOf(ServingTopology.VIOLATION_KEY_SEPARATOR);
        try (KeyValueIterator<Windowed<String>, Long> it = store.fetchAll(from, to)) {
            while (it.hasNext()) {
                KeyValue<Windowed<String>, Long> kv = it.next();
                String[] values = kv.key.key().split(separator, -1);
                if (values.length != ServingTopology.VIOLATION_FIELDS.size()
                        || (source != null && !source.equals(values[0]))) {
                    continue;
                }
                Map<String, String> group = new TreeMap<>();
                for (String field : groupBy) {
                    group.put(field, values[ServingTopology.VIOLATION_FIELDS.indexOf(field)]);
                }
                counts.merge(group, kv.value, Long::sum);
            }
        }
        return violations(from, to, groupBy, counts, Integer.MAX_VALUE);
    }

    private static Quality answer(Instant from, Instant to, Map<String, Long> counts) {
        List<Reject> rejects = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            String[] parts = e.getKey().split("\\|", 3);
            rejects.add(new Reject(
                    parts[0], parts.length > 1 ? parts[1] : "-", parts.length > 2 ? parts[2] : "-", e.getValue()));
            total += e.getValue();
        }
        rejects.sort(Comparator.comparingLong(Reject::count).reversed());
        return new Quality(from, to, total, rejects);
    }
}
