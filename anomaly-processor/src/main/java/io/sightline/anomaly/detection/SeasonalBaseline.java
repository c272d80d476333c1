package io.sightline.anomaly.detection;

import io.sightline.anomaly.rules.MetricRule;
import io.sightline.anomaly.rules.Seasonality;
import io.sightline.schemas.avro.SeasonalSlot;
import java.util.ArrayList;
import java.util.List;

/**
 * The robust seasonal baseline. Each window's seasonal expectation is the median of
 * the same slot's means in previous periods (same hour of the day, say); the recent
 * residuals against it give the current level (their median, added back with weight
 * {@code blend}) and the noise (their MAD, scaled to sigma). Median and MAD ignore
 * the few outliers that would drag a mean and standard deviation along.
 * <p>
 * Without seasonality, or until a slot has {@code minPeriods} previous periods, the
 * seasonal part is zero and this is a plain robust z-score against the recent
 * windows: the fallback that a new series starts with. A flat history (MAD 0) gets a
 * noise floor of 10% of the expectation, or 1, so constant series do not alert on
 * every wiggle.
 */
public final class SeasonalBaseline {

    private final MetricRule rule;

    public SeasonalBaseline(MetricRule rule) {
        this.rule = rule;
    }

    /**
     * Scores {@code observed} for the window at {@code start} against the {@code n}
     * previous windows in {@code pastStarts}/{@code pastValues} (oldest first).
     */
    public Evaluation evaluate(
            List<SeasonalSlot> slots,
            long windowMillis,
            long[] pastStarts,
            double[] pastValues,
            int n,
            long start,
            double observed) {
        if (n < rule.minHistory()) {
            double expected = Stats.median(pastValues, n);
            return new Evaluation(observed, expected, expected, expected, 0, 0, "learning", BaselineState.LEARNING);
        }
        boolean seasonalWanted = rule.seasonality() != Seasonality.NONE;
        // An automatic rule has no fallback: the recent level is one of its two baselines, never a stopgap.
        boolean auto = rule.seasonality() == Seasonality.AUTO;
        Double seasonalNow = seasonalWanted ? seasonalExpected(slots, windowMillis, start) : null;
        boolean seasonal = seasonalNow != null;
        double[] residuals = new double[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (seasonal) {
                Double s = seasonalExpected(slots, windowMillis, pastStarts[i]);
                if (s != null) {
                    residuals[m++] = pastValues[i] - s;
                }
            } else {
                residuals[m++] = pastValues[i];
            }
        }
        if (seasonal && m < Math.max(rule.minHistory(), rule.historyWindows() / 2)) {
            // Slots of the recent windows are still learning: fall back to the recent level.
            return evaluateFallback(pastValues, n, observed, seasonalWanted && !auto);
        }
        double level = Stats.median(residuals, m);
        double spread = Stats.MAD_TO_SIGMA * Stats.mad(residuals, m, level);
        if (seasonal && auto) {
            double recentLevel = Stats.median(pastValues, n);
            double recentSpread = Stats.MAD_TO_SIGMA * Stats.mad(pastValues, n, recentLevel);
            if (spread >= recentSpread) {
                // The daily rhythm explains the recent windows no better than their level does: judge against the
                // latter.
                return scored(
                        observed,
                        recentLevel,
                        recentSpread,
                        (double) n / rule.historyWindows(),
                        "robust_zscore",
                        BaselineState.READY);
            }
        }
        double expected = seasonal ? seasonalNow + rule.blend() * level : level;
        return scored(
                observed,
                expected,
                spread,
                (double) n / rule.historyWindows(),
                seasonal ? "seasonal" : "robust_zscore",
                seasonal || !seasonalWanted || auto ? BaselineState.READY : BaselineState.FALLBACK);
    }

    private Evaluation evaluateFallback(double[] pastValues, int n, double observed, boolean seasonalWanted) {
        double level = Stats.median(pastValues, n);
        double spread = Stats.MAD_TO_SIGMA * Stats.mad(pastValues, n, level);
        return scored(
                observed,
                level,
                spread,
                (double) n / rule.historyWindows(),
                "robust_zscore",
                seasonalWanted ? BaselineState.FALLBACK : BaselineState.READY);
    }

