package io.sightline.anomaly.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.anomaly.AnomalyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleSetTest {

    private static final ObjectNode BASE = RuleSet.base(
            Map.of("detector.threshold", 4.0, "detector.resolve.threshold", 2.0, "detector.history.windows", 30));

    @TempDir
    Path dir;

    @Test
    void shouldGiveEveryMetricTheSettingsWhenThereIsNoRulesFile() {
        MetricRule rule = new AnomalyConfig(Map.of()).rules().forMetric("anything");

        assertThat(rule.name()).isEqualTo("anomaly");
        assertThat(rule.detectors()).containsExactlyInAnyOrder(DetectorKind.SEASONAL, DetectorKind.LEVEL_SHIFT);
        assertThat(rule.seasonality()).isEqualTo(Seasonality.NONE);
        assertThat(rule.sensitivity()).isEqualTo(5.0);
        assertThat(rule.renotifyMillis()).isEqualTo(240 * 60_000L);
    }

    @Test
    void shouldShipThresholdRulesForTheDataQualitySeriesFromTheSettings() {
        RuleSet rules = new AnomalyConfig(Map.of(
                        "SIGHTLINE_QUALITY_REJECTED_SHARE_MAX", "0.1", "SIGHTLINE_QUALITY_LAG_MAX_SECONDS", "90"))
                .rules();

        MetricRule share = rules.forMetric(DataQualityRules.REJECTED_SHARE_METRIC);
        assertThat(share.detectors()).isEmpty();
        assertThat(share.thresholds()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("RejectedShareHigh");
            assertThat(t.above()).isEqualTo(0.1);
            assertThat(t.severity()).isEqualTo("warning");
        });
        MetricRule lag = rules.forMetric(DataQualityRules.PIPELINE_LAG_METRIC);
        assertThat(lag.thresholds()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("PipelineLagHigh");
            assertThat(t.above()).isEqualTo(90.0);
            assertThat(t.severity()).isEqualTo("critical");
        });
        assertThat(rules.forMetric("event_count").thresholds()).isEmpty();
        assertThat(rules.forMetric("event_count").direction()).isEqualTo(Direction.BOTH);
        assertThat(rules.forMetric("duplicate_events").direction()).isEqualTo(Direction.UP);
        assertThat(rules.forMetric("late_events").detectors())
                .containsExactlyInAnyOrder(DetectorKind.SEASONAL, DetectorKind.LEVEL_SHIFT);
    }

    @Test
    void shouldLetTheRulesFileReplaceABuiltInRuleButNotSilenceItWithAWildcard() {
        RuleSet rules = RuleSet.parse(BASE, """
                metrics:
                  - match: pipeline_lag_seconds
                    detectors: []
                    thresholds:
                      - name: lag-page
                        above: 600
                  - match: "*"
                    sensitivity: 6
                """, "test", DataQualityRules.entries(0.05, 0.05, 120));

        assertThat(rules.forMetric("rejected_share").thresholds())
                .singleElement()
                .satisfies(t -> assertThat(t.name()).isEqualTo("RejectedShareHigh"));
        assertThat(rules.forMetric("pipeline_lag_seconds").thresholds())
                .singleElement()
                .satisfies(t -> assertThat(t.above()).isEqualTo(600.0));
        assertThat(rules.forMetric("event_count").sensitivity()).isEqualTo(6.0);
    }

    @Test
    void shouldApplyDefaultsThenTheFirstMatchingEntry() {
        RuleSet rules = RuleSet.parse(BASE, """
                defaults:
                  seasonality: daily
                  runbookUrl: https://runbooks.example/anomaly
                metrics:
                  - match: "checkout_*"
                    direction: down
                    sensitivity: 5
                    severity: critical
                    renotify: PT30M
                  - match: error_rate
                    detectors: []
                    thresholds:
                      - name: error-rate-high
                        above: 0.02
                        forWindows: 3
                """, "test");

        MetricRule checkout = rules.forMetric("checkout_conversion");
        assertThat(checkout.direction()).isEqualTo(Direction.DOWN);
        assertThat(checkout.sensitivity()).isEqualTo(5.0);
        assertThat(checkout.seasonality()).isEqualTo(Seasonality.DAILY);
        assertThat(checkout.slotsPerPeriod()).isEqualTo(24);
        assertThat(checkout.runbookUrl()).isEqualTo("https://runbooks.example/anomaly");
        assertThat(checkout.renotifyMillis()).isEqualTo(30 * 60_000L);
        MetricRule errors = rules.forMetric("error_rate");
        assertThat(errors.detectors()).isEmpty();
        assertThat(errors.thresholds()).singleElement().satisfies(t -> {
            assertThat(t.above()).isEqualTo(0.02);
            assertThat(t.forWindows()).isEqualTo(3);
            assertThat(t.below()).isNull();
        });
        assertThat(rules.forMetric("event_count").direction()).isEqualTo(Direction.BOTH);
    }

    @Test
    void shouldNameTheEntryAndKeyOfABadValue() {
        assertThatThrownBy(() -> RuleSet.parse(BASE, """
                metrics:
                  - match: a
                  - match: checkout_*
                    seasonality: hourly
                """, "rules.yaml"))
                .hasMessageContaining("rules.yaml, metrics[1] (match 'checkout_*')")
                .hasMessageContaining("'seasonality' must be one of [none, daily, weekly, auto], not 'hourly'");
    }

    @Test
    void shouldRejectUnknownKeysAndInconsistentThresholds() {
        assertThatThrownBy(() -> RuleSet.parse(BASE, "metrics:\n  - match: a\n    sensitivty: 3\n", "r"))
                .hasMessageContaining("metrics[0] (match 'a'): unknown key 'sensitivty'");
        assertThatThrownBy(() -> RuleSet.parse(
                        BASE, "metrics:\n  - match: a\n    sensitivity: 3\n    resolveSensitivity: 3\n", "r"))
                .hasMessageContaining(
                        "'resolveSensitivity' (3.0, default SIGHTLINE_DETECTOR_RESOLVE_THRESHOLD) must be lower than 'sensitivity' (3.0, default SIGHTLINE_DETECTOR_THRESHOLD)");
        assertThatThrownBy(() -> RuleSet.parse(BASE, "metrics:\n  - match: a\n    thresholds:\n      - name: t\n", "r"))
                .hasMessageContaining(
                        "metrics[0] (match 'a'), thresholds[0]: set at least one of 'above', 'below', 'changePercent'");
        assertThatThrownBy(() -> RuleSet.parse(BASE, "metrics:\n  - sensitivity: 3\n", "r"))
                .hasMessageContaining("metrics[0]: every entry needs a 'match'");
    }

    @Test
    void shouldFailAtStartUpNamingTheSettingAndTheEntry() throws Exception {
        Path file = Files.writeString(dir.resolve("rules.yaml"), "metrics:\n  - match: x\n    direction: sideways\n");

        assertThatThrownBy(() -> new AnomalyConfig(Map.of("SIGHTLINE_DETECTOR_RULES_FILE", file.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("metrics[0] (match 'x'): 'direction' must be one of [up, down, both]")
                .hasMessageContaining("SIGHTLINE_DETECTOR_RULES_FILE");
        assertThatThrownBy(() -> new AnomalyConfig(Map.of(
                        "SIGHTLINE_DETECTOR_RULES_FILE",
                        dir.resolve("missing.yaml").toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void shouldMatchGlobs() {
        assertThat(RuleSet.globMatches("checkout_*", "checkout_rate")).isTrue();
        assertThat(RuleSet.globMatches("checkout_*", "page_views")).isFalse();
        assertThat(RuleSet.globMatches("*_p95", "latency_p95")).isTrue();
        assertThat(RuleSet.globMatches("a.b", "axb")).isFalse();
    }
}
