package io.sightline.anomaly.rules;

import java.time.Duration;

/** How a metric repeats itself: the baseline compares a window with the same slot of previous periods. */
public enum Seasonality {
    NONE(Duration.ZERO, 1),
    DAILY(Duration.ofDays(1), 24),
    WEEKLY(Duration.ofDays(7), 168),
    /**
     * Daily slots and hours of the week are both learned. Of the two rhythms, the one whose
     * expectations have missed the series' windows less over about a week is fitted to the
     * recent windows, and judges a window when its residuals are tighter than the recent
     * level's; otherwise the level judges, as with none. Daily slots (and {@code
     * slotsPerPeriod}) are those of {@code DAILY}; the weekly ones are 168 hours, keeping at
     * most {@code SeasonalBaseline.AUTO_WEEKS} previous weeks.
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
