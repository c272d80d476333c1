package io.sightline.anomaly.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default rule (no seasonality) on one-minute windows: learning, live spikes, drops, resolution, no flapping. */
class AnomalyTopologyTest {

    private static final Map<String, String> CHECKOUT = Map.of("event", "Checkout");
    private static final Instant T0 = DetectorDriver.T0;

    @TempDir
    Path stateDir;

    private DetectorDriver driver;

    @BeforeEach
    void setUp() {
        driver = new DetectorDriver(stateDir, Map.of(), Duration.ofMinutes(1));
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void shouldStayQuietAndShowLearningWhileTheSeriesIsLearning() {
        window(0, 10);
        window(1, 11);
        window(2, 500);

        assertThat(driver.alerts().isEmpty()).isTrue();
        assertThat(driver.latest("event_count", CHECKOUT).getLearning()).isTrue();
        driver.advanceWallClock(Duration.ofMinutes(1));
        assertThat(driver.metric("series-learning")).isEqualTo(1.0);
        assertThat(driver.metric("series-learned-total")).isZero();
    }

    @Test
    void shouldLeaveTheLearningStateOnceEnoughHistoryIsThere() {
        for (int i = 0; i <= 5; i++) {
            window(i, 10 + i % 2);
        }

        assertThat(driver.latest("event_count", CHECKOUT).getLearning()).isFalse();
        assertThat(driver.metric("series-learned-total")).isEqualTo(1.0);
        driver.advanceWallClock(Duration.ofMinutes(1));
        assertThat(driver.metric("series-learning")).isZero();
    }

    @Test
    void shouldFireOnASpikeBeforeItsWindowEndsAndResolveOnceTheSeriesIsBack() {
        double[] normal = {10, 11, 9, 10, 12, 10};
        for (int i = 0; i < normal.length; i++) {
            window(i, normal[i]);
        }

        window(6, 12);
        assertThat(driver.alerts().isEmpty()).isTrue();
        window(6, 80);

        Alert firing = driver.alerts().readValue();
        assertThat(firing.getStatus()).isEqualTo(AlertStatus.firing);
        assertThat(firing.getObserved()).isEqualTo(80.0);
        assertThat(firing.getExpected()).isEqualTo(10.0);
        assertThat(firing.getLabels())
                .containsEntry("metric", "event_count")
                .containsEntry("event", "Checkout")
                .containsEntry("alertname", "MetricAnomaly")
                .containsEntry("severity", "critical")
                .containsEntry("rule", "anomaly");
        assertThat(firing.getAnnotations().get("summary")).contains("above");
        assertThat(firing.getStartsAt()).isEqualTo(T0.plusSeconds(6 * 60));
        assertThat(firing.getContributors())
                .singleElement()
                .satisfies(
                        c -> assertThat(c.getDimension() + "=" + c.getValue()).isEqualTo("event=Checkout"));
        assertThat(firing.getExplanation()).contains("event=Checkout");
        assertThat(firing.getConfidence()).isBetween(0.0, 1.0);
        assertThat(driver.alerts().isEmpty()).isTrue();

        window(7, 10);
        window(8, 11);
        assertThat(driver.alerts().isEmpty())
                .as("one normal window is not enough to resolve")
                .isTrue();
        window(9, 10);

        Alert resolved = driver.alerts().readValue();
        assertThat(resolved.getStatus()).isEqualTo(AlertStatus.resolved);
        assertThat(resolved.getFingerprint()).isEqualTo(firing.getFingerprint());
        assertThat(resolved.getStartsAt()).isEqualTo(firing.getStartsAt());
        assertThat(resolved.getEndsAt()).isEqualTo(T0.plusSeconds(9 * 60));
        assertThat(driver.alerts().isEmpty()).isTrue();
    }

    @Test
    void shouldFireOnceWhenASeriesDropsToZero() {
        for (int i = 0; i < 8; i++) {
            window(i, 50 + (i % 3));
        }

        // Minutes 8 and 9 saw no events at all; minute 10 does again.
        window(10, 1);

        List<Alert> fired = driver.alerts().readValuesToList();
        assertThat(fired).hasSize(1);
        assertThat(fired.get(0).getObserved()).isZero();
        assertThat(fired.get(0).getScore()).isNegative();
        assertThat(fired.get(0).getAnnotations().get("summary")).contains("below");
        assertThat(fired.get(0).getWindowStart()).isEqualTo(T0.plusSeconds(8 * 60));
    }

    @Test
    void shouldAlertOnASeriesThatStopsWhileOthersGoOn() {
        Map<String, String> signup = Map.of("event", "Signup");
        for (int i = 0; i < 10; i++) {
            window(i, 50 + (i % 3));
            driver.window("event_count", signup, i, 30 + (i % 2));
        }

        // Checkout stops sending after minute 9; Signup goes on. Minute 10 is over (and not updated any
        // more) once stream time reaches minute 12.
        driver.window("event_count", signup, 10, 30);
        driver.window("event_count", signup, 11, 31);
        assertThat(driver.alerts().isEmpty()).isTrue();
        driver.window("event_count", signup, 12, 30);

        Alert firing = driver.alerts().readValue();
        assertThat(firing.getDimensions()).isEqualTo(CHECKOUT);
        assertThat(firing.getStatus()).isEqualTo(AlertStatus.firing);
        assertThat(firing.getObserved()).isZero();
        assertThat(firing.getWindowStart()).isEqualTo(T0.plusSeconds(10 * 60));
        assertThat(firing.getContributors().get(0).getValue()).isEqualTo("Checkout");
        assertThat(driver.alerts().isEmpty()).isTrue();

        // When it comes back, the missing minutes are not judged twice and the alert resolves.
        for (int i = 13; i <= 16; i++) {
            window(i, 50 + i % 3);
            driver.window("event_count", signup, i, 30 + (i % 2));
        }
        assertThat(driver.alerts().readValuesToList())
                .extracting(Alert::getStatus)
                .containsExactly(AlertStatus.resolved);
    }

    @Test
    void shouldAlertOnWallClockTimeWhenEverySourceStopsAndNothingMovesStreamTime() {
        for (int i = 0; i < 10; i++) {
            window(i, 50 + (i % 3));
        }
        assertThat(driver.alerts().isEmpty()).isTrue();

        // Nothing arrives any more: no window moves stream time. Half a minute is no missing window yet.
        for (int s = 0; s < 2; s++) {
            driver.advanceWallClock(Duration.ofSeconds(15));
        }
        assertThat(driver.alerts().isEmpty()).isTrue();

        // Within two windows of the last one's end (the same as stream time would need), the missing minute counts
        // as zero and the drop fires.
        for (int s = 0; s < 10; s++) {
            driver.advanceWallClock(Duration.ofSeconds(15));
        }
        Alert firing = driver.alerts().readValue();
        assertThat(firing.getStatus()).isEqualTo(AlertStatus.firing);
        assertThat(firing.getDimensions()).isEqualTo(CHECKOUT);
        assertThat(firing.getObserved()).isZero();
        assertThat(firing.getWindowStart()).isEqualTo(T0.plusSeconds(10 * 60));
    }

    @Test
    void shouldNotCallTheSilenceOfAStalledPipelineAVolumeDrop() {
        AtomicBoolean upstreamCaughtUp = new AtomicBoolean(false);
        driver.close();
        driver = new DetectorDriver(stateDir, Map.of(), Duration.ofMinutes(1), upstreamCaughtUp::get);
        for (int i = 0; i < 10; i++) {
            window(i, 50 + (i % 3));
        }

        // The aggregator is behind (or down): nothing arrives, and that is not the sources' doing.
        for (int s = 0; s < 16; s++) {
            driver.advanceWallClock(Duration.ofSeconds(15));
        }
        assertThat(driver.alerts().isEmpty()).isTrue();

        // Upstream caught up and still nothing: now it is the sources.
        upstreamCaughtUp.set(true);
        driver.advanceWallClock(Duration.ofSeconds(15));
        assertThat(driver.alerts().readValue().getStatus()).isEqualTo(AlertStatus.firing);
    }

    @Test
    void shouldNotFlapWhenASeriesHoversAtTheThreshold() {
        // Median 100, MAD 2: sigma 2.97, so the firing threshold (5) is at about 114.8 and the resolve threshold (2.5)
        // at 107.4.
        double[] normal = {98, 100, 102, 100, 98, 102, 100, 98, 102, 100};
        for (int i = 0; i < normal.length; i++) {
            window(i, normal[i]);
        }

        for (int i = 10; i < 30; i++) {
            window(i, i % 2 == 0 ? 115.5 : 114.0);
        }

        // Fires once; once enough of the history hovers there, that level is the new normal (the band widens)
        // and the alert resolves once, for good. Without hysteresis it would fire and resolve every other window.
        List<Alert> changes = driver.alerts().readValuesToList();
        assertThat(changes).extracting(Alert::getStatus).containsExactly(AlertStatus.firing, AlertStatus.resolved);
    }

    @Test
    void shouldNotAlertOnTinyVolumes() {
        for (int i = 0; i < 10; i++) {
            window(i, i % 2);
        }

        window(10, 4);
        window(11, 0);

        assertThat(driver.alerts().isEmpty()).isTrue();
    }

    @Test
    void shouldTakeARevisionOfAJudgedWindowIntoTheHistoryWithoutAlerting() {
        double[] normal = {50, 51, 49, 50, 52, 50, 51, 49, 50};
        for (int i = 0; i < normal.length; i++) {
            window(i, normal[i]);
        }

        // minute 3, judged long ago, gains three late events: still normal
        window(3, 53);
        window(9, 50);

        assertThat(driver.alerts().isEmpty()).isTrue();
    }

    @Test
    void shouldAlertOnARevisionThatIsItselfAnomalousAndSaySo() {
        double[] normal = {50, 51, 49, 50, 52, 50, 51, 49, 50, 51};
        for (int i = 0; i < normal.length; i++) {
            window(i, normal[i]);
        }

        // minute 8 was judged normal; a flood of late events revises it to 400
        window(8, 400);

        Alert firing = driver.alerts().readValue();
        assertThat(firing.getStatus()).isEqualTo(AlertStatus.firing);
        assertThat(firing.getWindowStart()).isEqualTo(T0.plusSeconds(8 * 60));
        assertThat(firing.getObserved()).isEqualTo(400.0);
        assertThat(firing.getAnnotations().get("summary")).startsWith("Revised by late events: ");
        assertThat(firing.getAnnotations()).containsKey("revision");
        assertThat(driver.alerts().isEmpty()).isTrue();

        // the next normal windows resolve it, as any alert
        window(10, 50);
        window(11, 51);
        window(12, 50);
        assertThat(driver.alerts().readValuesToList())
                .extracting(Alert::getStatus)
                .containsExactly(AlertStatus.resolved);
    }

    private void window(int minute, double value) {
        driver.window("event_count", CHECKOUT, minute, value);
    }
}
