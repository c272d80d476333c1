package io.sightline.anomaly.detection;

import java.util.Arrays;

/**
 * Scores an observation against recent history with median and MAD, which a few past
 * outliers cannot drag along the way a mean and standard deviation can. The MAD is
 * scaled by 1.4826 so that the score reads like a z-score for normal data; a flat
 * history (MAD 0) gets a floor of 10% of the median, or 1, so that constant series do
 * not alert on every small wiggle.
 */
public final class RobustZScoreDetector {

    public static final String NAME = "robust_zscore";
    private static final double MAD_TO_SIGMA = 1.4826;

    private final DetectorSettings settings;

    public RobustZScoreDetector(DetectorSettings settings) {
        this.settings = settings;
    }

    public Evaluation evaluate(double[] history, double observed) {
        double median = median(history);
        double[] deviations = new double[history.length];
        for (int i = 0; i < history.length; i++) {
            deviations[i] = Math.abs(history[i] - median);
        }
        double scale = MAD_TO_SIGMA * median(deviations);
        if (scale == 0) {
            scale = Math.max(1.0, 0.1 * Math.abs(median));
        }
        double score = (observed - median) / scale;
        double band = settings.threshold() * scale;
        double historyFill = Math.min(1.0, (double) history.length / settings.historyWindows());
        double strength = Math.min(1.0, Math.abs(score) / (2 * settings.threshold()));
        double confidence = Math.max(0.0, Math.min(1.0, 0.5 * historyFill + 0.5 * strength));
        return new Evaluation(observed, median, Math.max(0, median - band), median + band, score, confidence);
    }

    /** Whether the series moves enough volume for a deviation to mean anything. */
    public boolean hasVolume(Evaluation e) {
        return Math.max(e.observed(), e.expected()) >= settings.minVolume();
    }

    public boolean shouldFire(Evaluation e) {
        return hasVolume(e) && Math.abs(e.score()) >= settings.threshold();
    }

    public boolean shouldResolve(Evaluation e) {
        return Math.abs(e.score()) < settings.resolveThreshold() || !hasVolume(e);
    }

    public DetectorSettings settings() {
        return settings;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        if (n == 0) {
            return 0;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
