package io.sightline.ingest.plans;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.schemas.avro.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last few events this replica checked against each plan, per event name: what a
 * new plan version is tried on before it is published, to find the events it would
 * newly block. Bounded: {@value #PER_NAME} events per name, {@value #MAX_NAMES} names per plan.
 */
public final class RecentEvents {

    static final int PER_NAME = 8;
    static final int MAX_NAMES = 200;

    /** One event as checked: its kind, name and the objects a plan constrains. */
    public record Sample(EventType type, String name, JsonNode properties, JsonNode traits) {}

    private static final class Ring {
        final AtomicReferenceArray<Sample> samples = new AtomicReferenceArray<>(PER_NAME);
        final AtomicInteger next = new AtomicInteger();
    }

    private final ConcurrentMap<String, ConcurrentMap<String, Ring>> byPlan = new ConcurrentHashMap<>();

    public void remember(String plan, EventType type, String name, JsonNode properties, JsonNode traits) {
        ConcurrentMap<String, Ring> names = byPlan.computeIfAbsent(plan, p -> new ConcurrentHashMap<>());
        String key = type.name() + ' ' + name;
        Ring ring = names.get(key);
        if (ring == null) {
            if (names.size() >= MAX_NAMES) {
                return;
            }
            ring = names.computeIfAbsent(key, k -> new Ring());
        }
        // The request's own nodes: nothing changes them after the check (omit works on a copy).
        ring.samples.set(
                Math.floorMod(ring.next.getAndIncrement(), PER_NAME), new Sample(type, name, properties, traits));
    }

    public List<Sample> of(String plan) {
        List<Sample> all = new ArrayList<>();
        ConcurrentMap<String, Ring> names = byPlan.get(plan);
        if (names != null) {
            for (Ring ring : names.values()) {
                for (int i = 0; i < PER_NAME; i++) {
                    Sample s = ring.samples.get(i);
                    if (s != null) {
                        all.add(s);
                    }
                }
            }
        }
        return all;
    }
}
