package io.sightline.anomaly.detection;

import io.sightline.anomaly.rules.MetricRule;
import io.sightline.anomaly.rules.Seasonality;
import io.sightline.schemas.avro.BaselineFit;
import io.sightline.schemas.avro.SeasonalSlot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** Previous weeks an automatic rule keeps per hour of the week, whatever its {@code seasonalPeriods}: 168 slots each. */
    public static final int AUTO_WEEKS = 4;

    /**
     * One repeating period cut into slots: {@code maxSlots} at most (never finer than one
     * window), each keeping the means of its last {@code periodsKept} periods.
     */
    record Cycle(long periodMillis, int maxSlots, int periodsKept) {
        int slots(long windowMillis) {
            return (int) Math.max(1, Math.min(maxSlots, periodMillis / windowMillis));
        }
    }

    /** A seasonal fit of the recent windows: the expectation now and the spread of the residuals. */
    private record Fit(double expected, double spread) {}

    private static final String DAILY = "daily";
    private static final String WEEKLY = "weekly";

    private final MetricRule rule;
    /** The rule's period (daily for {@code auto}); null without seasonality. */
    private final Cycle cycle;
    /** The hours of the week an automatic rule also tries; null for the others. */
    private final Cycle weekly;

    public SeasonalBaseline(MetricRule rule) {
        this.rule = rule;
        Seasonality s = rule.seasonality();
        this.cycle = s == Seasonality.NONE
                ? null
                : new Cycle(s.periodMillis(), rule.slotsPerPeriod(), rule.seasonalPeriods());
        this.weekly = s == Seasonality.AUTO
                ? new Cycle(
                        Seasonality.WEEKLY.periodMillis(),
                        Seasonality.WEEKLY.defaultSlots(),
                        Math.min(AUTO_WEEKS, rule.seasonalPeriods()))
                : null;
    }

    /**
     * Scores {@code observed} for the window at {@code start} against the {@code n}
     * previous windows in {@code pastStarts}/{@code pastValues} (oldest first);
     * {@code weeklySlots} and {@code fits} are used by an automatic rule only, which with
     * {@code learnFits} (a complete window) also adds this window's forecast errors to {@code fits}.
     */
    public Evaluation evaluate(
            List<SeasonalSlot> slots,
            List<SeasonalSlot> weeklySlots,
            Map<String, BaselineFit> fits,
            boolean learnFits,
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
        double fill = (double) n / rule.historyWindows();
        if (cycle == null) {
            return evaluateFallback(pastValues, n, observed, false);
        }
        Fit fit = fit(cycle, slots, windowMillis, pastStarts, pastValues, n, start);
        if (weekly == null) {
            if (fit == null) {
                // Slots of the recent windows are still learning: fall back to the recent level.
                return evaluateFallback(pastValues, n, observed, true);
            }
            return scored(observed, fit.expected(), fit.spread(), fill, "seasonal", BaselineState.READY);
        }
        // Automatic: of the daily and the weekly rhythm, the one that has forecast the series better over about a
        // week is fitted to the recent windows; it judges this window if it explains them better than their level.
        Map<String, Fit> rhythms = new LinkedHashMap<>();
        if (fit != null) {
            rhythms.put(DAILY, fit);
        }
        Fit week = fit(weekly, weeklySlots, windowMillis, pastStarts, pastValues, n, start);
        if (week != null) {
            rhythms.put(WEEKLY, week);
        }
        Fit rhythm = rhythms.isEmpty() ? null : rhythms.get(chosen(fits, rhythms, windowMillis));
        if (learnFits) {
            learnFits(fits, rhythms, observed, windowMillis);
        }
        double recentLevel = Stats.median(pastValues, n);
        double recentSpread = Stats.MAD_TO_SIGMA * Stats.mad(pastValues, n, recentLevel);
        if (rhythm == null || rhythm.spread() >= recentSpread) {
            return scored(observed, recentLevel, recentSpread, fill, "robust_zscore", BaselineState.READY);
        }
        return scored(observed, rhythm.expected(), rhythm.spread(), fill, "seasonal", BaselineState.READY);
    }

    /**
     * The rhythm with the smallest forecast error, once each has forecast at least a day's
     * windows; until then (a new series, or weekly slots that just filled) the one whose
     * recent residuals are tightest.
     */
    private String chosen(Map<String, BaselineFit> fits, Map<String, Fit> rhythms, long windowMillis) {
        long warm = Math.max(rule.minHistory(), Seasonality.DAILY.periodMillis() / windowMillis);
        String best = null;
        String tightest = null;
        boolean allWarm = true;
        for (Map.Entry<String, Fit> c : rhythms.entrySet()) {
            BaselineFit f = fits.get(c.getKey());
            if (f == null || f.getCount() < warm) {
                allWarm = false;
            } else if (best == null || f.getError() < fits.get(best).getError()) {
                best = c.getKey();
            }
            if (tightest == null
                    || c.getValue().spread() < rhythms.get(tightest).spread()) {
                tightest = c.getKey();
            }
        }
        return allWarm ? best : tightest;
    }

    /**
     * Adds a complete window's absolute error to each baseline that forecast it: a plain
     * mean at first, then exponentially weighted over about a week of windows, so that a
     * weekly rhythm weighs in as much as a daily one.
     */
    private void learnFits(
            Map<String, BaselineFit> fits, Map<String, Fit> rhythms, double observed, long windowMillis) {
        long memory = Math.max(rule.minHistory(), Seasonality.WEEKLY.periodMillis() / windowMillis);
        for (Map.Entry<String, Fit> c : rhythms.entrySet()) {
            BaselineFit f = fits.computeIfAbsent(c.getKey(), k -> new BaselineFit(0.0, 0L));
            double alpha = Math.max(1.0 / memory, 1.0 / (f.getCount() + 1));
            f.setError(f.getError() + alpha * (Math.abs(observed - c.getValue().expected()) - f.getError()));
            f.setCount(f.getCount() + 1);
        }
    }

    /**
     * The seasonal expectation now plus the recent level of the residuals (weight
     * {@code blend}), and the residuals' spread; null while the slots of this window or of
     * too many recent windows know too few previous periods.
     */
    private Fit fit(
            Cycle c,
            List<SeasonalSlot> slots,
            long windowMillis,
            long[] pastStarts,
            double[] pastValues,
            int n,
            long start) {
        Double now = seasonalExpected(c, slots, windowMillis, start);
        if (now == null) {
            return null;
        }
        double[] residuals = new double[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            Double s = seasonalExpected(c, slots, windowMillis, pastStarts[i]);
            if (s != null) {
                residuals[m++] = pastValues[i] - s;
            }
        }
        if (m < Math.max(rule.minHistory(), rule.historyWindows() / 2)) {
            return null;
        }
        double level = Stats.median(residuals, m);
        return new Fit(now + rule.blend() * level, Stats.MAD_TO_SIGMA * Stats.mad(residuals, m, level));
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
    Double seasonalExpected(Cycle c, List<SeasonalSlot> slots, long windowMillis, long start) {
        int count = c.slots(windowMillis);
        if (slots.size() != count) {
            return null;
        }
        long periodMillis = c.periodMillis();
        long slotMillis = periodMillis / count;
        long period = Math.floorDiv(start, periodMillis);
        // Position of the window's middle, in slots, relative to slot centres.
        double position = (Math.floorMod(start, periodMillis) + windowMillis / 2.0) / slotMillis - 0.5;
        int lower = (int) Math.floor(position);
        double weight = position - lower;
        Double a = slotMedian(c, slots, lower, period, count);
        Double b = slotMedian(c, slots, lower + 1, period, count);
        if (a == null || b == null) {
            return a != null ? a : b;
        }
        return (1 - weight) * a + weight * b;
    }

    /** The median of slot {@code index} (may wrap into the previous or next period) over its earlier periods. */
    private Double slotMedian(Cycle c, List<SeasonalSlot> slots, int index, long period, int count) {
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
        int from = Math.max(0, previous.size() - c.periodsKept());
        previous = previous.subList(from, previous.size());
        if (previous.size() < rule.minPeriods()) {
            return null;
        }
        double[] values = previous.stream().mapToDouble(Double::doubleValue).toArray();
        return Stats.median(values, values.length);
    }

    /** Adds a complete window to its slots (the weekly ones too for an automatic rule). */
    public void learn(
            List<SeasonalSlot> slots, List<SeasonalSlot> weeklySlots, long windowMillis, long start, double value) {
        learn(cycle, slots, windowMillis, start, value);
        learn(weekly, weeklySlots, windowMillis, start, value);
    }

    /** Adds a complete window to its slot of {@code c}, closing the slot's previous period if a new one began. */
    private static void learn(Cycle c, List<SeasonalSlot> slots, long windowMillis, long start, double value) {
        if (c == null) {
            if (!slots.isEmpty()) {
                slots.clear();
            }
            return;
        }
        int count = c.slots(windowMillis);
        if (slots.size() != count) {
            // First window, or the rule or window size changed: the old slots mean something else.
            slots.clear();
            for (int i = 0; i < count; i++) {
                slots.add(new SeasonalSlot(-1L, 0.0, 0, new ArrayList<>()));
            }
        }
        SeasonalSlot slot = slots.get(slotIndex(c, start, windowMillis));
        long period = Math.floorDiv(start, c.periodMillis());
        if (period < slot.getPeriod()) {
            return; // a late window of a period already closed
        }
        if (period > slot.getPeriod()) {
            if (slot.getCount() > 0) {
                List<Double> means = new ArrayList<>(slot.getMeans());
                means.add(slot.getSum() / slot.getCount());
                while (means.size() > c.periodsKept()) {
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

    static int slotIndex(Cycle c, long start, long windowMillis) {
        long slotMillis = c.periodMillis() / c.slots(windowMillis);
        return (int) Math.min(c.slots(windowMillis) - 1, Math.floorMod(start, c.periodMillis()) / slotMillis);
    }
}
