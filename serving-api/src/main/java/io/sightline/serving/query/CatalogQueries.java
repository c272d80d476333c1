package io.sightline.serving.query;

import com.fasterxml.jackson.databind.JavaType;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.Json;
import io.sightline.schemas.avro.MetricCatalogEntry;
import io.sightline.serving.topology.ServingTopology;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metric catalog: every metric the pipeline has produced, with its dimensions and
 * window sizes, merged from all replicas (each holds the metrics of its partitions).
 * Cached briefly, since every metric query checks the metric exists.
 */
public final class CatalogQueries {

    private static final Logger log = LoggerFactory.getLogger(CatalogQueries.class);

    /** One metric as {@code GET /v1/metrics} lists it. */
    public record MetricInfo(String name, List<String> dimensions, List<String> windows, Instant updatedAt) {}

    /** The answer of {@code GET /v1/metrics}. */
    public record Catalog(List<MetricInfo> metrics) {}

    private static final JavaType CATALOG = Json.MAPPER.constructType(Catalog.class);
    private static final Duration CACHE_FOR = Duration.ofSeconds(5);
    private static final Duration RECHECK_AFTER = Duration.ofSeconds(1);

    /** What a metric query needs to know of a metric, parsed once per catalog refresh rather than per query. */
    private record Known(Set<String> dimensions, List<Duration> windows) {}

    /** A merged catalog and its lookup index, as cached. */
    private record Snapshot(Catalog catalog, Map<String, Known> byName, long takenAtNanos) {}

    private final StoreRouter router;
    private final ReplicaClient replicas;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile Snapshot cached;

    public CatalogQueries(StoreRouter router, ReplicaClient replicas) {
        this.router = router;
        this.replicas = replicas;
    }

    public Catalog all(boolean local) {
        return local ? localCatalog() : snapshot().catalog();
    }

    /**
     * The cached catalog; once it is older than {@link #CACHE_FOR} one caller refreshes it
     * while the others keep using it, so an expiry does not send every concurrent query
     * to every replica at once.
     */
    private Snapshot snapshot() {
        Snapshot current = cached;
        if (current == null) {
            return refresh();
        }
        if (System.nanoTime() - current.takenAtNanos() >= CACHE_FOR.toNanos()
                && refreshing.compareAndSet(false, true)) {
            try {
                return refresh();
            } catch (ApiException e) {
                log.debug("Catalog refresh failed, answering from the cached catalog: {}", e.getMessage());
                return current;
            } finally {
                refreshing.set(false);
            }
        }
        return current;
    }

    private Snapshot refresh() {
        List<Catalog> parts = router.everywhere(
                ServingTopology.CATALOG_STORE,
                this::localCatalog,
                host -> replicas.get(host, "/v1/metrics", Map.of(), CATALOG));
        Map<String, MetricInfo> merged = new TreeMap<>();
        for (Catalog part : parts) {
            for (MetricInfo m : part.metrics()) {
                merged.merge(m.name(), m, CatalogQueries::merge);
            }
        }
        Map<String, Known> byName = new HashMap<>();
        merged.forEach((name, m) -> byName.put(
                name,
                new Known(
                        Collections.unmodifiableSortedSet(new TreeSet<>(m.dimensions())),
                        m.windows().stream().map(Duration::parse).sorted().toList())));
        Snapshot fresh =
                new Snapshot(new Catalog(new ArrayList<>(merged.values())), Map.copyOf(byName), System.nanoTime());
        // Only a non-empty catalog is cached, so the first metrics show at once.
        if (!byName.isEmpty()) {
            cached = fresh;
        }
        return fresh;
    }

    /** The dimension names of {@code metric}, or empty when no such metric exists. */
    public Optional<Set<String>> dimensionsOf(String metric) {
        return known(metric).map(Known::dimensions);
    }

    /** The window sizes {@code metric} has, smallest first; empty when no such metric exists. */
    public List<Duration> windowsOf(String metric) {
        return known(metric).map(Known::windows).orElse(List.of());
    }

    private Optional<Known> known(String metric) {
        Snapshot snapshot = snapshot();
        Known known = snapshot.byName().get(metric);
        if (known == null && System.nanoTime() - snapshot.takenAtNanos() >= RECHECK_AFTER.toNanos()) {
            // Perhaps a metric new since the catalog was cached: look once more, now (at most
            // once a second, so queries for a metric that does not exist cannot flood the replicas).
            known = refresh().byName().get(metric);
        }
        return Optional.ofNullable(known);
    }

    private Catalog localCatalog() {
        ReadOnlyKeyValueStore<String, MetricCatalogEntry> store =
                router.activeStore(ServingTopology.CATALOG_STORE, QueryableStoreTypes.keyValueStore());
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
        return new MetricInfo(
                base.getKey(),
                List.copyOf(e.getDimensions()),
                List.of(base.getValue().toString()),
                e.getUpdatedAt());
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
