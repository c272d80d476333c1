package io.sightline.aggregate.topology;

import io.sightline.aggregate.definition.LatenessHorizons;
import io.sightline.aggregate.definition.Measure;
import io.sightline.aggregate.definition.MetricDefinition;
import io.sightline.aggregate.definition.MetricDefinitions;
import java.time.Duration;
import java.util.List;

/**
 * When each window closes and when it stops taking late events, by receive time: a
 * window closes (publishes its first final value) at its end plus grace, plus a
 * funnel's time limit for funnels, and stays open to revision until its end plus the
 * lateness horizon of its size (plus that time limit).
 */
final class WindowDeadlines {

    private final long grace;
    private final LatenessHorizons horizons;
    /** Per metric (by index): window sizes in ms, and time added to a window's end before it closes. */
    private final long[][] windowSizes;

    private final long[] closeAfterEnd;

    WindowDeadlines(MetricDefinitions definitions, Duration grace, LatenessHorizons horizons) {
        this.grace = grace.toMillis();
        this.horizons = horizons;
        List<MetricDefinition> metrics = definitions.metrics();
        this.windowSizes = new long[metrics.size()][];
        this.closeAfterEnd = new long[metrics.size()];
        for (int i = 0; i < metrics.size(); i++) {
            MetricDefinition m = metrics.get(i);
            windowSizes[i] =
                    m.windowSizes().stream().mapToLong(Duration::toMillis).toArray();
            closeAfterEnd[i] = this.grace
                    + (m.measure().type() == Measure.Type.FUNNEL
                            ? m.measure().within().toMillis()
                            : 0);
        }
    }

    long[] windowSizes(int metric) {
        return windowSizes[metric];
    }

    static long windowStart(long time, long size) {
        return time - Math.floorMod(time, size);
    }

    long closeAt(int metric, long start, long size) {
        return start + size + closeAfterEnd[metric];
    }

    /** How long after closing a window of {@code size} still takes late events. */
    long revisableAfterClose(long size) {
        return horizons.revisableAfterClose(size, grace);
    }

    /**
     * The last receive time at which some window of some metric still takes an event of
     * event time {@code time}: once stream time reaches it, the event counts nowhere.
     */
    long lastTakenAt(long time) {
        long last = Long.MIN_VALUE;
        for (int m = 0; m < windowSizes.length; m++) {
            for (long size : windowSizes[m]) {
                long closeAt = closeAt(m, windowStart(time, size), size);
                last = Math.max(last, closeAt + revisableAfterClose(size));
            }
        }
        return last;
    }
}
