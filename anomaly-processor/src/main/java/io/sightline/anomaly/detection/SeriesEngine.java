package io.sightline.anomaly.detection;

import io.sightline.anomaly.rules.DetectorKind;
import io.sightline.anomaly.rules.Direction;
import io.sightline.anomaly.rules.Gaps;
import io.sightline.anomaly.rules.MetricRule;
import io.sightline.anomaly.rules.ThresholdRule;
import io.sightline.schemas.avro.AlertState;
import io.sightline.schemas.avro.LatestEvaluation;
import io.sightline.schemas.avro.SeriesHistory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one metric's rule over one series: the same code serves the stream processor
 * and the backtest, so a backtest behaves exactly as the stream would.
 * <p>
 * Updates of the window still filling are scored live, but only a rise can fire there
 * (a window that just opened always looks low). When a newer window arrives, the
 * previous one (and any empty windows in between, which count as zero for counts) is
 * complete: it is judged in both directions, then learned into the seasonal slots, the
 * level-shift EWMA and (with the likelihood detector or the outlier gate) the series'
 * own score distribution ({@link ScoreLikelihood}). Each rule's alert then follows its
 * {@link AlertLifecycle}: fire over the sensitivity, resolve under the lower resolve
 * sensitivity.
 */
public final class SeriesEngine {

    /** How much stronger a deviation must be to fire while a seasonal rule still uses its fallback baseline. */
    public static final double FALLBACK_FACTOR = 2.0;

    /** How much further (in sigma units) the normalized level-shift EWMA must go than a single window's score. */
    public static final double LEVEL_SHIFT_MARGIN = 1.25;

    private final MetricRule rule;
    private final SeasonalBaseline baseline;
    private final double levelNorm;
    private final ScoreLikelihood likelihood;
    private final AlertLifecycle lifecycle;

    public SeriesEngine(MetricRule rule) {
        this.rule = rule;
        this.baseline = new SeasonalBaseline(rule);
        this.likelihood = new ScoreLikelihood(rule.likelihoodTail());
        this.lifecycle = new AlertLifecycle(rule);
        // The EWMA of unit-variance scores has variance alpha / (2 - alpha): normalize it back to sigma units.
        // Consecutive residuals share a baseline (and a seasonal estimate) and are not independent, which
        // widens the EWMA: its score is discounted by LEVEL_SHIFT_MARGIN so both detectors fire at one sensitivity.
        this.levelNorm = Math.sqrt((2 - rule.levelShiftAlpha()) / rule.levelShiftAlpha()) / LEVEL_SHIFT_MARGIN;
    }

    /**
     * Empty state for a new series. Built with constructors rather than Avro builders,
     * which resolve defaults through Avro's class-trust check before any serde has run.
     */
    public static SeriesHistory newHistory() {
        return new SeriesHistory(
                new ArrayList<>(),
                new ArrayList<>(),
                null,
                0L,
                new ArrayList<>(),
                0.0,
                0L,
                Long.MIN_VALUE,
                new HashMap<>(),
                null,
                null,
                null,
                new ArrayList<>(),
                new HashMap<>(),
                null,
                null);
    }

    public MetricRule rule() {
        return rule;
    }

    /** What one update did: alert transitions, and the windows scored (complete ones first, then the live one). */
    public record Result(List<Transition> transitions, List<ScoredWindow> scored) {}

    /** Applies one window update to {@code h} (mutated in place). */
    public Result update(SeriesHistory h, long start, long windowMillis, double value) {
        List<Transition> out = new ArrayList<>();
        List<ScoredWindow> scored = new ArrayList<>();
        migrateLegacyAlert(h);
        List<Long> starts = new ArrayList<>(h.getWindowStarts());
        List<Double> values = new ArrayList<>(h.getValues());
        h.setSlots(new ArrayList<>(h.getSlots()));
        h.setWeeklySlots(new ArrayList<>(h.getWeeklySlots()));
        h.setBaselineFits(new HashMap<>(h.getBaselineFits()));
        h.setAlerts(new HashMap<>(h.getAlerts()));
        h.setLastSeen(Math.max(h.getLastSeen(), start));
        h.setWindowMillis(windowMillis);

        if (starts.isEmpty() || start > starts.get(starts.size() - 1)) {
            if (!starts.isEmpty()) {
                long last = starts.get(starts.size() - 1);
                if (last > h.getCompletedThrough()) {
                    scored.add(complete(h, starts, values, windowMillis, out));
                }
                // Windows without events never produce an update: a count's are zero (only the most
                // recent ones matter to the baseline); a gauge's are unknown and left out.
                if (rule.gaps().forMeasure(h.getMeasure()) == Gaps.ZERO) {
                    long firstMissing =
                            Math.max(last + windowMillis, start - (long) rule.historyWindows() * windowMillis);
                    for (long missing = firstMissing; missing < start; missing += windowMillis) {
                        starts.add(missing);
                        values.add(0.0);
                        scored.add(complete(h, starts, values, windowMillis, out));
                    }
                }
            }
            starts.add(start);
            values.add(value);
        } else {
            int at = starts.lastIndexOf(start);
            if (at < 0) {
                return new Result(out, scored); // older than the history kept: too late to matter
            }
            double before = values.get(at);
            values.set(at, value);
            if (start <= h.getCompletedThrough()) {
                store(h, starts, values);
                if (value != before) {
                    reviseJudged(h, starts.subList(0, at + 1), values.subList(0, at + 1), windowMillis, out);
                }
                return new Result(out, scored);
            }
            if (at != starts.size() - 1) {
                store(h, starts, values);
                return new Result(out, scored);
            }
        }
        store(h, starts, values);
        scored.add(live(h, windowMillis, out));
        return new Result(out, scored);
    }

