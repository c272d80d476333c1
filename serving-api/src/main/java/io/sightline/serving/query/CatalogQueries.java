package io.sightline.serving.query;

import com.fasterxml.jackson.databind.JavaType;
import io.sightline.common.http.Json;
import io.sightline.schemas.avro.MetricCatalogEntry;
import io.sightline.serving.topology.ServingTopology;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The metric catalog: every metric the pipeline has produced, with its dimensions and
 * window sizes, merged from all replicas (each holds the metrics of its partitions).
 * Cached briefly, since every metric query checks the metric exists.
 */
public final class CatalogQueries {

    /** One metric as {@code GET /v1/metrics} lists it. */
    public record MetricInfo(String name, List<String> dimensions, List<String> windows, Instant updatedAt) {
    }

    /** The answer of {@code GET /v1/metrics}. */
    public record Catalog(List<MetricInfo> metrics) {
    }

    private static final JavaType CATALOG = Json.MAPPER.constructType(Catalog.class);
    private static final Duration CACHE_FOR = Duration.ofSeconds(5);

    private final StoreRouter router;
    private final ReplicaClient replicas;
    private volatile Catalog cached;
    private volatile long cachedAtNanos;

    public CatalogQueries(StoreRouter router, ReplicaClient replicas) {
        this.router = router;
        this.replicas = replicas;
    }

    public Catalog all(boolean local) {
        if (local) {
            return localCatalog();
        }
        Catalog current = cached;
        if (current != null && System.nanoTime() - cachedAtNanos < CACHE_FOR.toNanos()) {
            return current;
        }
        List<Catalog> parts = router.everywhere(ServingTopology.CATALOG_STORE, this::localCatalog,
                host -> replicas.get(host, "/v1/metrics", Map.of(), CATALOG));
        Map<String, MetricInfo> merged = new TreeMap<>();
        for (Catalog part : parts) {
            for (MetricInfo m : part.metrics()) {
                merged.merge(m.name(), m, CatalogQueries::merge);
            }
        }
        Catalog fresh = new Catalog(new ArrayList<>(merged.values()));
        // Only a non-empty catalog is cached, so the first metrics show at once.
        if (!fresh.metrics().isEmpty()) {
            cached = fresh;
            cachedAtNanos = System.nanoTime();
        }
        return fresh;
    }

    /** The dimension names of {@code metric}, or empty when no such metric exists. */
    public Optional<Set<String>> dimensionsOf(String metric) {
        for (int attempt = 0; attempt < 2; attempt++) {
            Optional<Set<String>> found = all(false).metrics().stream()
                    .filter(m -> m.name().equals(metric)).findFirst()
                    .map(m -> (Set<String>) new TreeSet<>(m.dimensions()));
            if (found.isPresent() || attempt == 1) {
                return found;
            }
            cached = null; // a metric new since the catalog was cached
        }
        return Optional.empty();
    }

    private Catalog localCatalog() {
        ReadOnlyKeyValueStore<String, MetricCatalogEntry> store = router.activeStore(ServingTopology.CATALOG_STORE,
                QueryableStoreTypes.keyValueStore());
        Map<String, MetricInfo> byName = new TreeMap<>();
        try (KeyValueIterator<String, MetricCatalogEntry> it = store.all()) {
            it.forEachRemaining(kv -> {
                MetricInfo info = info(kv.value);
                byName.merge(info.name(), info, CatalogQueries::merge);
            });
        }
        return new Catalog(new ArrayList<>(byName.values()));
    }

    /** Hourly series ({@code event_count.1h}) are listed as a window of their base metric. */
    private static MetricInfo info(MetricCatalogEntry e) {
        Map.Entry<String, java.time.Duration> base = ServingTopology.baseMetric(e.getMetric());
        return new MetricInfo(base.getKey(), List.copyOf(e.getDimensions()), List.of(base.getValue().toString()), e.getUpdatedAt());
    }

    /** The window sizes {@code metric} has, smallest first; empty when no such metric exists. */
    public List<java.time.Duration> windowsOf(String metric) {
        return all(false).metrics().stream().filter(m -> m.name().equals(metric)).findFirst()
                .map(m -> m.windows().stream().map(java.time.Duration::parse).sorted().toList())
                .orElse(List.of());
    }

    private static MetricInfo merge(MetricInfo a, MetricInfo b) {
        TreeSet<String> dims = new TreeSet<>(a.dimensions());
        dims.addAll(b.dimensions());
        TreeSet<String> windows = new TreeSet<>(a.windows());
        windows.addAll(b.windows());
        Instant updated = a.updatedAt().isAfter(b.updatedAt()) ? a.updatedAt() : b.updatedAt();
        return new MetricInfo(a.name(), List.copyOf(dims), List.copyOf(windows), updated);
    }
}
