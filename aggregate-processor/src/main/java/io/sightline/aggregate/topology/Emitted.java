package io.sightline.aggregate.topology;

/**
 * What the window aggregator emits: an input partition's snapshot of a series window
 * (keyed by series), or an event dropped as later than grace (keyed by its source,
 * {@code partial} null).
 */
public record Emitted(PartialWindow partial) {

    private static final Emitted LATE = new Emitted(null);

    public static Emitted update(PartialWindow partial) {
        return new Emitted(partial);
    }

    public static Emitted lateEvent() {
        return LATE;
    }

    public boolean late() {
        return partial == null;
    }
}