    /**
     * Judges the windows that must be over by {@code now} (stream time) although no
     * update came for them: a window is taken as complete once a whole further window
     * has passed after its end (the aggregator may still update the previous window),
     * and a window without updates counts as zero. This is how a series that stops
     * altogether (a source that stops sending) alerts without waiting for its next update.
     */
    public Result advance(SeriesHistory h, long now) {
        List<Transition> out = new ArrayList<>();
        List<ScoredWindow> scored = new ArrayList<>();
        long size = h.getWindowMillis();
        if (size <= 0 || h.getWindowStarts().isEmpty()) {
            return new Result(out, scored);
        }
        migrateLegacyAlert(h);
        List<Long> starts = new ArrayList<>(h.getWindowStarts());
        List<Double> values = new ArrayList<>(h.getValues());
        h.setSlots(new ArrayList<>(h.getSlots()));
        h.setWeeklySlots(new ArrayList<>(h.getWeeklySlots()));
        h.setBaselineFits(new HashMap<>(h.getBaselineFits()));
        h.setAlerts(new HashMap<>(h.getAlerts()));
        long last = starts.get(starts.size() - 1);
        if (last > h.getCompletedThrough() && last + 2 * size <= now) {
            scored.add(complete(h, starts, values, size, out));
        }
        int added = 0;
        boolean zero = rule.gaps().forMeasure(h.getMeasure()) == Gaps.ZERO;
        for (long missing = last + size;
                zero && missing + 2 * size <= now && added <= rule.historyWindows();
                missing += size, added++) {
            starts.add(missing);
            values.add(0.0);
            scored.add(complete(h, starts, values, size, out));
        }
        store(h, starts, values);
        return new Result(out, scored);
    }

    private ScoredWindow complete(
            SeriesHistory h, List<Long> starts, List<Double> values, long windowMillis, List<Transition> out) {
        int last = starts.size() - 1;
        long start = starts.get(last);
        h.setCompletedThrough(start);
        double observed = values.get(last);
        Evaluation base = evaluateBase(h, starts, values, windowMillis, true);
        double ewma = h.getLevelEwma();
        if (base.state() == BaselineState.READY) {
            ewma = nextEwma(ewma, base.score());
            h.setLevelEwma(ewma);
        }
        double capped = ScoreLikelihood.capped(rule.direction().directed(base.score()));
        Surprise surprise = surprise(h, base, capped);
        Evaluation stat = combine(base, ewma * levelNorm, surprise);
        if (leavesRange(h, base)) {
            surprise = new Surprise(surprise.recent(), surprise.window(), true);
            if (!pointFires(stat, surprise, rule.sensitivity()) && surprise.recent() < likelihood.sigma()) {
                stat = base.by("range", base.score(), base.confidence());
            }
        }
        learnRange(h, observed);
        statisticalLifecycle(h, stat, base, surprise, start, windowMillis, true, out);
        for (ThresholdRule t : rule.thresholds()) {
            thresholdLifecycle(h, t, base, start, windowMillis, out);
        }
        if (base.state() == BaselineState.READY && calibrates()) {
            h.setCalibration(ScoreLikelihood.learn(h.getCalibration(), capped));
        }
        baseline.learn(h.getSlots(), h.getWeeklySlots(), windowMillis, start, observed);
        ScoredWindow s = new ScoredWindow(start, stat, anomalyScore(stat), true);
        setLatest(h, s);
        return s;
    }

