package io.sightline.serving.query;

import com.fasterxml.jackson.databind.JavaType;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.Json;
import io.sightline.schemas.avro.Alert;
import io.sightline.serving.topology.ServingTopology;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Answers alert queries from the alert stores of all replicas, newest first. */
public final class AlertQueries {

    /** The answer of {@code GET /v1/alerts}. */
    public record AlertList(List<AlertView> alerts) {
    }

    private static final JavaType ALERT_LIST = Json.MAPPER.constructType(AlertList.class);

    private final KafkaStreams streams;
    private final HostInfo self;
    private final ReplicaClient replicas;

    public AlertQueries(KafkaStreams streams, HostInfo self, ReplicaClient replicas) {
        this.streams = streams;
        this.self = self;
        this.replicas = replicas;
    }

    public AlertList all(boolean local, String authorization) {
        List<AlertView> alerts = new ArrayList<>();
        if (local) {
            alerts.addAll(localAlerts());
        } else {
            for (StreamsMetadata replica : streams.streamsMetadataForStore(ServingTopology.ALERT_STORE)) {
                if (replica.hostInfo().equals(self)) {
                    alerts.addAll(localAlerts());
                } else {
                    alerts.addAll(replicas.<AlertList>get(replica.hostInfo(), "/v1/alerts", Map.of(), ALERT_LIST, authorization).alerts());
                }
            }
        }
        alerts.sort(Comparator.comparing(AlertView::startsAt).reversed());
        return new AlertList(alerts);
    }

    private List<AlertView> localAlerts() {
        ReadOnlyKeyValueStore<String, Alert> store;
        try {
            store = streams.store(StoreQueryParameters.fromNameAndType(ServingTopology.ALERT_STORE, QueryableStoreTypes.keyValueStore()));
        } catch (InvalidStateStoreException e) {
            throw ApiException.unavailable("Alert store is not queryable right now (" + e.getMessage() + "); retry shortly", 2);
        }
        List<AlertView> alerts = new ArrayList<>();
        try (KeyValueIterator<String, Alert> it = store.all()) {
            it.forEachRemaining(kv -> alerts.add(AlertView.of(kv.value)));
        }
        return alerts;
    }
}
