package io.sightline.anomaly.detection;

/**
 * The evaluation of one window by a rule's statistical detectors, with its anomaly
 * score mapped to [0, 1] (0.5 at the firing sensitivity, 1 at twice it or beyond).
 */
public record ScoredWindow(long windowStart, Evaluation evaluation, double anomalyScore, boolean complete) {}
