package io.sightline.serving.query;

import com.fasterxml.jackson.databind.JavaType;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.Json;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.serving.topology.ServingSettings;
import io.sightline.serving.topology.ServingTopology;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Answers metric queries from the window stores of whichever replica holds the data.
 * A filter that names every dimension of the metric is one series: routed to its
 * owner with {@code queryMetadataForKey}. Anything else scans every replica's active
 * stores and merges; {@code groupBy} then sums the series per value of one dimension
 * and keeps the top N by total.
 */
public final class MetricQueries {

    private static final JavaType METRIC_SERIES = Json.MAPPER.constructType(MetricSeries.class);

    /** A metric query after parameter validation. */
    public record Query(
            String metric,
            Map<String, String> filter,
            Instant from,
            Instant to,
            java.time.Duration window,
            String groupBy,
            int top) {

        String store() {
            return ServingTopology.metricStore(window);
        }

        /** The name the aggregator gives this metric's series in this window size. */
        String seriesMetric() {
            return ServingTopology.seriesMetric(metric, window);
        }

        Query withWindow(java.time.Duration size) {
            return new Query(metric, filter, from, to, size, groupBy, top);
        }

        Query from(Instant start) {
            return new Query(metric, filter, start, to, window, groupBy, top);
        }
    }

    private final StoreRouter router;
    private final CatalogQueries catalog;
    private final ReplicaClient replicas;
    private final ServingSettings retention;

    public MetricQueries(
            StoreRouter router, CatalogQueries catalog, ReplicaClient replicas, ServingSettings retention) {
        this.router = router;
        this.catalog = catalog;
        this.replicas = replicas;
        this.retention = retention;
    }

    /** Answers {@code q}; without a window it uses the metric's smallest one. */
    public MetricSeries query(Query asked, boolean local) {
        List<java.time.Duration> windows =
                asked.window() == null ? catalog.windowsOf(asked.metric()) : List.of(asked.window());
        Query q = asked.withWindow(windows.isEmpty() ? ServingTopology.DEFAULT_WINDOW : windows.get(0));
        if (local) {
            // A forwarded request: answer from this replica's stores only.
            if (!q.filter().containsKey(SINGLE_SERIES_MARKER)) {
                return localScan(q);
            }
            Map<String, String> dims = new TreeMap<>(q.filter());
            dims.remove(SINGLE_SERIES_MARKER);
            return router.localForKey(
                    q.store(),
                    SeriesKey.of(q.seriesMetric(), dims).toString(),
                    QueryableStoreTypes.<String, MetricWindow>windowStore(),
                    ls -> localSeries(q, ls.store(), ls.stale(), ls.offsetLag()));
        }
        // The warm tier: a range older than the window size's retention is not answered with silence.
        Instant horizon = retention.horizon(q.window(), Instant.now());
        if (q.to().isBefore(horizon)) {
            throw beyondRetention(q, horizon);
        }
        if (q.from().isBefore(horizon)) {
            return answer(q.from(horizon))
                    .withHorizon(new MetricSeries.Horizon(
                            q.window().toString(),
                            retention.retention(q.window()).toString(),
                            horizon));
        }
        return answer(q);
    }

    /** Answers {@code q} from every replica that holds its data. */
    private MetricSeries answer(Query q) {
        Set<String> dimensions = dimensionsOf(q.metric());
        for (String name : q.filter().keySet()) {
            if (!dimensions.contains(name)) {
                throw new ApiException(
                        400,
                        "unknown_dimension",
                        "'" + name + "' is neither a parameter nor a dimension of " + q.metric() + " (dimensions: "
                                + dimensions + ")",
                        List.of(Map.of("parameter", name)),
                        Map.of());
            }
        }
        if (q.groupBy() != null) {
            requireGroupBy(q.metric(), q.groupBy());
        }
        MetricSeries answer;
        if (q.groupBy() == null && !q.filter().isEmpty() && q.filter().keySet().equals(dimensions)) {
            answer = pointLookup(q);
        } else {
            List<MetricSeries> parts = router.everywhere(
                    q.store(),
                    () -> localScan(q),
                    host -> replicas.get(host, path(q.metric()), forwardedParams(q, false), METRIC_SERIES));
            List<MetricSeries.Series> all = new ArrayList<>();
            parts.forEach(p -> all.addAll(p.series()));
            all.sort(Comparator.comparing(s -> s.dimensions().toString()));
            Freshness freshness =
                    Freshness.merge(parts.stream().map(MetricSeries::freshness).toList());
            answer = new MetricSeries(q.metric(), q.window().toString(), all, freshness.stale(), freshness);
        }
        return q.groupBy() == null ? answer : grouped(answer, q.groupBy(), q.top());
    }