    /**
     * A window already judged, revised: alerts only if the revised value deviates on
     * its own (no level-shift memory, which has moved on) while no alert of the rule is open.
     */
    private void reviseJudged(
            SeriesHistory h, List<Long> starts, List<Double> values, long windowMillis, List<Transition> out) {
        if (rule.detectors().isEmpty()) {
            return;
        }
        if (lifecycle.isFiring(h.getAlerts(), rule.name())) {
            return;
        }
        Evaluation base = evaluateBase(h, starts, values, windowMillis);
        double fireAt =
                base.state() == BaselineState.FALLBACK ? FALLBACK_FACTOR * rule.sensitivity() : rule.sensitivity();
        if (base.learning()
                || !hasVolume(base, rule.minVolume())
                || rule.direction().directed(base.score()) < fireAt) {
            return;
        }
        lifecycle.fireOnRevision(h.getAlerts(), rule.name(), base, starts.get(starts.size() - 1), severity(base), out);
    }

    private ScoredWindow live(SeriesHistory h, long windowMillis, List<Transition> out) {
        List<Long> starts = h.getWindowStarts();
        List<Double> values = h.getValues();
        long start = starts.get(starts.size() - 1);
        Evaluation base = evaluateBase(h, starts, values, windowMillis);
        double ewma = h.getLevelEwma();
        if (base.state() == BaselineState.READY) {
            ewma = nextEwma(ewma, base.score());
        }
        Surprise surprise =
                surprise(h, base, ScoreLikelihood.capped(rule.direction().directed(base.score())));
        Evaluation stat = combine(base, ewma * levelNorm, surprise);
        if (stat.score() > 0) {
            statisticalLifecycle(h, stat, base, surprise, start, windowMillis, false, out);
        }
        ScoredWindow s = new ScoredWindow(start, stat, anomalyScore(stat), false);
        setLatest(h, s);
        return s;
    }

    /** One EWMA step; a score is clipped first, so that one huge spike does not hold the level-shift alert for long. */
    private double nextEwma(double ewma, double score) {
        double clipped = Math.max(-2 * rule.sensitivity(), Math.min(2 * rule.sensitivity(), score));
        return rule.levelShiftAlpha() * clipped + (1 - rule.levelShiftAlpha()) * ewma;
    }

    /** The baseline evaluation of the last value of {@code values} against the ones before it. */
    private Evaluation evaluateBase(SeriesHistory h, List<Long> starts, List<Double> values, long windowMillis) {
        return evaluateBase(h, starts, values, windowMillis, false);
    }

    /** As above; {@code complete}: the window is complete, and teaches an automatic rule how well each baseline fits. */
    private Evaluation evaluateBase(
            SeriesHistory h, List<Long> starts, List<Double> values, long windowMillis, boolean complete) {
        int last = values.size() - 1;
        int n = Math.min(last, rule.historyWindows());
        long[] pastStarts = new long[n];
        double[] pastValues = new double[n];
        for (int i = 0; i < n; i++) {
            pastStarts[i] = starts.get(last - n + i);
            pastValues[i] = values.get(last - n + i);
        }
        return baseline.evaluate(
                h.getSlots(),
                h.getWeeklySlots(),
                h.getBaselineFits(),
                complete,
                windowMillis,
                pastStarts,
                pastValues,
                n,
                starts.get(last),
                values.get(last));
    }

    /**
     * How unusual a window is for this series, in standard deviations of its own scores:
     * the recent average (the likelihood detector; 0 when it does not run) and the window
     * alone (the point detectors' gate; unbounded when the gate is off or still warming up).
     */
    private record Surprise(double recent, double window, boolean outOfRange) {
        /** Neither the likelihood detector nor the gate has anything to say. */
        static final Surprise NONE = new Surprise(0, Double.MAX_VALUE, false);
    }

    private Surprise surprise(SeriesHistory h, Evaluation base, double capped) {
        if (base.state() != BaselineState.READY || !calibrates()) {
            return Surprise.NONE;
        }
        double recent = rule.detectors().contains(DetectorKind.LIKELIHOOD)
                ? likelihood.surprise(h.getCalibration(), capped)
                : 0;
        double window =
                rule.outlierSigma() > 0 ? ScoreLikelihood.outlier(h.getCalibration(), capped) : Double.MAX_VALUE;
        return new Surprise(recent, window, false);
    }

    /** Tolerance of the range detector, as a share of the range: a new extreme by less than this is not one. */
    static final double RANGE_TOLERANCE = 0.05;

