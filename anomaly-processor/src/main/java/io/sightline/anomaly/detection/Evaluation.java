package io.sightline.anomaly.detection;

/**
 * One scored observation: the expected value and band, a signed score (in robust
 * sigma units for the statistical detectors; positive above the expectation), a
 * confidence between 0 and 1, which detector produced it and how complete the
 * baseline behind it was.
 */
public record Evaluation(
        double observed,
        double expected,
        double lower,
        double upper,
        double score,
        double confidence,
        String detector,
        BaselineState state) {

    /** The same window and baseline, credited to {@code detector} with its own score and confidence. */
    public Evaluation by(String detector, double score, double confidence) {
        return new Evaluation(observed, expected, lower, upper, score, confidence, detector, state);
    }

    public boolean learning() {
        return state == BaselineState.LEARNING;
    }
}