    /** 400 for a range wholly older than the window size's retention, naming the sizes kept longer. */
    private ApiException beyondRetention(Query q, Instant horizon) {
        List<String> longer = ServingTopology.WINDOW_SIZES.stream()
                .filter(size -> retention.horizon(size, Instant.now()).isBefore(q.to()))
                .map(size ->
                        "window=" + size + " (kept " + retention.retention(size).toDays() + " days)")
                .toList();
        return new ApiException(
                400,
                "beyond_retention",
                "Windows of " + q.window() + " are kept "
                        + retention.retention(q.window()).toDays()
                        + " days (SIGHTLINE_METRICS_RETENTION_"
                        + ServingTopology.label(q.window()).toUpperCase(Locale.ROOT)
                        + "_MS): the oldest starts at " + horizon + ", and this range ends at " + q.to()
                        + (longer.isEmpty() ? "" : "; ask " + String.join(" or ", longer)),
                List.of(Map.of("parameter", "to", "horizon", horizon.toString())),
                Map.of());
    }

    /** The dimensions of {@code metric}; 404 when there is no such metric. */
    private Set<String> dimensionsOf(String metric) {
        return catalog.dimensionsOf(metric)
                .orElseThrow(() -> new ApiException(
                        404, "unknown_metric", "No metric named '" + metric + "'; GET /v1/metrics lists the metrics"));
    }

    /** 400 naming the {@code groupBy} parameter unless it is a dimension of {@code metric}. */
    public void requireGroupBy(String metric, String groupBy) {
        Set<String> dimensions = dimensionsOf(metric);
        if (!dimensions.contains(groupBy)) {
            throw new ApiException(
                    400,
                    "unknown_dimension",
                    "groupBy '" + groupBy + "' is not a dimension of " + metric + " (dimensions: " + dimensions + ")",
                    List.of(Map.of("parameter", "groupBy")),
                    Map.of());
        }
    }

    private MetricSeries pointLookup(Query q) {
        String key = SeriesKey.of(q.seriesMetric(), q.filter()).toString();
        return router.forKey(
                q.store(),
                key,
                QueryableStoreTypes.<String, MetricWindow>windowStore(),
                local -> localSeries(q, local.store(), local.stale(), local.offsetLag()),
                host -> replicas.get(host, path(q.metric()), forwardedParams(q, true), METRIC_SERIES));
    }

    /** Marks a forwarded request as a single-series lookup (the other replica does not need the catalog). */
    private static final String SINGLE_SERIES_MARKER = "__series";

    private static Map<String, String> forwardedParams(Query q, boolean singleSeries) {
        Map<String, String> params = new LinkedHashMap<>(q.filter());
        params.put("from", q.from().toString());
        params.put("to", q.to().toString());
        params.put("window", q.window().toString());
        if (singleSeries) {
            params.put(SINGLE_SERIES_MARKER, "true");
        }
        return params;
    }