    /**
     * Whether a complete window leaves the range of every complete window before it (in
     * an alerting direction) by more than {@link #RANGE_TOLERANCE} of that range: a gauge
     * reaching a level it has never had. Only once the series has a full history
     * ({@code historyWindows}), so that the range has seen its usual swings first.
     */
    private boolean leavesRange(SeriesHistory h, Evaluation base) {
        if (!rule.detectors().contains(DetectorKind.RANGE)
                || base.state() != BaselineState.READY
                || h.getRangeLow() == null
                || h.getValues().size() <= rule.historyWindows()) {
            return false;
        }
        double low = h.getRangeLow();
        double high = h.getRangeHigh();
        double tolerance = RANGE_TOLERANCE * (high - low);
        if (tolerance <= 0) {
            return false;
        }
        double v = base.observed();
        boolean above = v > high + tolerance && rule.direction() != Direction.DOWN;
        boolean below = v < low - tolerance && rule.direction() != Direction.UP;
        return above || below;
    }

    private void learnRange(SeriesHistory h, double observed) {
        if (!rule.detectors().contains(DetectorKind.RANGE)) {
            return;
        }
        h.setRangeLow(h.getRangeLow() == null ? observed : Math.min(h.getRangeLow(), observed));
        h.setRangeHigh(h.getRangeHigh() == null ? observed : Math.max(h.getRangeHigh(), observed));
    }

    /** Whether the series keeps the distribution of its own scores: for the likelihood detector, or the outlier gate. */
    private boolean calibrates() {
        return rule.detectors().contains(DetectorKind.LIKELIHOOD) || rule.outlierSigma() > 0;
    }

    /**
     * The evaluation an alert shows: the point or level-shift detector that sees the
     * deviation most strongly in the directions the rule alerts on, or the likelihood
     * detector when only it fires.
     */
    private Evaluation combine(Evaluation base, double levelScore, Surprise surprise) {
        if (base.state() != BaselineState.READY) {
            return base; // the level-shift detector needs the full baseline: residuals of a fallback carry the season
        }
        Evaluation strongest = strongest(base, levelScore);
        if (!pointFires(strongest, surprise, rule.sensitivity()) && surprise.recent() >= likelihood.sigma()) {
            return base.by(
                    "likelihood",
                    base.score(),
                    Stats.clamp01(0.5 + 0.5 * Math.min(1.0, surprise.recent() / (2 * likelihood.sigma()))));
        }
        return strongest;
    }

    /**
     * Whether the point or level-shift detector fires on {@code stat}: its score reaches
     * {@code fireAt} in an alerting direction and passes the outlier gate. A likelihood-only
     * rule never fires on a window's own score.
     */
    private boolean pointFires(Evaluation stat, Surprise surprise, double fireAt) {
        boolean byScore = switch (stat.detector()) {
            case "level_shift" -> true;
            case "likelihood" -> false;
            default -> pointDetectors();
        };
        return byScore && rule.direction().directed(stat.score()) >= fireAt && surprise.window() >= rule.outlierSigma();
    }

    /** Whether the rule fires on the window's own score: a likelihood-only rule does not. */
    private boolean pointDetectors() {
        return rule.detectors().contains(DetectorKind.SEASONAL)
                || rule.detectors().contains(DetectorKind.LEVEL_SHIFT);
    }

    private Evaluation strongest(Evaluation base, double levelScore) {
        boolean seasonal = rule.detectors().contains(DetectorKind.SEASONAL);
        boolean level = rule.detectors().contains(DetectorKind.LEVEL_SHIFT);
        Direction d = rule.direction();
        if (level && (!seasonal || d.directed(levelScore) > d.directed(base.score()))) {
            double strength = Math.min(1.0, Math.abs(levelScore) / (2 * rule.sensitivity()));
            double confidence = Stats.clamp01(base.confidence()
                    - 0.5 * Math.min(1.0, Math.abs(base.score()) / (2 * rule.sensitivity()))
                    + 0.5 * strength);
            return base.by("level_shift", levelScore, confidence);
        }
        return base;
    }

    private boolean hasVolume(Evaluation e, double minVolume) {
        return Math.max(e.observed(), e.expected()) >= minVolume;
    }

