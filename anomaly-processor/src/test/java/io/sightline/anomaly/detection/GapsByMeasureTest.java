package io.sightline.anomaly.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.anomaly.AnomalyConfig;
import io.sightline.anomaly.rules.Gaps;
import io.sightline.anomaly.rules.MetricRule;
import io.sightline.anomaly.rules.RuleSet;
import io.sightline.schemas.avro.AlertStatus;
import io.sightline.schemas.avro.SeriesHistory;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The default rule's gaps follow what a series measures: a count's missing window is zero, a ratio's unknown. */
class GapsByMeasureTest {

    static final long MINUTE = 60_000L;

    @Test
    void shouldTakeAMissingWindowAsZeroOnlyForCounts() {
        assertThat(Gaps.AUTO.forMeasure("count")).isEqualTo(Gaps.ZERO);
        assertThat(Gaps.AUTO.forMeasure("unique_users")).isEqualTo(Gaps.ZERO);
        assertThat(Gaps.AUTO.forMeasure("sum")).isEqualTo(Gaps.ZERO);
        assertThat(Gaps.AUTO.forMeasure(null)).isEqualTo(Gaps.ZERO);
        assertThat(Gaps.AUTO.forMeasure("ratio")).isEqualTo(Gaps.SKIP);
        assertThat(Gaps.AUTO.forMeasure("p95")).isEqualTo(Gaps.SKIP);
        assertThat(Gaps.AUTO.forMeasure("gauge")).isEqualTo(Gaps.SKIP);
        assertThat(Gaps.ZERO.forMeasure("ratio"))
                .as("a rule that says zero means zero")
                .isEqualTo(Gaps.ZERO);
    }

    @Test
    void shouldAlertOnACountThatStopsButNotOnARatioWithoutSamples() {
        MetricRule rule =
                RuleSet.of(new AnomalyConfig(Map.of()).ruleBase(), List.of()).forMetric("checkout_conversion");
        assertThat(rule.gaps()).isEqualTo(Gaps.AUTO);

        assertThat(firingsWithAQuarterHourMissing(rule, "count")).isPositive();
        assertThat(firingsWithAQuarterHourMissing(rule, "ratio")).isZero();
    }

    /** Two hours of a series around 50 (sigma 2) with no update for 15 minutes in its second hour. */
    private static long firingsWithAQuarterHourMissing(MetricRule rule, String measure) {
        SeriesEngine engine = new SeriesEngine(rule);
        SeriesHistory h = SeriesEngine.newHistory();
        h.setMeasure(measure);
        Random random = new Random(5);
        long firings = 0;
        for (int i = 0; i < 120; i++) {
            if (i >= 80 && i < 95) {
                continue;
            }
            firings += engine.update(h, i * MINUTE, MINUTE, 50 + 2 * random.nextGaussian()).transitions().stream()
                    .filter(t -> t.status() == AlertStatus.firing)
                    .count();
        }
        return firings;
    }
}
