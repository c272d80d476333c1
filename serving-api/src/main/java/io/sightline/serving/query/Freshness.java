package io.sightline.serving.query;

import java.time.Instant;
import java.util.Collection;

/**
 * How current an answer is: the newest event time its data covers, when the pipeline
 * last updated it, and how far behind now that is. {@code stale} answers come from a
 * standby or a restoring store; {@code offsetLag} then says by how many records.
 */
public record Freshness(Instant newestEventTime, Instant updatedAt, Long lagMs, boolean stale, long offsetLag) {

    public static final Freshness NONE = new Freshness(null, null, null, false, 0);

    /** Freshness of data whose newest window ended at {@code windowEnd} and was last updated at {@code updatedAt}. */
    public static Freshness of(Instant windowEnd, Instant updatedAt, boolean stale, long offsetLag) {
        if (updatedAt == null) {
            return new Freshness(null, null, null, stale, offsetLag);
        }
        // Within an open window, events up to the last update are included.
        Instant newest = windowEnd == null || updatedAt.isBefore(windowEnd) ? updatedAt : windowEnd;
        return new Freshness(
                newest,
                updatedAt,
                Math.max(0, System.currentTimeMillis() - updatedAt.toEpochMilli()),
                stale,
                offsetLag);
    }

    /** The combined freshness of several answers: newest data, and stale if any part is. */
    public static Freshness merge(Collection<Freshness> parts) {
        Instant newest = null;
        Instant updated = null;
        boolean stale = false;
        long lag = 0;
        for (Freshness f : parts) {
            if (f.newestEventTime() != null
                    && (newest == null || f.newestEventTime().isAfter(newest))) {
                newest = f.newestEventTime();
            }
            if (f.updatedAt() != null && (updated == null || f.updatedAt().isAfter(updated))) {
                updated = f.updatedAt();
            }
            stale |= f.stale();
            lag = Math.max(lag, f.offsetLag());
        }
        Long lagMs = updated == null ? null : Math.max(0, System.currentTimeMillis() - updated.toEpochMilli());
        return new Freshness(newest, updated, lagMs, stale, lag);
    }
}
