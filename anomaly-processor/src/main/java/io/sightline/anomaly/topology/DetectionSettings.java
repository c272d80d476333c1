package io.sightline.anomaly.topology;

import io.sightline.anomaly.rules.RuleSet;
import java.time.Duration;

/**
 * What the detection topology needs: the rules per metric, the cap on series each
 * stream task tracks, and how often the cap is enforced.
 */
public record DetectionSettings(RuleSet rules, int maxSeries, Duration evictionInterval) {
}
