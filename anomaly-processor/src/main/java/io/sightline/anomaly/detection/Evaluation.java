package io.sightline.anomaly.detection;

/**
 * One scored observation: the expected value and band, the score (signed robust
 * z-score, in MAD units) and a confidence between 0 and 1.
 */
public record Evaluation(double observed, double expected, double lower, double upper, double score, double confidence) {
}