    private void statisticalLifecycle(
            SeriesHistory h,
            Evaluation stat,
            Evaluation base,
            Surprise surprise,
            long start,
            long windowMillis,
            boolean complete,
            List<Transition> out) {
        if (rule.detectors().isEmpty()) {
            return;
        }
        Direction d = rule.direction();
        boolean volume = hasVolume(stat, rule.minVolume());
        // The fallback of a seasonal rule cannot tell a daily ramp from an anomaly: only gross deviations fire.
        double fireAt =
                stat.state() == BaselineState.FALLBACK ? FALLBACK_FACTOR * rule.sensitivity() : rule.sensitivity();
        boolean fire = !stat.learning()
                && volume
                && (pointFires(stat, surprise, fireAt)
                        || surprise.recent() >= likelihood.sigma()
                        || surprise.outOfRange());
        // Resolve once the window itself is back inside the resolve band, no level shift is still under way
        // and the recent scores are back within what is usual for the series.
        double level = stat.detector().equals("level_shift") ? stat.score() : 0;
        boolean resolve = !volume
                || stat.learning()
                || (!pointDetectors()
                                || d.directed(base.score()) < rule.resolveSensitivity()
                                        && d.directed(level) < rule.sensitivity())
                        && surprise.recent() < likelihood.sigma() / 2;
        lifecycle.advance(
                h.getAlerts(),
                new AlertLifecycle.Verdict(
                        rule.name(), fire, resolve, stat, complete, rule.firingWindows(), severity(stat)),
                start,
                windowMillis,
                out);
    }

    private void thresholdLifecycle(
            SeriesHistory h, ThresholdRule t, Evaluation base, long start, long windowMillis, List<Transition> out) {
        double observed = base.observed();
        boolean breach = false;
        double bound = Double.NaN;
        double score = 0;
        if (t.above() != null && observed > t.above()) {
            breach = true;
            bound = t.above();
            score = t.above() == 0 ? 1 : (observed - t.above()) / Math.abs(t.above());
        } else if (t.below() != null && observed < t.below()) {
            breach = true;
            bound = t.below();
            score = t.below() == 0 ? -1 : (observed - t.below()) / Math.abs(t.below());
        } else if (t.changePercent() != null && !base.learning() && base.expected() != 0) {
            double change = 100 * (observed - base.expected()) / Math.abs(base.expected());
            if (t.direction().directed(change) > t.changePercent()) {
                breach = true;
                bound = base.expected();
                score = change / 100;
            }
        }
        breach = breach && Math.max(observed, base.expected()) >= t.minVolume();
        double lower = t.below() != null ? t.below() : Double.NEGATIVE_INFINITY;
        double upper = t.above() != null ? t.above() : Double.POSITIVE_INFINITY;
        if (t.changePercent() != null && !base.learning()) {
            lower = Math.max(lower, base.expected() * (1 - t.changePercent() / 100));
            upper = Math.min(upper, base.expected() * (1 + t.changePercent() / 100));
        }
        Evaluation e = new Evaluation(
                observed,
                Double.isNaN(bound) ? base.expected() : bound,
                Double.isInfinite(lower) ? -Double.MAX_VALUE : lower,
                Double.isInfinite(upper) ? Double.MAX_VALUE : upper,
                score,
                1.0,
                "threshold",
                base.state());
        lifecycle.advance(
                h.getAlerts(),
                new AlertLifecycle.Verdict(t.name(), breach, !breach, e, true, t.forWindows(), t.severity()),
                start,
                windowMillis,
                out);
    }

    private String severity(Evaluation e) {
        if (!rule.severity().equals("auto")) {
            return rule.severity();
        }
        return Math.abs(e.score()) >= 2 * rule.sensitivity() ? "critical" : "warning";
    }

    private double anomalyScore(Evaluation e) {
        if (e.learning()) {
            return 0;
        }
        return Stats.clamp01(rule.direction().directed(e.score()) / (2 * rule.sensitivity()));
    }

    private void setLatest(SeriesHistory h, ScoredWindow s) {
        Evaluation e = s.evaluation();
        h.setLatest(new LatestEvaluation(
                s.windowStart(),
                e.observed(),
                e.expected(),
                e.score(),
                !e.learning()
                        && hasVolume(e, rule.minVolume())
                        && rule.direction().directed(e.score()) >= rule.resolveSensitivity(),
                e.learning(),
                h.getWindowMillis()));
    }

    private void store(SeriesHistory h, List<Long> starts, List<Double> values) {
        int keep = rule.historyWindows() + 1;
        int from = Math.max(0, starts.size() - keep);
        h.setWindowStarts(new ArrayList<>(starts.subList(from, starts.size())));
        h.setValues(new ArrayList<>(values.subList(from, values.size())));
    }

    /** State written before rules existed kept one open alert in {@code firingSince}: it belongs to the statistical rule. */
    private void migrateLegacyAlert(SeriesHistory h) {
        if (h.getFiringSince() != null) {
            Map<String, AlertState> alerts = new HashMap<>(h.getAlerts());
            alerts.putIfAbsent(rule.name(), new AlertState(h.getFiringSince(), 0, 0, h.getFiringSince(), 0L));
            h.setAlerts(alerts);
            h.setFiringSince(null);
        }
    }
}
