package io.sightline.serving.query;

import io.sightline.common.http.ApiException;
import io.sightline.common.http.Json;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.serving.topology.ServingTopology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Answers metric queries from the window stores of whichever replica holds the data:
 * one series by key (routed with {@code queryMetadataForKey}), or every series of a
 * metric (fanned out to all replicas and merged).
 */
public final class MetricQueries {

    private final KafkaStreams streams;
    private final HostInfo self;
    private final ReplicaClient replicas;

    public MetricQueries(KafkaStreams streams, HostInfo self, ReplicaClient replicas) {
        this.streams = streams;
        this.self = self;
        this.replicas = replicas;
    }

    /**
     * @param dimensions exact dimension values of one series, or empty for all series of the metric
     * @param local      answer from this replica's stores only (a forwarded request)
     */
    public MetricSeries query(String metric, Map<String, String> dimensions, Instant from, Instant to, boolean local,
                              String authorization) {
        if (local) {
            return answer(metric, dimensions.isEmpty() ? localScan(metric, from, to) : localSeries(metric, dimensions, from, to));
        }
        Map<String, String> forwarded = new LinkedHashMap<>(dimensions);
        forwarded.put("from", from.toString());
        forwarded.put("to", to.toString());
        String path = "/v1/metrics/" + java.net.URLEncoder.encode(metric, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        if (!dimensions.isEmpty()) {
            String key = SeriesKey.of(metric, dimensions).toString();
            KeyQueryMetadata owner = streams.queryMetadataForKey(ServingTopology.METRIC_STORE, key, Serdes.String().serializer());
            if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
                throw ApiException.unavailable("Metric stores are not available yet (rebalancing or restoring); retry shortly", 2);
            }
            if (owner.activeHost().equals(self)) {
                return answer(metric, localSeries(metric, dimensions, from, to));
            }
            return replicas.get(owner.activeHost(), path, forwarded, Json.MAPPER.constructType(MetricSeries.class), authorization);
        }
        List<MetricSeries.Series> all = new ArrayList<>();
        for (StreamsMetadata replica : streams.streamsMetadataForStore(ServingTopology.METRIC_STORE)) {
            if (replica.hostInfo().equals(self)) {
                all.addAll(localScan(metric, from, to));
            } else {
                all.addAll(replicas.<MetricSeries>get(replica.hostInfo(), path, forwarded,
                        Json.MAPPER.constructType(MetricSeries.class), authorization).series());
            }
        }
        return answer(metric, all);
    }

    private static MetricSeries answer(String metric, List<MetricSeries.Series> series) {
        return new MetricSeries(metric, ServingTopology.WINDOW_SIZE.toString(), series);
    }

    private List<MetricSeries.Series> localSeries(String metric, Map<String, String> dimensions, Instant from, Instant to) {
        List<MetricSeries.Point> points = new ArrayList<>();
        try (WindowStoreIterator<MetricWindow> it = store().fetch(SeriesKey.of(metric, dimensions).toString(), from, to)) {
            it.forEachRemaining(kv -> points.add(point(kv.value)));
        }
        return points.isEmpty() ? List.of() : List.of(new MetricSeries.Series(new TreeMap<>(dimensions), points));
    }

    private List<MetricSeries.Series> localScan(String metric, Instant from, Instant to) {
        Map<String, MetricSeries.Series> byKey = new TreeMap<>();
        try (KeyValueIterator<Windowed<String>, MetricWindow> it = store().fetchAll(from, to)) {
            while (it.hasNext()) {
                KeyValue<Windowed<String>, MetricWindow> kv = it.next();
                if (!kv.value.getMetric().equals(metric)) {
                    continue;
                }
                byKey.computeIfAbsent(kv.key.key(), k -> new MetricSeries.Series(new TreeMap<>(kv.value.getDimensions()), new ArrayList<>()))
                        .points().add(point(kv.value));
            }
        }
        byKey.values().forEach(s -> s.points().sort((a, b) -> a.start().compareTo(b.start())));
        return new ArrayList<>(byKey.values());
    }

    private static MetricSeries.Point point(MetricWindow w) {
        return MetricSeries.Point.of(w.getWindowStart(), w.getWindowEnd(), w.getValue());
    }

    private ReadOnlyWindowStore<String, MetricWindow> store() {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(ServingTopology.METRIC_STORE, QueryableStoreTypes.windowStore()));
        } catch (InvalidStateStoreException e) {
            throw ApiException.unavailable("Metric store is not queryable right now (" + e.getMessage() + "); retry shortly", 2);
        }
    }
}
