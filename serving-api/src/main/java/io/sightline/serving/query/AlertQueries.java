package io.sightline.serving.query;

import com.fasterxml.jackson.databind.JavaType;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.Json;
import io.sightline.schemas.avro.Alert;
import io.sightline.serving.topology.ServingTopology;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Answers alert queries from the alert stores of all replicas, newest first. */
public final class AlertQueries {

    /** The answer of {@code GET /v1/alerts}. */
    public record AlertList(List<AlertView> alerts) {}

    /** The answer of {@code GET /v1/alerts/{fingerprint}}. */
    public record OneAlert(AlertView alert, boolean stale) {}

    /** Which alerts to list; null fields match everything. */
    public record Filter(String status, String severity, String metric) {

        boolean matches(AlertView a) {
            return (status == null || status.equals(a.status()))
                    && (severity == null || severity.equals(a.labels().get("severity")))
                    && (metric == null || metric.equals(a.metric()));
        }

        Map<String, String> asParams() {
            Map<String, String> params = new LinkedHashMap<>();
            if (status != null) {
                params.put("status", status);
            }
            if (severity != null) {
                params.put("severity", severity);
            }
            if (metric != null) {
                params.put("metric", metric);
            }
            return params;
        }
    }

    private static final JavaType ALERT_LIST = Json.MAPPER.constructType(AlertList.class);
    private static final JavaType ONE_ALERT = Json.MAPPER.constructType(OneAlert.class);

    private final StoreRouter router;
    private final ReplicaClient replicas;

    public AlertQueries(StoreRouter router, ReplicaClient replicas) {
        this.router = router;
        this.replicas = replicas;
    }

    public AlertList list(Filter filter, boolean local) {
        List<AlertView> alerts = new ArrayList<>();
        if (local) {
            alerts.addAll(localAlerts(filter));
        } else {
            router.everywhere(
                            ServingTopology.ALERT_STORE,
                            () -> new AlertList(localAlerts(filter)),
                            host -> replicas.<AlertList>get(host, "/v1/alerts", filter.asParams(), ALERT_LIST))
                    .forEach(part -> alerts.addAll(part.alerts()));
        }
        alerts.sort(Comparator.comparing(AlertView::startsAt).reversed().thenComparing(AlertView::fingerprint));
        return new AlertList(alerts);
    }

    public OneAlert one(String fingerprint, boolean local) {
        if (local) {
            return router.localForKey(
                    ServingTopology.ALERT_STORE,
                    fingerprint,
                    QueryableStoreTypes.<String, Alert>keyValueStore(),
                    ls -> found(fingerprint, ls.store().get(fingerprint), ls.stale()));
        }
        return router.forKey(
                ServingTopology.ALERT_STORE,
                fingerprint,
                QueryableStoreTypes.<String, Alert>keyValueStore(),
                ls -> found(fingerprint, ls.store().get(fingerprint), ls.stale()),
                host -> replicas.get(host, "/v1/alerts/" + fingerprint, Map.of(), ONE_ALERT));
    }

    private static OneAlert found(String fingerprint, Alert alert, boolean stale) {
        if (alert == null) {
            throw new ApiException(404, "unknown_alert", "No alert with fingerprint '" + fingerprint + "'");
        }
        return new OneAlert(AlertView.of(alert), stale);
    }

    private List<AlertView> localAlerts(Filter filter) {
        ReadOnlyKeyValueStore<String, Alert> store =
                router.activeStore(ServingTopology.ALERT_STORE, QueryableStoreTypes.keyValueStore());
        List<AlertView> alerts = new ArrayList<>();
        try (KeyValueIterator<String, Alert> it = store.all()) {
            it.forEachRemaining(kv -> {
                AlertView view = AlertView.of(kv.value);
                if (filter.matches(view)) {
                    alerts.add(view);
                }
            });
        }
        return alerts;
    }
}
