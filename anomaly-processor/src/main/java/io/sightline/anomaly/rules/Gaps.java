package io.sightline.anomaly.rules;

import java.util.Set;

/**
 * What a window without any update means for a series. For a count it is zero (nothing
 * happened); for a gauge, a ratio or a percentile it is unknown: the window is left out,
 * so it neither fires nor teaches the baseline a value that never was.
 */
public enum Gaps {
    /** A missing window is a value of 0: counts, sums. */
    ZERO,
    /** A missing window is unknown and skipped: gauges, ratios, means, percentiles. */
    SKIP,
    /** Zero or skip by what the series measures, as its updates say: zero for counts, unique counts and sums. */
    AUTO;

    private static final Set<String> COUNTS = Set.of("count", "unique_users", "unique_sessions", "sum");

    /**
     * What a missing window of a series that measures {@code measure} is under this setting;
     * a series whose updates do not say what they measure is taken as a count.
     */
    public Gaps forMeasure(String measure) {
        if (this != AUTO) {
            return this;
        }
        return measure == null || COUNTS.contains(measure) ? ZERO : SKIP;
    }
}
