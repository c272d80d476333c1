package io.sightline.anomaly.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.anomaly.AnomalyConfig;
import io.sightline.anomaly.backtest.BacktestRun;
import io.sightline.anomaly.backtest.Row;
import io.sightline.anomaly.rules.MetricRule;
import io.sightline.anomaly.rules.RuleSet;
import io.sightline.schemas.avro.AlertStatus;
import io.sightline.schemas.avro.SeriesHistory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The gauges rule (deploy/rules/gauges.yaml: likelihood detector, outlier gate, automatic
 * seasonality) against the default rule, by simulation with fixed seeds.
 */
class LikelihoodDetectionTest {

    static final long WINDOW = 5 * 60_000L;
    static final int DAY = 288;

    static MetricRule gauges() {
        return RuleSet.load(
                        new AnomalyConfig(Map.of()).ruleBase(),
                        Path.of("..", "deploy", "rules", "gauges.yaml"),
                        List.of())
                .forMetric("cpu_utilization");
    }

    static MetricRule classic() {
        return RuleSet.of(new AnomalyConfig(Map.of()).ruleBase(), List.of()).forMetric("cpu_utilization");
    }

    /**
     * Fourteen days of a gauge around 50 (sigma 2) whose noise has heavy tails: a burst of
     * 6 to 12 sigma every 20 to 60 windows, as CPU and latency series have. With
     * {@code shiftAt} >= 0, the level rises by 8 (4 sigma) from there for six hours.
     */
    static List<Row> burstyGauge(long seed, int shiftAt) {
        Random random = new Random(seed);
        List<Row> rows = new ArrayList<>();
        int nextBurst = 20 + random.nextInt(40);
        for (int i = 0; i < 14 * DAY; i++) {
            double v = 50 + 2 * random.nextGaussian();
            if (i == nextBurst) {
                v += (random.nextBoolean() ? 1 : -1) * 2 * (6 + 6 * random.nextDouble());
                nextBurst = i + 20 + random.nextInt(40);
            }
            boolean shifted = shiftAt >= 0 && i >= shiftAt && i < shiftAt + 72;
            rows.add(new Row(i * WINDOW, v + (shifted ? 8 : 0), shifted && i < shiftAt + 3));
        }
        return rows;
    }

    @Test
    void shouldLearnThatASeriesRoutinelyBurstsAndStayQuiet() {
        int classicFirings = 0;
        int gaugeFirings = 0;
        int gaugeFiringsAfterDay4 = 0;
        for (long seed = 1; seed <= 3; seed++) {
            List<Row> rows = burstyGauge(seed, -1);
            classicFirings +=
                    BacktestRun.run(classic(), rows, WINDOW, 3).metrics().firings();
            for (BacktestRun.Detection d :
                    BacktestRun.run(gauges(), rows, WINDOW, 3).detections()) {
                if (d.transition().status() == AlertStatus.firing) {
                    gaugeFirings++;
                    gaugeFiringsAfterDay4 += d.row() >= 4 * DAY ? 1 : 0;
                }
            }
        }
        // The default rule pages on every burst. The gauges rule learns within its first day that bursts are usual;
        // its range detector still fires on the largest bursts of the first days (each a level never seen before).
        assertThat(classicFirings).isGreaterThan(200);
        assertThat(gaugeFirings).isLessThanOrEqualTo(9);
        assertThat(gaugeFiringsAfterDay4).isLessThanOrEqualTo(1);
    }

    @Test
    void shouldStillFindASustainedShiftInABurstySeries() {
        int detected = 0;
        for (long seed = 11; seed <= 15; seed++) {
            List<Row> rows = burstyGauge(seed, 10 * DAY);
            BacktestRun.Metrics m = BacktestRun.run(gauges(), rows, WINDOW, 10).metrics();
            detected += m.detectedEvents();
        }
        assertThat(detected).isGreaterThanOrEqualTo(4);
    }

    @Test
    void shouldJudgeADailySeriesAgainstItsDailyRhythmOnly() {
        MetricRule rule = gauges();
        SyntheticSeries daily = SyntheticSeries.builder(10 * DAY, WINDOW, 21)
                .level(100)
                .daily(50)
                .noise(3)
                .build();
        SyntheticSeries flat = SyntheticSeries.builder(10 * DAY, WINDOW, 22)
                .level(100)
                .noise(3)
                .build();

        // The level-shift and likelihood detectors show on top of either baseline.
        assertThat(detectorsOfLastDay(rule, daily)).containsKey("seasonal").doesNotContainKey("robust_zscore");
        // Without a rhythm both baselines fit about equally (the choice follows the noise): the level is one of them.
        assertThat(detectorsOfLastDay(rule, flat)).containsKey("robust_zscore");
    }

    /** How often each baseline judged the complete windows of the series' last day. */
    private static Map<String, Integer> detectorsOfLastDay(MetricRule rule, SyntheticSeries s) {
        SeriesEngine engine = new SeriesEngine(rule);
        SeriesHistory h = SeriesEngine.newHistory();
        Map<String, Integer> used = new HashMap<>();
        for (int i = 0; i < s.size(); i++) {
            for (ScoredWindow w :
                    engine.update(h, i * WINDOW, WINDOW, s.values()[i]).scored()) {
                if (w.complete() && w.windowStart() >= (s.size() - DAY) * WINDOW) {
                    used.merge(w.evaluation().detector(), 1, Integer::sum);
                }
            }
        }
        return used;
    }
}
