package io.sightline.anomaly.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RobustZScoreDetectorTest {

    private final RobustZScoreDetector detector = new RobustZScoreDetector(new DetectorSettings(10, 5, 4.0, 2.0, 5.0));

    @Test
    void shouldScoreAgainstMedianAndMadSoOneOldOutlierDoesNotWidenTheBand() {
        double[] history = {10, 12, 11, 9, 10, 500, 11, 10};

        Evaluation e = detector.evaluate(history, 40);

        assertThat(e.expected()).isEqualTo(10.5);
        // |x - 10.5| sorted: 0.5 x5, 1.5, 1.5, 489.5 -> MAD 0.5, sigma 0.7413; the 500 does not move it.
        assertThat(e.score()).isCloseTo((40 - 10.5) / (0.5 * 1.4826), within(1e-9));
        assertThat(detector.shouldFire(e)).isTrue();
        assertThat(e.upper()).isCloseTo(10.5 + 4 * 0.5 * 1.4826, within(1e-9));
    }

    @Test
    void shouldNotFireOnTinyVolumes() {
        Evaluation e = detector.evaluate(new double[] {0, 0, 1, 0, 0}, 4.5);

        assertThat(Math.abs(e.score())).isGreaterThan(4.0);
        assertThat(detector.shouldFire(e)).isFalse();
    }

    @Test
    void shouldUseAFloorWhenTheHistoryIsFlat() {
        Evaluation e = detector.evaluate(new double[] {100, 100, 100, 100, 100}, 103);

        assertThat(e.score()).isCloseTo(0.3, within(1e-9));
        assertThat(detector.shouldFire(e)).isFalse();
    }

    @Test
    void shouldKeepConfidenceBetweenZeroAndOne() {
        Evaluation e = detector.evaluate(new double[] {10, 11, 9, 10, 10, 11, 9, 10, 10, 10}, 1_000_000);

        assertThat(e.confidence()).isBetween(0.0, 1.0).isEqualTo(1.0);
    }
}
