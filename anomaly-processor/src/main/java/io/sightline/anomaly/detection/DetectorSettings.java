package io.sightline.anomaly.detection;

/** Tuning of the robust z-score detector; see {@code AnomalyConfig} for each setting's meaning. */
public record DetectorSettings(int historyWindows, int minHistory, double threshold, double resolveThreshold, double minVolume) {
}
