package io.sightline.anomaly.rules;

import java.time.Duration;

/** How a metric repeats itself: the baseline compares a window with the same slot of previous periods. */
public enum Seasonality {
    NONE(Duration.ZERO, 1),
    DAILY(Duration.ofDays(1), 24),
    WEEKLY(Duration.ofDays(7), 168),
    /**
     * Daily slots are learned, and each window is judged against whichever baseline fits
     * the series better right now: the daily one or the recent level (the one whose recent
     * residuals are tighter). A series with a daily rhythm is judged against it once its
     * slots know two days; one without is judged against its level as it would be with none.
     */
    AUTO(Duration.ofDays(1), 24);

    private final Duration period;
    private final int defaultSlots;

    Seasonality(Duration period, int defaultSlots) {
        this.period = period;
        this.defaultSlots = defaultSlots;
    }

    public long periodMillis() {
        return period.toMillis();
    }

    public int defaultSlots() {
        return defaultSlots;
    }
}
