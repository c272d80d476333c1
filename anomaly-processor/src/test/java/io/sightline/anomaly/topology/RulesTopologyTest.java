package io.sightline.anomaly.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rules from a file: threshold rules, re-notification, annotations; and the cap on tracked series. */
class RulesTopologyTest {

    private static final Map<String, String> NONE = Map.of();

    @TempDir
    Path dir;

    @Test
    void shouldFireAThresholdRuleOnlyAfterNConsecutiveWindowsAndResolveWhenBack() throws Exception {
        try (DetectorDriver driver = driver("""
                metrics:
                  - match: error_rate
                    detectors: []
                    runbookUrl: https://runbooks.example/errors
                    thresholds:
                      - name: error-rate-high
                        above: 0.02
                        forWindows: 3
                        severity: critical
                """, Map.of())) {
            double[] rates = {0.01, 0.03, 0.03, 0.01, 0.03, 0.03, 0.03, 0.04, 0.01, 0.01, 0.01};
            for (int i = 0; i < rates.length; i++) {
                driver.window("error_rate", NONE, i, rates[i]);
            }

            List<Alert> alerts = driver.alerts().readValuesToList();
            assertThat(alerts).extracting(Alert::getStatus).containsExactly(AlertStatus.firing, AlertStatus.resolved);
            Alert firing = alerts.get(0);
            assertThat(firing.getRule()).isEqualTo("error-rate-high");
            assertThat(firing.getDetector()).isEqualTo("threshold");
            assertThat(firing.getLabels())
                    .containsEntry("alertname", "MetricThreshold")
                    .containsEntry("severity", "critical")
                    .containsEntry("rule", "error-rate-high");
            assertThat(firing.getAnnotations()).containsEntry("runbook_url", "https://runbooks.example/errors");
            assertThat(firing.getStartsAt()).isEqualTo(DetectorDriver.T0.plusSeconds(4 * 60));
            assertThat(firing.getWindowStart()).isEqualTo(DetectorDriver.T0.plusSeconds(6 * 60));
            assertThat(alerts.get(1).getEndsAt()).isEqualTo(DetectorDriver.T0.plusSeconds(10 * 60));
        }
    }

    @Test
    void shouldReNotifyALongFiringAlertAtTheConfiguredInterval() throws Exception {
        try (DetectorDriver driver = driver("""
                metrics:
                  - match: error_rate
                    detectors: []
                    renotify: PT5M
                    thresholds:
                      - name: error-rate-high
                        above: 0.02
                """, Map.of())) {
            for (int i = 0; i <= 12; i++) {
                driver.window("error_rate", NONE, i, 0.05);
            }

            List<Alert> alerts = driver.alerts().readValuesToList();
            assertThat(alerts).extracting(Alert::getStatus).containsOnly(AlertStatus.firing);
            assertThat(alerts)
                    .extracting(a -> a.getWindowStart().getEpochSecond() - DetectorDriver.T0.getEpochSecond())
                    .containsExactly(0L, 300L, 600L);
            assertThat(alerts)
                    .extracting(Alert::getFingerprint)
                    .containsOnly(alerts.get(0).getFingerprint());
            assertThat(alerts).extracting(Alert::getStartsAt).containsOnly(DetectorDriver.T0);
        }
    }

    @Test
    void shouldOnlyAlertInTheConfiguredDirection() throws Exception {
        try (DetectorDriver driver = driver("metrics:\n  - match: event_count\n    direction: up\n", Map.of())) {
            for (int i = 0; i < 8; i++) {
                driver.window("event_count", NONE, i, 50 + i % 3);
            }
            driver.window("event_count", NONE, 11, 50);

            assertThat(driver.alerts().isEmpty())
                    .as("a drop does not alert an up-only metric")
                    .isTrue();
        }
    }

    @Test
    void shouldAlertOnASpikeOfRejectedEvents() throws Exception {
        try (DetectorDriver driver = driver("", Map.of())) {
            for (int minute = 0; minute < 8; minute++) {
                driver.deadLetter("ingest-gateway", minute, 1 + minute % 2);
            }

            driver.deadLetter("ingest-gateway", 8, 40);

            List<Alert> alerts = driver.alerts().readValuesToList();
            assertThat(alerts).hasSize(1);
            assertThat(alerts.get(0).getMetric()).isEqualTo("rejected_events");
            assertThat(alerts.get(0).getDimensions()).containsEntry("component", "ingest-gateway");
            assertThat(alerts.get(0).getStatus()).isEqualTo(AlertStatus.firing);
            assertThat(alerts.get(0).getScore()).isPositive();
        }
    }

    @Test
    void shouldEvictTheLeastActiveSeriesPastTheCapAndCountThem() throws Exception {
        try (DetectorDriver driver = driver("", Map.of("SIGHTLINE_DETECTOR_MAX_SERIES", "2"))) {
            driver.window("event_count", Map.of("event", "Old"), 0, 10);
            driver.window("event_count", Map.of("event", "Mid"), 1, 10);
            driver.window("event_count", Map.of("event", "New"), 2, 10);

            driver.advanceWallClock(Duration.ofMinutes(1));

            assertThat(driver.tracks("event_count", Map.of("event", "Old"))).isFalse();
            assertThat(driver.latest("event_count", Map.of("event", "Old"))).isNull();
            assertThat(driver.tracks("event_count", Map.of("event", "Mid"))).isTrue();
            assertThat(driver.tracks("event_count", Map.of("event", "New"))).isTrue();
            assertThat(driver.metric("series-evicted-total")).isEqualTo(1.0);
            assertThat(driver.metric("series-tracked")).isEqualTo(2.0);
        }
    }

    @Test
    void shouldRankSeriesForEvictionByTheirLastWindowNotByTheirLastJudgement() throws Exception {
        try (DetectorDriver driver = driver("", Map.of("SIGHTLINE_DETECTOR_MAX_SERIES", "2"))) {
            driver.window("event_count", Map.of("event", "Zeta"), 0, 10);
            driver.window("event_count", Map.of("event", "Alpha"), 1, 10);
            // Stream time at minute 3: both quiet series are judged through minute 1, so their latest
            // evaluations tie; Zeta's last window is still the older one.
            driver.window("event_count", Map.of("event", "New"), 3, 10);

            driver.advanceWallClock(Duration.ofMinutes(1));

            assertThat(driver.tracks("event_count", Map.of("event", "Zeta"))).isFalse();
            assertThat(driver.tracks("event_count", Map.of("event", "Alpha"))).isTrue();
            assertThat(driver.tracks("event_count", Map.of("event", "New"))).isTrue();
        }
    }

    private DetectorDriver driver(String rules, Map<String, String> env) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(env);
        if (!rules.isEmpty()) {
            all.put(
                    "SIGHTLINE_DETECTOR_RULES_FILE",
                    Files.writeString(dir.resolve("rules.yaml"), rules).toString());
        }
        return new DetectorDriver(dir.resolve("state"), all, Duration.ofMinutes(1));
    }
}
