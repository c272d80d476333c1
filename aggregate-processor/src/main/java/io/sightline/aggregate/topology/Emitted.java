package io.sightline.aggregate.topology;

import io.sightline.schemas.avro.MetricWindow;

/**
 * What the window aggregator emits: an update of a series window (keyed by series),
 * or an event dropped as later than grace (keyed by its source, {@code window} null).
 */
public record Emitted(MetricWindow window) {

    private static final Emitted LATE = new Emitted(null);

    public static Emitted update(MetricWindow window) {
        return new Emitted(window);
    }

    public static Emitted lateEvent() {
        return LATE;
    }

    public boolean late() {
        return window == null;
    }
}
