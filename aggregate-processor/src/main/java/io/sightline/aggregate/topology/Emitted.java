package io.sightline.aggregate.topology;

/**
 * What the window aggregator emits: an input partition's snapshot of a series window
 * (keyed by series), or a contribution dropped as later than its window's horizon
 * (keyed by its source, {@code partial} null, {@code lateSeries} the series name of
 * the window size it missed, such as {@code event_count.1h}).
 */
public record Emitted(PartialWindow partial, String lateSeries) {

    public static Emitted update(PartialWindow partial) {
        return new Emitted(partial, null);
    }

    public static Emitted late(String series) {
        return new Emitted(null, series);
    }

    public boolean isLate() {
        return partial == null;
    }
}
