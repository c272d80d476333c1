package io.sightline.anomaly.evaluation;

import java.util.List;

/**
 * NAB's scoring rules (Lavin and Ahmad, "Evaluating Real-time Anomaly Detection
 * Algorithms - the Numenta Anomaly Benchmark", 2015; {@code nab/sweeper.py}), for
 * detections given as one flag per row:
 * <ul>
 *   <li>rows of the probationary period (the first 15 % of a file, at most 750 rows) do not count;</li>
 *   <li>a window counts its earliest detection, weighted by a scaled sigmoid of where in the window
 *       it falls ({@code tpWeight} at the left edge, 0 at the right); a window without one costs {@code fnWeight};</li>
 *   <li>every detection outside a window costs {@code fpWeight}, scaled by a sigmoid of its distance
 *       past the preceding window (a detection just after a window costs less), and fully before the first;</li>
 *   <li>the corpus score is normalized: 0 for the detector that never fires, 100 for one that
 *       detects every window at its left edge and nothing else.</li>
 * </ul>
 */
public final class NabScorer {

    static final double PROBATION_PERCENT = 0.15;

    private NabScorer() {}

    /** The raw score of one file and its counts. */
    public record FileScore(double score, int windows, int detectedWindows, int falsePositives) {}

    static double scaledSigmoid(double relativePosition) {
        return relativePosition > 3.0 ? -1.0 : 2 / (1 + Math.exp(5 * relativePosition)) - 1.0;
    }

    static int probationaryLength(int rows) {
        return (int) Math.min(Math.floor(PROBATION_PERCENT * rows), PROBATION_PERCENT * 5000);
    }

    public static FileScore score(LabelledSeries series, boolean[] detected, Profile profile) {
        int n = series.size();
        int probation = probationaryLength(n);
        double maxTp = scaledSigmoid(-1.0);
        List<LabelledSeries.Window> windows = series.windows();
        double[] best = new double[windows.size()];
        boolean[] counted = new boolean[windows.size()];
        java.util.Arrays.fill(best, Double.NEGATIVE_INFINITY);
        double fp = 0;
        int falsePositives = 0;
        int w = 0;
        int previousLast = -1;
        int previousWidth = 0;
        for (int i = 0; i < n; i++) {
            while (w < windows.size() && windows.get(w).last() < i) {
                previousLast = windows.get(w).last();
                previousWidth = windows.get(w).last() - windows.get(w).first() + 1;
                w++;
            }
            boolean inWindow = w < windows.size() && windows.get(w).first() <= i;
            if (inWindow && i >= probation) {
                counted[w] = true;
            }
            if (!detected[i] || i < probation) {
                continue;
            }
            if (inWindow) {
                LabelledSeries.Window current = windows.get(w);
                double width = current.last() - current.first() + 1;
                double position = -(current.last() - i + 1) / width;
                best[w] = Math.max(best[w], scaledSigmoid(position) * profile.tpWeight() / maxTp);
            } else {
                double unweighted = previousLast < 0
                        ? -1.0
                        : scaledSigmoid(Math.abs(previousLast - i) / (double) (previousWidth - 1));
                fp += unweighted * profile.fpWeight();
                falsePositives++;
            }
        }
        double score = fp;
        int detectedWindows = 0;
        int scoredWindows = 0;
        for (int k = 0; k < windows.size(); k++) {
            if (!counted[k]) {
                continue; // a window inside the probationary period is not scored
            }
            scoredWindows++;
            if (best[k] > Double.NEGATIVE_INFINITY) {
                score += Math.max(best[k], -profile.fnWeight());
                detectedWindows++;
            } else {
                score -= profile.fnWeight();
            }
        }
        return new FileScore(score, scoredWindows, detectedWindows, falsePositives);
    }

    /**
     * The normalized score of a set of files: {@code 100 (raw - null) / (perfect - null)}, where
     * the null detector misses every window and the perfect one catches each at its start.
     *
     * @param windows how many windows the labels hold (NAB's perfect score counts all of them)
     */
    public static double normalized(double raw, int windows, Profile profile) {
        double nullScore = -profile.fnWeight() * windows;
        double perfect = profile.tpWeight() * windows;
        return perfect == nullScore ? 0 : 100 * (raw - nullScore) / (perfect - nullScore);
    }
}