    private Evaluation scored(
            double observed, double expected, double spread, double fill, String detector, BaselineState state) {
        if (spread == 0) {
            spread = Math.max(1.0, 0.1 * Math.abs(expected));
        }
        double score = (observed - expected) / spread;
        double band = rule.sensitivity() * spread;
        double completeness = Math.min(1.0, fill) * (state == BaselineState.FALLBACK ? 0.5 : 1.0);
        double strength = Math.min(1.0, Math.abs(score) / (2 * rule.sensitivity()));
        return new Evaluation(
                observed,
                expected,
                Math.max(0, expected - band),
                expected + band,
                score,
                Stats.clamp01(0.5 * completeness + 0.5 * strength),
                detector,
                state);
    }

    /**
     * The seasonal expectation at {@code start}: the medians of the two slots around it
     * (each over the slot's means in periods before the window's own), interpolated
     * linearly between slot centres so that a steep daily ramp does not read as noise
     * inside a slot. Null while the slots have too few previous periods.
     */
    Double seasonalExpected(List<SeasonalSlot> slots, long windowMillis, long start) {
        int count = rule.slots(windowMillis);
        if (slots.size() != count) {
            return null;
        }
        long periodMillis = rule.seasonality().periodMillis();
        long slotMillis = periodMillis / count;
        long period = Math.floorDiv(start, periodMillis);
        // Position of the window's middle, in slots, relative to slot centres.
        double position = (Math.floorMod(start, periodMillis) + windowMillis / 2.0) / slotMillis - 0.5;
        int lower = (int) Math.floor(position);
        double weight = position - lower;
        Double a = slotMedian(slots, lower, period, count);
        Double b = slotMedian(slots, lower + 1, period, count);
        if (a == null || b == null) {
            return a != null ? a : b;
        }
        return (1 - weight) * a + weight * b;
    }

    /** The median of slot {@code index} (may wrap into the previous or next period) over its earlier periods. */
    private Double slotMedian(List<SeasonalSlot> slots, int index, long period, int count) {
        long slotPeriod = period + Math.floorDiv(index, count);
        SeasonalSlot slot = slots.get(Math.floorMod(index, count));
        List<Double> previous = new ArrayList<>(slot.getMeans());
        if (slot.getPeriod() > slotPeriod) {
            // The slot has moved on since this (older) window: its own period's mean is among the means.
            int drop = (int) Math.min(previous.size(), slot.getPeriod() - slotPeriod);
            previous = previous.subList(0, previous.size() - drop);
        } else if (slot.getPeriod() < slotPeriod && slot.getCount() > 0) {
            previous.add(slot.getSum() / slot.getCount());
        }
        int from = Math.max(0, previous.size() - rule.seasonalPeriods());
        previous = previous.subList(from, previous.size());
        if (previous.size() < rule.minPeriods()) {
            return null;
        }
        double[] values = previous.stream().mapToDouble(Double::doubleValue).toArray();
        return Stats.median(values, values.length);
    }

    /** Adds a complete window to its slot, closing the slot's previous period if a new one began. */
    public void learn(List<SeasonalSlot> slots, long windowMillis, long start, double value) {
        if (rule.seasonality() == Seasonality.NONE) {
            if (!slots.isEmpty()) {
                slots.clear();
            }
            return;
        }
        int count = rule.slots(windowMillis);
        if (slots.size() != count) {
            // First window, or the rule or window size changed: the old slots mean something else.
            slots.clear();
            for (int i = 0; i < count; i++) {
                slots.add(new SeasonalSlot(-1L, 0.0, 0, new ArrayList<>()));
            }
        }
        SeasonalSlot slot = slots.get(slotIndex(start, windowMillis));
        long period = Math.floorDiv(start, rule.seasonality().periodMillis());
        if (period < slot.getPeriod()) {
            return; // a late window of a period already closed
        }
        if (period > slot.getPeriod()) {
            if (slot.getCount() > 0) {
                List<Double> means = new ArrayList<>(slot.getMeans());
                means.add(slot.getSum() / slot.getCount());
                while (means.size() > rule.seasonalPeriods()) {
                    means.remove(0);
                }
                slot.setMeans(means);
            }
            slot.setPeriod(period);
            slot.setSum(0);
            slot.setCount(0);
        }
        slot.setSum(slot.getSum() + value);
        slot.setCount(slot.getCount() + 1);
    }

    int slotIndex(long start, long windowMillis) {
        long period = rule.seasonality().periodMillis();
        long slotMillis = period / rule.slots(windowMillis);
        return (int) Math.min(rule.slots(windowMillis) - 1, Math.floorMod(start, period) / slotMillis);
    }
}