    private static String path(String metric) {
        return "/v1/metrics/"
                + URLEncoder.encode(metric, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private MetricSeries localSeries(
            Query q, ReadOnlyWindowStore<String, MetricWindow> store, boolean stale, long offsetLag) {
        Map<String, String> dims = new TreeMap<>(q.filter());
        dims.remove(SINGLE_SERIES_MARKER);
        List<MetricSeries.Point> points = new ArrayList<>();
        Instant newestEnd = null;
        Instant updated = null;
        try (WindowStoreIterator<MetricWindow> it =
                store.fetch(SeriesKey.of(q.seriesMetric(), dims).toString(), q.from(), q.to())) {
            while (it.hasNext()) {
                MetricWindow w = it.next().value;
                points.add(point(w));
                newestEnd = later(newestEnd, w.getWindowEnd());
                updated = later(updated, w.getUpdatedAt());
            }
        }
        List<MetricSeries.Series> series =
                points.isEmpty() ? List.of() : List.of(new MetricSeries.Series(dims, points));
        return new MetricSeries(
                q.metric(), q.window().toString(), series, stale, Freshness.of(newestEnd, updated, stale, offsetLag));
    }

    private MetricSeries localScan(Query q) {
        ReadOnlyWindowStore<String, MetricWindow> store =
                router.activeStore(q.store(), QueryableStoreTypes.windowStore());
        Map<String, MetricSeries.Series> byKey = new TreeMap<>();
        Instant newestEnd = null;
        Instant updated = null;
        try (KeyValueIterator<Windowed<String>, MetricWindow> it = store.fetchAll(q.from(), q.to())) {
            while (it.hasNext()) {
                KeyValue<Windowed<String>, MetricWindow> kv = it.next();
                MetricWindow w = kv.value;
                if (!w.getMetric().equals(q.seriesMetric()) || !matches(w.getDimensions(), q.filter())) {
                    continue;
                }
                byKey.computeIfAbsent(
                                kv.key.key(),
                                k -> new MetricSeries.Series(new TreeMap<>(w.getDimensions()), new ArrayList<>()))
                        .points()
                        .add(point(w));
                newestEnd = later(newestEnd, w.getWindowEnd());
                updated = later(updated, w.getUpdatedAt());
            }
        }
        byKey.values().forEach(s -> s.points().sort(Comparator.comparing(MetricSeries.Point::start)));
        return new MetricSeries(
                q.metric(),
                q.window().toString(),
                new ArrayList<>(byKey.values()),
                false,
                Freshness.of(newestEnd, updated, false, 0));
    }

    private static boolean matches(Map<String, String> dimensions, Map<String, String> filter) {
        for (Map.Entry<String, String> f : filter.entrySet()) {
            if (!f.getValue().equals(dimensions.get(f.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Sums series per value of {@code dimension}, window by window, and keeps the {@code top} largest totals. */
    static MetricSeries grouped(MetricSeries answer, String dimension, int top) {
        Map<String, TreeMap<Instant, double[]>> sums = new LinkedHashMap<>();
        Map<Instant, Instant> ends = new TreeMap<>();
        for (MetricSeries.Series s : answer.series()) {
            String group = s.dimensions().getOrDefault(dimension, "(none)");
            TreeMap<Instant, double[]> byStart = sums.computeIfAbsent(group, g -> new TreeMap<>());
            for (MetricSeries.Point p : s.points()) {
                byStart.computeIfAbsent(p.start(), t -> new double[1])[0] +=
                        p.value().doubleValue();
                ends.put(p.start(), p.end());
            }
        }
        List<Map.Entry<String, TreeMap<Instant, double[]>>> ranked = new ArrayList<>(sums.entrySet());
        ranked.sort(Comparator.comparingDouble((Map.Entry<String, TreeMap<Instant, double[]>> e) ->
                        e.getValue().values().stream().mapToDouble(v -> v[0]).sum())
                .reversed()
                .thenComparing(Map.Entry::getKey));
        List<MetricSeries.Series> series = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Instant, double[]>> e : ranked.subList(0, Math.min(top, ranked.size()))) {
            List<MetricSeries.Point> points = new ArrayList<>();
            e.getValue().forEach((start, v) -> points.add(MetricSeries.Point.of(start, ends.get(start), v[0])));
            series.add(new MetricSeries.Series(Map.of(dimension, e.getKey()), points));
        }
        return new MetricSeries(answer.metric(), answer.window(), series, answer.stale(), answer.freshness());
    }

    private static MetricSeries.Point point(MetricWindow w) {
        return MetricSeries.Point.of(w);
    }

    private static Instant later(Instant a, Instant b) {
        return a == null || (b != null && b.isAfter(a)) ? b : a;
    }
}
