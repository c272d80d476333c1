package io.sightline.anomaly.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.anomaly.rules.MetricRule;
import io.sightline.anomaly.rules.TestRules;
import io.sightline.schemas.avro.AlertStatus;
import io.sightline.schemas.avro.SeriesHistory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code seasonality: auto} finds a weekly rhythm from the series' own history, by
 * simulation with fixed seeds: five-minute windows over four weeks, a daily cycle and a
 * weekend 30 lower (epoch day 2 and 3 of each week), no anomaly.
 */
class AutomaticSeasonalityTest {

    static final long WINDOW = 5 * 60_000L;
    static final int DAY = 288;

    static MetricRule rule(String seasonality) {
        return TestRules.defaults(Map.of("seasonality", seasonality));
    }

    static SyntheticSeries weekdaysAndWeekends(long seed) {
        return SyntheticSeries.builder(28 * DAY, WINDOW, seed)
                .level(100)
                .daily(50)
                .weekly(30)
                .noise(3)
                .build();
    }

    @Test
    void shouldJudgeTheLastWeekendAgainstTheWeeklyRhythm() {
        int autoFirings = 0;
        int dailyFirings = 0;
        double autoError = 0;
        double dailyError = 0;
        for (long seed = 31; seed <= 33; seed++) {
            SyntheticSeries s = weekdaysAndWeekends(seed);
            Run auto = run(rule("auto"), s);
            Run daily = run(rule("daily"), s);
            autoFirings += auto.firings();
            dailyFirings += daily.firings();
            autoError += auto.weekendError();
            dailyError += daily.weekendError();
        }
        // Days 22 to 25 (Friday to Monday): the daily rule takes the weekend's edges for a drop and a rise; the
        // automatic one fires only on the synthetic midnight step itself, as the weekly rule does (tuning table).
        assertThat(dailyFirings).isGreaterThanOrEqualTo(5);
        assertThat(autoFirings).isLessThanOrEqualTo(2);
        // Its expectations follow the weekend within the noise (sigma 3); the daily rule's lag behind each edge.
        assertThat(autoError / 3).isLessThan(3);
        assertThat(dailyError).isGreaterThan(1.3 * autoError);
    }

    /** Firings on days 22 to 25, and the mean absolute error of the expectation over the last weekend's windows. */
    private record Run(int firings, double weekendError) {}

    private static Run run(MetricRule rule, SyntheticSeries s) {
        SeriesEngine engine = new SeriesEngine(rule);
        SeriesHistory h = SeriesEngine.newHistory();
        int firings = 0;
        double error = 0;
        int weekend = 0;
        for (int i = 0; i < s.size(); i++) {
            SeriesEngine.Result r = engine.update(h, i * WINDOW, WINDOW, s.values()[i]);
            if (i >= 22 * DAY && i < 26 * DAY) {
                firings += (int) r.transitions().stream()
                        .filter(t -> t.status() == AlertStatus.firing)
                        .count();
            }
            for (ScoredWindow w : r.scored()) {
                long day = w.windowStart() / WINDOW / DAY;
                if (w.complete() && (day == 23 || day == 24)) {
                    error += Math.abs(w.evaluation().observed() - w.evaluation().expected());
                    weekend++;
                }
            }
        }
        return new Run(firings, error / weekend);
    }
}
