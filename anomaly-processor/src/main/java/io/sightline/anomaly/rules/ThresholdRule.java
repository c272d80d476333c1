package io.sightline.anomaly.rules;

/**
 * A plain rule that needs no learning: the value above or below a bound, or changed by
 * more than a percentage from the baseline, for {@code forWindows} consecutive complete windows.
 * Unset bounds are {@code null}.
 */
public record ThresholdRule(
        String name,
        Double above,
        Double below,
        Double changePercent,
        Direction direction,
        int forWindows,
        double minVolume,
        String severity) {}
