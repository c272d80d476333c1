package io.sightline.anomaly.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in data-quality alerts: share of rejected events per source, and pipeline lag per stage. */
class DataQualityAlertsTest {

    private static final Map<String, String> WEB = Map.of("source", "web");
    private static final Map<String, String> ENRICH = Map.of("stage", "sightline-enrich");

    @TempDir
    Path stateDir;

    private DetectorDriver driver;

    @BeforeEach
    void setUp() {
        driver = new DetectorDriver(
                stateDir,
                Map.of(
                        "SIGHTLINE_QUALITY_REJECTED_SHARE_MAX",
                        "0.05",
                        "SIGHTLINE_QUALITY_REJECTED_MIN_EVENTS",
                        "20",
                        "SIGHTLINE_QUALITY_LAG_MAX_SECONDS",
                        "120"),
                Duration.ofMinutes(1));
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void shouldFireWhenASourcesShareOfRejectedEventsPassesTheLimitAndResolveWhenItFalls() {
        driver.window("events_by_source", WEB, 0, 100);
        driver.deadLetter("ingest-gateway", "web", 0, 10);
        assertThat(driver.alerts().isEmpty())
                .as("judged once the minute is complete")
                .isTrue();

        driver.window("events_by_source", WEB, 1, 100);

        Alert firing = driver.alerts().readValue();
        assertThat(firing.getStatus()).isEqualTo(AlertStatus.firing);
        assertThat(firing.getLabels())
                .containsEntry("alertname", "MetricThreshold")
                .containsEntry("rule", "RejectedShareHigh")
                .containsEntry("metric", "rejected_share")
                .containsEntry("source", "web")
                .containsEntry("severity", "warning");
        assertThat(firing.getObserved()).isCloseTo(10.0 / 110, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(driver.alerts().isEmpty()).isTrue();

        driver.window("events_by_source", WEB, 2, 100);
        assertThat(driver.alerts().isEmpty())
                .as("resolves after two complete windows under the limit")
                .isTrue();
        driver.window("events_by_source", WEB, 3, 100);

        Alert resolved = driver.alerts().readValue();
        assertThat(resolved.getStatus()).isEqualTo(AlertStatus.resolved);
        assertThat(resolved.getFingerprint()).isEqualTo(firing.getFingerprint());
    }

    @Test
    void shouldNotJudgeTheShareOfAMinuteWithTooFewEvents() {
        driver.window("events_by_source", WEB, 0, 5);
        driver.deadLetter("ingest-gateway", "web", 0, 5);
        driver.window("events_by_source", WEB, 1, 5);
        driver.window("events_by_source", WEB, 2, 5);

        assertThat(driver.alerts().readValuesToList()).isEmpty();
    }

    @Test
    void shouldStayQuietWhileTheShareIsUnderTheLimit() {
        for (int minute = 0; minute < 4; minute++) {
            driver.window("events_by_source", WEB, minute, 200);
            driver.deadLetter("ingest-gateway", "web", minute, 5);
        }

        List<Alert> alerts = driver.alerts().readValuesToList();
        assertThat(alerts)
                .noneMatch(a -> "RejectedShareHigh".equals(a.getLabels().get("rule")));
    }

    @Test
    void shouldFireWhenAPipelineStageLagsBeyondTheLimitAndResolveOnceItCatchesUp() {
        driver.window("pipeline_lag_seconds", ENRICH, 0, 20);
        driver.window("pipeline_lag_seconds", ENRICH, 1, 300);
        assertThat(driver.alerts().isEmpty()).isTrue();

        driver.window("pipeline_lag_seconds", ENRICH, 2, 2);

        Alert firing = driver.alerts().readValue();
        assertThat(firing.getStatus()).isEqualTo(AlertStatus.firing);
        assertThat(firing.getLabels())
                .containsEntry("rule", "PipelineLagHigh")
                .containsEntry("stage", "sightline-enrich")
                .containsEntry("severity", "critical");
        assertThat(firing.getObserved()).isEqualTo(300.0);

        driver.window("pipeline_lag_seconds", ENRICH, 3, 1);
        assertThat(driver.alerts().isEmpty())
                .as("resolves after two complete windows under the limit")
                .isTrue();
        driver.window("pipeline_lag_seconds", ENRICH, 4, 1);

        assertThat(driver.alerts().readValue().getStatus()).isEqualTo(AlertStatus.resolved);
    }
}
