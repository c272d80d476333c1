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
    public record Reject(String component, String source, String reason, long count) {
    }

    /** The answer of {@code GET /v1/quality}. */
    public record Quality(Instant from, Instant to, long totalRejected, List<Reject> rejects) {
    }

    private static final JavaType QUALITY = Json.MAPPER.constructType(Quality.class);

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
        router.everywhere(ServingTopology.DEAD_LETTER_STORE, () -> localRejects(from, to),
                host -> replicas.<Quality>get(host, "/v1/quality", Map.of("from", from.toString(), "to", to.toString()), QUALITY))
                .forEach(part -> part.rejects().forEach(r -> counts.merge(r.component() + "|" + r.source() + "|" + r.reason(), r.count(), Long::sum)));
        return answer(from, to, counts);
    }

    private Quality localRejects(Instant from, Instant to) {
        ReadOnlyWindowStore<String, Long> store = router.activeStore(ServingTopology.DEAD_LETTER_STORE, QueryableStoreTypes.windowStore());
        Map<String, Long> counts = new TreeMap<>();
        try (KeyValueIterator<Windowed<String>, Long> it = store.fetchAll(from, to)) {
            while (it.hasNext()) {
                KeyValue<Windowed<String>, Long> kv = it.next();
                counts.merge(kv.key.key(), kv.value, Long::sum);
            }
        }
        return answer(from, to, counts);
    }

    private static Quality answer(Instant from, Instant to, Map<String, Long> counts) {
        List<Reject> rejects = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            String[] parts = e.getKey().split("\\|", 3);
            rejects.add(new Reject(parts[0], parts.length > 1 ? parts[1] : "-", parts.length > 2 ? parts[2] : "-", e.getValue()));
            total += e.getValue();
        }
        rejects.sort(Comparator.comparingLong(Reject::count).reversed());
        return new Quality(from, to, total, rejects);
    }
}
