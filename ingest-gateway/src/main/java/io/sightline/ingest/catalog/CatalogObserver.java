package io.sightline.ingest.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.plans.JsonTypes;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EventCatalogEntry;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.TrackedEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Tallies what arrives per source and event name: how many, when first and last, and
 * each top-level property (traits for identify and group) by the JSON types it came as.
 * {@link #drain()} returns what was added since the last drain, as deltas for
 * {@code quality.observations.v1}; counters only grow, so a report that failed is
 * simply part of the next one. Bounded: at most {@value #MAX_EVENTS} event names and
 * {@value #MAX_PROPERTIES} properties per name; beyond, {@link #overflow()} counts.
 */
public final class CatalogObserver {

    static final int MAX_EVENTS = 10_000;
    static final int MAX_PROPERTIES = 200;

    private static final class Tally {
        final String source;
        final EventType type;
        final String name;
        final LongAdder count = new LongAdder();
        final ConcurrentMap<String, ConcurrentMap<String, LongAdder>> properties = new ConcurrentHashMap<>();
        volatile long firstSeen = Long.MAX_VALUE;
        volatile long lastSeen;
        volatile String plan;
        volatile Integer planVersion;
        volatile boolean planned;
        volatile String sample;
        /** What the last drain reported, read and written by the draining thread only. */
        long reportedCount;

        final Map<String, Map<String, Long>> reportedProperties = new HashMap<>();

        Tally(String source, EventType type, String name) {
            this.source = source;
            this.type = type;
            this.name = name;
        }
    }

    private final ConcurrentMap<String, Tally> tallies = new ConcurrentHashMap<>();
    private final AtomicLong overflow = new AtomicLong();

    /**
     * @param planned whether the source's plan lists the event; ignored when {@code event} has no plan
     * @param item    the event as sent
     */
    public void observe(TrackedEvent event, JsonNode item, boolean planned) {
        String name = event.getType() == EventType.track ? event.getEvent() : event.getName();
        String key = Topics.catalogKey(event.getSource(), event.getType().name(), name);
        Tally tally = tallies.get(key);
        if (tally == null) {
            if (tallies.size() >= MAX_EVENTS) {
                overflow.incrementAndGet();
                return;
            }
            tally = tallies.computeIfAbsent(key, k -> new Tally(event.getSource(), event.getType(), name));
        }
        tally.count.increment();
        long at = event.getReceivedAt().toEpochMilli();
        if (at < tally.firstSeen) {
            tally.firstSeen = at;
        }
        if (at > tally.lastSeen) {
            tally.lastSeen = at;
        }
        tally.plan = event.getTrackingPlan();
        tally.planVersion = event.getTrackingPlanVersion();
        tally.planned = planned;
        boolean ofTraits = event.getType() == EventType.identify || event.getType() == EventType.group;
        JsonNode object = item.get(ofTraits ? "traits" : "properties");
        if (object == null || !object.isObject()) {
            return;
        }
        if (tally.sample == null) {
            tally.sample = shape(object).toString();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            ConcurrentMap<String, LongAdder> types = tally.properties.get(field.getKey());
            if (types == null) {
                if (tally.properties.size() >= MAX_PROPERTIES) {
                    overflow.incrementAndGet();
                    continue;
                }
                types = tally.properties.computeIfAbsent(field.getKey(), k -> new ConcurrentHashMap<>(4));
            }
            types.computeIfAbsent(JsonTypes.of(field.getValue()), t -> new LongAdder())
                    .increment();
        }
    }

    /** Observations not counted because a bound was reached. */
    public long overflow() {
        return overflow.get();
    }

    /**
     * What was added since the last acknowledged report, one delta per event name. Until
     * {@code acknowledge} runs (after Kafka stored the deltas), the next report repeats them.
     */
    public record Report(List<EventCatalogEntry> deltas, Runnable acknowledge) {}

    /** The deltas since the last acknowledged report. Call from one thread. */
    public Report drain() {
        List<EventCatalogEntry> deltas = new ArrayList<>();
        List<Runnable> onAcknowledge = new ArrayList<>();
        for (Tally t : tallies.values()) {
            long count = t.count.sum();
            if (count == t.reportedCount) {
                continue;
            }
            Map<String, Map<String, Long>> properties = new HashMap<>();
            Map<String, Map<String, Long>> totals = new HashMap<>();
            t.properties.forEach((property, types) -> types.forEach((type, adder) -> {
                long now = adder.sum();
                long before =
                        t.reportedProperties.getOrDefault(property, Map.of()).getOrDefault(type, 0L);
                if (now > before) {
                    properties.computeIfAbsent(property, p -> new HashMap<>()).put(type, now - before);
                    totals.computeIfAbsent(property, p -> new HashMap<>()).put(type, now);
                }
            }));
            deltas.add(EventCatalogEntry.newBuilder()
                    .setSource(t.source)
                    .setEventType(t.type)
                    .setEventName(t.name)
                    .setCount(count - t.reportedCount)
                    .setFirstSeen(Instant.ofEpochMilli(t.firstSeen))
                    .setLastSeen(Instant.ofEpochMilli(t.lastSeen))
                    .setProperties(properties)
                    .setTrackingPlan(t.plan)
                    .setTrackingPlanVersion(t.planVersion)
                    .setPlanned(t.planned)
                    .setSample(t.sample)
                    .build());
            onAcknowledge.add(() -> {
                t.reportedCount = count;
                totals.forEach((property, types) -> t.reportedProperties
                        .computeIfAbsent(property, p -> new HashMap<>())
                        .putAll(types));
                // the next report carries the shape of a newer event
                t.sample = null;
            });
        }
        return new Report(deltas, () -> onAcknowledge.forEach(Runnable::run));
    }

    /** The object with every value replaced by its JSON type (objects by their own shape): structure without content. */
    static ObjectNode shape(JsonNode object) {
        ObjectNode shape = JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().isObject()) {
                shape.set(field.getKey(), shape(field.getValue()));
            } else {
                shape.put(field.getKey(), JsonTypes.of(field.getValue()));
            }
        }
        return shape;
    }
}
