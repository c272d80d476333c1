package io.sightline.anomaly.rules;

/** The statistical detectors a rule can combine into one alert. */
public enum DetectorKind {
    /** Robust seasonal baseline: median/MAD of residuals against the same slot of previous periods. */
    SEASONAL,
    /** EWMA of the standardized residual: catches a sustained shift (or a drop to zero) within a window or two. */
    LEVEL_SHIFT,
    /** How unusual the recent scores are for this series' own score distribution (see ScoreLikelihood). */
    LIKELIHOOD,
    /** The window leaves the range of every value the series has had, by more than a twentieth of that range. */
    RANGE
}
