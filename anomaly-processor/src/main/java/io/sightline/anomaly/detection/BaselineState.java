package io.sightline.anomaly.detection;

/** How much history stands behind an evaluation. */
public enum BaselineState {
    /** Too few windows to judge: no alerts yet. */
    LEARNING,
    /** Enough recent windows, but not enough previous periods for the seasonal baseline: the recent-level fallback judges. */
    FALLBACK,
    /** The configured baseline is complete. */
    READY
}
