package io.sightline.serving.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.plans.PlannedEvent;
import io.sightline.plans.TrackingPlan;
import io.sightline.plans.TrackingPlanStore;
import io.sightline.schemas.avro.EventCatalogEntry;
import io.sightline.schemas.avro.EventType;
import io.sightline.serving.topology.ServingTopology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The observed event catalog: every event name each source sent, with its volume, when
 * first and last seen, its properties by observed JSON type, and what the source's
 * tracking plan says of it (planned or not, owner, description) in its latest version.
 */
public final class EventCatalogQueries {

    /** One property of an event: how often it came as each JSON type, and whether the plan lists it. */
    public record Property(String name, long count, Map<String, Long> types, Boolean planned) {}

    /** One event name of one source. */
    public record Event(
            String source,
            String type,
            String name,
            long count,
            Instant firstSeen,
            Instant lastSeen,
            String trackingPlan,
            Integer trackingPlanVersion,
            boolean planned,
            String owner,
            String description,
            List<Property> properties) {}

    /** The answer of {@code GET /v1/catalog/events}. */
    public record Catalog(List<Event> events) {}

    private final StoreRouter router;
    private final TrackingPlanStore plans;

    public EventCatalogQueries(StoreRouter router, TrackingPlanStore plans) {
        this.router = router;
        this.plans = plans;
    }

    /** @param source only this source's events, or null for all */
    public Catalog events(String source) {
        ReadOnlyKeyValueStore<String, EventCatalogEntry> store =
                router.activeStore(ServingTopology.EVENT_CATALOG_STORE, QueryableStoreTypes.keyValueStore());
        List<Event> events = new ArrayList<>();
        try (KeyValueIterator<String, EventCatalogEntry> it = store.all()) {
            while (it.hasNext()) {
                EventCatalogEntry e = it.next().value;
                if (e != null && (source == null || source.equals(e.getSource()))) {
                    events.add(event(e));
                }
            }
        }
        events.sort(Comparator.comparing(Event::source)
                .thenComparing(Comparator.comparingLong(Event::count).reversed()));
        return new Catalog(events);
    }

    private Event event(EventCatalogEntry e) {
        TrackingPlan plan = e.getTrackingPlan() == null ? null : plans.latest(e.getTrackingPlan());
        PlannedEvent planned = plan == null ? null : plan.entry(e.getEventType(), e.getEventName());
        JsonNode plannedProperties = planned == null || planned.schemaNode() == null
                ? null
                : planned.schemaNode().get("properties");
        List<Property> properties = new ArrayList<>();
        for (Map.Entry<String, Map<String, Long>> p : new TreeMap<>(e.getProperties()).entrySet()) {
            long count =
                    p.getValue().values().stream().mapToLong(Long::longValue).sum();
            properties.add(new Property(
                    p.getKey(),
                    count,
                    new TreeMap<>(p.getValue()),
                    planned == null ? null : plannedProperties != null && plannedProperties.has(p.getKey())));
        }
        properties.sort(Comparator.comparingLong(Property::count).reversed().thenComparing(Property::name));
        boolean isPlanned = planned != null || (plan != null && !namesPlanned(plan, e.getEventType()));
        return new Event(
                e.getSource(),
                e.getEventType().name(),
                e.getEventName(),
                e.getCount(),
                e.getFirstSeen(),
                e.getLastSeen(),
                plan == null ? null : plan.name(),
                plan == null ? null : plan.version(),
                plan != null && isPlanned,
                planned == null ? null : planned.owner(),
                planned == null ? null : planned.description(),
                properties);
    }

    /** Whether the plan lists names of this kind at all (pages and screens only when it has those sections). */
    private static boolean namesPlanned(TrackingPlan plan, EventType type) {
        return switch (type) {
            case track -> true;
            case page -> plan.pages() != null;
            case screen -> plan.screens() != null;
            default -> false;
        };
    }
}
