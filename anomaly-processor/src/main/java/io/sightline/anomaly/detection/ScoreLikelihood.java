package io.sightline.anomaly.detection;

import io.sightline.schemas.avro.ScoreCalibration;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The likelihood detector: how unusual the recent scores are <em>for this series</em>.
 * Real series are rarely Gaussian: one routinely reaches six sigma every day, another
 * never leaves two. A fixed sensitivity pages on the first all day long. Following the
 * anomaly likelihood of Ahmad, Lavin, Purdy and Agha ("Unsupervised real-time anomaly
 * detection for streaming data", Neurocomputing 262, 2017, section 4.2), each complete
 * window's score is capped and scaled to [0, 1], its average over the last
 * {@value #AVERAGED_WINDOWS} windows is compared with the running mean and variance of
 * that average, and the detector fires when the average lies further above its usual
 * value than a Gaussian tail of {@code likelihoodTail} allows. The running moments are
 * exponentially weighted over about {@value #MEMORY_WINDOWS} windows (the paper keeps a
 * long window of raw scores), so the state per series is bounded and the work per window
 * constant.
 */
public final class ScoreLikelihood {

    /** Windows averaged into the short-term score: a lone noisy window moves it little, a sustained change a lot. */
    public static final int AVERAGED_WINDOWS = 10;
    /** Memory of the running mean and variance, in windows. */
    public static final double MEMORY_WINDOWS = 250;
    /** Scores beyond this many sigma count as this many: one huge spike must not blind the detector for days. */
    public static final double SCORE_CAP = 8;
    /** Averages learned before the detector may fire. */
    public static final int WARMUP = 30;
    /** Floors of the paper's implementation: a series of near-zero scores must not fire on its first small blip. */
    private static final double MIN_MEAN = 0.03;

    private static final double MIN_VARIANCE = 0.0003;

    private final double sigma;

    public ScoreLikelihood(double tail) {
        this.sigma = new NormalDistribution(null, 0, 1).inverseCumulativeProbability(1 - tail);
    }

    /** The number of standard deviations above its usual value at which the short-term average fires. */
    public double sigma() {
        return sigma;
    }

    /** A window's score (in the alerting direction) capped and scaled to [0, 1]. */
    public static double capped(double directedScore) {
        return Math.max(0, Math.min(SCORE_CAP, directedScore)) / SCORE_CAP;
    }

    /**
     * How many standard deviations the short-term average, with {@code capped} as its
     * newest score, lies above its usual value; 0 while the calibration is warming up.
     */
    public double surprise(ScoreCalibration c, double capped) {
        if (c == null || c.getCount() < WARMUP) {
            return 0;
        }
        return standardized(average(c.getRecent(), capped), c.getMean(), c.getVariance());
    }

    /** Learns a complete window's capped score; returns the calibration to keep (a new one for a new series). */
    public static ScoreCalibration learn(ScoreCalibration c, double capped) {
        if (c == null) {
            c = new ScoreCalibration(new ArrayList<>(), 0.0, 0.0, 0L, 0.0, 0.0);
        }
        double average = average(c.getRecent(), capped);
        List<Double> recent = new ArrayList<>(c.getRecent());
        recent.add(capped);
        if (recent.size() > AVERAGED_WINDOWS - 1) {
            recent.remove(0);
        }
        c.setRecent(recent);
        // Plain averages until the memory is full, exponentially weighted after: an estimate that
        // starts from nothing is not biased towards zero variance in its first hundreds of windows.
        double alpha = Math.max(1 / MEMORY_WINDOWS, 1.0 / (c.getCount() + 1));
        double delta = average - c.getMean();
        c.setMean(c.getMean() + alpha * delta);
        c.setVariance(nextVariance(c.getVariance(), delta, alpha));
        double windowDelta = capped - c.getWindowMean();
        c.setWindowMean(c.getWindowMean() + alpha * windowDelta);
        c.setWindowVariance(nextVariance(c.getWindowVariance(), windowDelta, alpha));
        c.setCount(c.getCount() + 1);
        return c;
    }

    /**
     * How many standard deviations a single window's capped score lies above the usual one
     * for this series; the point detectors' gate. {@code Double.MAX_VALUE} while warming up,
     * so that the gate does not hold back a new series' first alerts.
     */
    public static double outlier(ScoreCalibration c, double capped) {
        if (c == null || c.getCount() < WARMUP) {
            return Double.MAX_VALUE;
        }
        return standardized(capped, c.getWindowMean(), c.getWindowVariance());
    }

    /** Standard deviations of {@code value} above {@code mean}, with the paper's floors on mean and variance. */
    private static double standardized(double value, double mean, double variance) {
        return (value - Math.max(MIN_MEAN, mean)) / Math.sqrt(Math.max(MIN_VARIANCE, variance));
    }

    /** One step of a weighted variance (West, 1979, incremental form); {@code delta} is from the old mean. */
    private static double nextVariance(double variance, double delta, double alpha) {
        return (1 - alpha) * (variance + alpha * delta * delta);
    }

    /** The average of the kept scores and {@code newest}. */
    private static double average(List<Double> recent, double newest) {
        double sum = newest;
        for (double r : recent) {
            sum += r;
        }
        return sum / (recent.size() + 1);
    }
}
