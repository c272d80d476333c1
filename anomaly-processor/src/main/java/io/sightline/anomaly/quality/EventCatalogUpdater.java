package io.sightline.anomaly.quality;

import io.sightline.anomaly.alerting.DriftAlerts;
import io.sightline.anomaly.forwarding.AlertForwarder;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.EventCatalogEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Adds each gateway's observations of an event name to its catalog entry (published
 * on {@code quality.catalog.v1}) and raises the drift alerts: the first sighting of an
 * event name its source's plan does not list, and a property arriving as a JSON type it
 * never came as before. Integer and number count as one type (JSON Schema's number
 * includes integers), and null as none, so optional values do not alert.
 */
public final class EventCatalogUpdater implements Processor<String, EventCatalogEntry, String, Object> {

    public static final String STORE = "event-catalog";

    private final String toCatalog;
    private final String toAlerts;
    private final AlertForwarder forwarder;
    private KeyValueStore<String, EventCatalogEntry> store;
    private ProcessorContext<String, Object> context;

    /** @param toCatalog the sink of catalog entries, {@code toAlerts} of alerts; forwarder null when alerts only go to the topic */
    public EventCatalogUpdater(String toCatalog, String toAlerts, AlertForwarder forwarder) {
        this.toCatalog = toCatalog;
        this.toAlerts = toAlerts;
        this.forwarder = forwarder;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, EventCatalogEntry> record) {
        EventCatalogEntry delta = record.value();
        if (record.key() == null || delta == null) {
            return;
        }
        EventCatalogEntry known = store.get(record.key());
        List<Alert> alerts = new ArrayList<>();
        Instant now = Instant.ofEpochMilli(record.timestamp());
        if (known == null && delta.getTrackingPlan() != null && !delta.getPlanned()) {
            alerts.add(DriftAlerts.unplannedEvent(delta, now));
        }
        if (known != null) {
            for (Map.Entry<String, Map<String, Long>> property :
                    delta.getProperties().entrySet()) {
                Map<String, Long> before = known.getProperties().get(property.getKey());
                if (before == null) {
                    continue;
                }
                List<String> beforeKinds = kinds(before.keySet());
                for (String type : property.getValue().keySet()) {
                    String kind = kind(type);
                    if (kind != null && !beforeKinds.isEmpty() && !beforeKinds.contains(kind)) {
                        alerts.add(DriftAlerts.propertyTypeChanged(delta, property.getKey(), beforeKinds, kind, now));
                    }
                }
            }
        }
        EventCatalogEntry merged = known == null ? delta : merge(known, delta);
        store.put(record.key(), merged);
        context.forward(record.withValue((Object) merged), toCatalog);
        for (Alert alert : alerts) {
            context.forward(new Record<String, Object>(alert.getFingerprint(), alert, record.timestamp()), toAlerts);
            if (forwarder != null) {
                forwarder.offer(alert);
            }
        }
    }

    static EventCatalogEntry merge(EventCatalogEntry known, EventCatalogEntry delta) {
        Map<String, Map<String, Long>> properties = new HashMap<>();
        known.getProperties().forEach((p, types) -> properties.put(p, new HashMap<>(types)));
        delta.getProperties()
                .forEach((p, types) -> types.forEach((t, n) ->
                        properties.computeIfAbsent(p, x -> new HashMap<>()).merge(t, n, Long::sum)));
        return EventCatalogEntry.newBuilder(delta)
                .setCount(known.getCount() + delta.getCount())
                .setFirstSeen(
                        known.getFirstSeen().isBefore(delta.getFirstSeen())
                                ? known.getFirstSeen()
                                : delta.getFirstSeen())
                .setLastSeen(
                        known.getLastSeen().isAfter(delta.getLastSeen()) ? known.getLastSeen() : delta.getLastSeen())
                .setProperties(properties)
                .setSample(delta.getSample() != null ? delta.getSample() : known.getSample())
                .build();
    }

    /** integer and number as one kind; null as none. */
    private static String kind(String type) {
        return switch (type) {
            case "integer", "number" -> "number";
            case "null" -> null;
            default -> type;
        };
    }

    private static List<String> kinds(Iterable<String> types) {
        List<String> kinds = new ArrayList<>();
        for (String t : types) {
            String k = kind(t);
            if (k != null && !kinds.contains(k)) {
                kinds.add(k);
            }
        }
        kinds.sort(null);
        return kinds;
    }
}
