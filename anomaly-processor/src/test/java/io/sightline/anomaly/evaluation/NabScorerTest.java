package io.sightline.anomaly.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * NAB's rules on hand-computed cases. (Against NAB's own published scores the scorer is
 * checked with {@code evaluate --published <detector>}: see docs/anomaly-detection.md.)
 */
class NabScorerTest {

    /** 100 rows (the first 15 probationary) with one window over rows 50..59. */
    static LabelledSeries series() {
        long[] t = new long[100];
        double[] v = new double[100];
        for (int i = 0; i < 100; i++) {
            t[i] = i * 60_000L;
        }
        return new LabelledSeries("cat/one.csv", "cat", t, v, List.of(new LabelledSeries.Window(50, 59)));
    }

    static boolean[] at(int... rows) {
        boolean[] flags = new boolean[100];
        for (int r : rows) {
            flags[r] = true;
        }
        return flags;
    }

    @Test
    void aDetectionAtTheWindowsLeftEdgeEarnsTheWholeTruePositiveWeight() {
        NabScorer.FileScore score = NabScorer.score(series(), at(50, 52), Profile.STANDARD);
        assertThat(score.score()).isCloseTo(1.0, within(1e-9));
        assertThat(score.detectedWindows()).isEqualTo(1);
        assertThat(NabScorer.normalized(score.score(), 1, Profile.STANDARD)).isCloseTo(100.0, within(1e-9));
    }

    @Test
    void aLateDetectionEarnsLessByTheScaledSigmoid() {
        // position -(59 - 59 + 1) / 10 = -0.1: 2 sigmoid(0.5) - 1 = 0.24492, over the maximum 2 sigmoid(5) - 1 =
        // 0.98661
        assertThat(NabScorer.score(series(), at(59), Profile.STANDARD).score())
                .isCloseTo(0.24492 / 0.98661, within(1e-4));
    }

    @Test
    void falsePositivesCostTheFalsePositiveWeightLessJustAfterAWindow() {
        // before any window: the full cost; 11 rows after a window of 10: sigmoid of 11 / 9
        double expectedAfter = (2 / (1 + Math.exp(5 * 11.0 / 9)) - 1) * 0.11;
        NabScorer.FileScore score = NabScorer.score(series(), at(30, 70), Profile.STANDARD);
        assertThat(score.score()).isCloseTo(-1.0 - 0.11 + expectedAfter, within(1e-9));
        assertThat(score.falsePositives()).isEqualTo(2);
        assertThat(NabScorer.score(series(), at(30), Profile.REWARD_LOW_FP).score())
                .isCloseTo(-1.0 - 0.22, within(1e-9));
    }

    @Test
    void aMissedWindowCostsTheFalseNegativeWeightAndTheProbationaryPeriodDoesNotCount() {
        assertThat(NabScorer.score(series(), at(5), Profile.STANDARD).score()).isCloseTo(-1.0, within(1e-9));
        assertThat(NabScorer.score(series(), at(), Profile.REWARD_LOW_FN).score())
                .isCloseTo(-2.0, within(1e-9));
        assertThat(NabScorer.normalized(-1.0, 1, Profile.STANDARD)).isZero();
    }

    @Test
    void aWindowInsideTheProbationaryPeriodIsNotScored() {
        LabelledSeries early = new LabelledSeries(
                "cat/early.csv",
                "cat",
                series().timestamps(),
                series().values(),
                List.of(new LabelledSeries.Window(2, 8)));
        NabScorer.FileScore score = NabScorer.score(early, at(), Profile.STANDARD);
        assertThat(score.windows()).isZero();
        assertThat(score.score()).isZero();
    }
}
