package io.sightline.anomaly.rules;

/**
 * What a window without any update means for a series. For a count it is zero (nothing
 * happened); for a gauge, a ratio or a percentile it is unknown: the window is left out,
 * so it neither fires nor teaches the baseline a value that never was.
 */
public enum Gaps {
    /** A missing window is a value of 0: counts, sums. */
    ZERO,
    /** A missing window is unknown and skipped: gauges, ratios, means, percentiles. */
    SKIP
}
