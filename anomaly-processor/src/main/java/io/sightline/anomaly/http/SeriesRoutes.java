package io.sightline.anomaly.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.sightline.anomaly.topology.AnomalyTopology;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.DimensionFilter;
import io.sightline.common.http.HttpService;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.AlertState;
import io.sightline.schemas.avro.SeriesHistory;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code GET /v1/series?metric=<name>&<dimension>=<value>...}: what this instance knows
 * about one series (learning or not, windows of history, latest evaluation, open
 * alerts). Answers from this instance's stores only; 404 when another instance (or
 * none) holds the series.
 */
public final class SeriesRoutes {

    private final KafkaStreams streams;

    public SeriesRoutes(KafkaStreams streams) {
        this.streams = streams;
    }

    public void addTo(JavalinConfig config) {
        config.routes.get("/v1/series", this::series);
    }

    /** The answer. */
    public record SeriesView(
            String series,
            boolean learning,
            int windows,
            Instant lastWindowStart,
            Map<String, Object> latest,
            Map<String, Instant> firingSince) {}

    private void series(Context ctx) {
        String metric = ctx.queryParam("metric");
        if (metric == null || metric.isBlank()) {
            throw ApiException.badRequest(
                    "missing_parameter", "query parameter 'metric' is required (plus one parameter per dimension)");
        }
        String key =
                SeriesKey.of(metric, DimensionFilter.of(ctx, Set.of("metric"))).toString();
        // A store that is not queryable (rebalancing, restoring) is answered 503 with Retry-After by HttpService.
        ReadOnlyKeyValueStore<String, SeriesHistory> store = streams.store(StoreQueryParameters.fromNameAndType(
                AnomalyTopology.HISTORY_STORE, QueryableStoreTypes.keyValueStore()));
        SeriesHistory h = store.get(key);
        if (h == null) {
            throw new ApiException(
                    404, "not_found", "No baseline for " + key + " on this instance", List.of(), Map.of());
        }
        Map<String, Object> latest = new LinkedHashMap<>();
        if (h.getLatest() != null) {
            latest.put("windowStart", Instant.ofEpochMilli(h.getLatest().getWindowStart()));
            latest.put("observed", h.getLatest().getObserved());
            latest.put("expected", h.getLatest().getExpected());
            latest.put("score", h.getLatest().getScore());
            latest.put("deviating", h.getLatest().getDeviating());
        }
        Map<String, Instant> firing = new TreeMap<>();
        for (Map.Entry<String, AlertState> a : h.getAlerts().entrySet()) {
            if (a.getValue().getFiringSince() != null) {
                firing.put(a.getKey(), Instant.ofEpochMilli(a.getValue().getFiringSince()));
            }
        }
        List<Long> starts = h.getWindowStarts();
        HttpService.json(
                ctx,
                200,
                new SeriesView(
                        key,
                        h.getLatest() == null || h.getLatest().getLearning(),
                        starts.size(),
                        starts.isEmpty() ? null : Instant.ofEpochMilli(starts.get(starts.size() - 1)),
                        latest,
                        firing));
    }
}
