package io.sightline.anomaly.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.anomaly.rules.MetricRule;
import io.sightline.anomaly.rules.TestRules;
import io.sightline.schemas.avro.AlertStatus;
import io.sightline.schemas.avro.SeriesHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The range detector alone, by simulation with a fixed seed: a gauge between 45 and 55
 * (uniform, so its range is learned within a day) for two days of five-minute windows,
 * then a third day at another level.
 */
class RangeDetectionTest {

    static final long WINDOW = 5 * 60_000L;
    static final int DAY = 288;

    /**
     * Alone, the detector's alert resolves as soon as the windows stop setting new extremes, and
     * the next new extreme of the same excursion would fire again: a day's cooldown makes one alert.
     */
    static MetricRule rangeOnly(String direction) {
        return TestRules.defaults(Map.of(
                "detectors",
                "[range]",
                "historyWindows",
                "288",
                "cooldown",
                "288",
                "gaps",
                "skip",
                "direction",
                direction));
    }

    /** Firings: the detector and the day (0-based) of each. */
    private static List<String> firings(MetricRule rule, double thirdDayOffset) {
        Random random = new Random(7);
        SeriesEngine engine = new SeriesEngine(rule);
        SeriesHistory h = SeriesEngine.newHistory();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 3 * DAY; i++) {
            double v = 45 + 10 * random.nextDouble() + (i >= 2 * DAY ? thirdDayOffset : 0);
            for (Transition t : engine.update(h, i * WINDOW, WINDOW, v).transitions()) {
                if (t.status() == AlertStatus.firing) {
                    out.add(t.evaluation().detector() + "@" + i / DAY);
                }
            }
        }
        return out;
    }

    @Test
    void shouldStayQuietWhileTheGaugeKeepsToItsRange() {
        assertThat(firings(rangeOnly("both"), 0)).isEmpty();
    }

    @Test
    void shouldFireOnceWhenTheGaugeLeavesEveryLevelItHasHad() {
        // The third day between 65 and 75 (or 25 and 35) is beyond the range by far more than a twentieth of it.
        assertThat(firings(rangeOnly("both"), 20)).containsExactly("range@2");
        assertThat(firings(rangeOnly("both"), -20)).containsExactly("range@2");
    }

    @Test
    void shouldFireOnlyInTheRuleDirection() {
        assertThat(firings(rangeOnly("up"), -20)).isEmpty();
        assertThat(firings(rangeOnly("down"), 20)).isEmpty();
        assertThat(firings(rangeOnly("up"), 20)).containsExactly("range@2");
    }
}
