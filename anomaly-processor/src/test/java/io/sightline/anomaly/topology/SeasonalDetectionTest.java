package io.sightline.anomaly.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.anomaly.detection.SyntheticSeries;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A week of hourly windows with a strong daily cycle, two series of one metric
 * (Checkout and Signup), daily seasonality. Anomalies are injected into Checkout on
 * day 5 at 14:00; Signup stays clean. Windows with no events are not sent at all, as
 * the aggregator sends none.
 */
class SeasonalDetectionTest {

    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final int WEEK = 7 * 24;
    private static final int AT = 5 * 24 + 14;
    private static final Map<String, String> CHECKOUT = Map.of("event", "Checkout");
    private static final Map<String, String> SIGNUP = Map.of("event", "Signup");

    @TempDir
    Path stateDir;

    private DetectorDriver driver;

    @BeforeEach
    void setUp() {
        driver = new DetectorDriver(
                stateDir,
                Map.of("SIGHTLINE_DETECTOR_SEASONALITY", "daily", "SIGHTLINE_DETECTOR_RENOTIFY_MINUTES", "0"),
                Duration.ofHours(1));
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void shouldRaiseNoAlertOnACleanSeasonalSeries() {
        run(b -> b, null);

        assertThat(driver.alerts().readValuesToList()).isEmpty();
        assertThat(driver.latest("event_count", CHECKOUT).getLearning()).isFalse();
    }

    @Test
    void shouldRaiseExactlyOneAlertAboveForASpikeAndResolveWhenTheSeriesReturns() {
        run(b -> b.spike(AT, 150), null);

        List<Alert> alerts = driver.alerts().readValuesToList();
        assertThat(alerts).extracting(Alert::getStatus).containsExactly(AlertStatus.firing, AlertStatus.resolved);
        Alert firing = alerts.get(0);
        assertThat(firing.getDimensions()).isEqualTo(CHECKOUT);
        assertThat(firing.getWindowStart().toEpochMilli() - DetectorDriver.T0.toEpochMilli())
                .isEqualTo(AT * HOUR);
        assertThat(firing.getScore()).isPositive();
        assertThat(firing.getDetector()).isEqualTo("seasonal");
        assertThat(firing.getAnnotations().get("summary")).contains("above");
        assertThat(firing.getContributors().get(0).getDimension()).isEqualTo("event");
        assertThat(firing.getContributors().get(0).getValue()).isEqualTo("Checkout");
        assertThat(firing.getContributors().get(0).getShare()).isGreaterThan(0.8);
        assertThat(firing.getExplanation()).contains("event=Checkout");
        assertThat(alerts.get(1).getEndsAt().toEpochMilli() - DetectorDriver.T0.toEpochMilli())
                .isBetween((AT + 1) * HOUR, (AT + 4) * HOUR);
    }

    @Test
    void shouldRaiseExactlyOneAlertBelowForADropToZero() {
        run(b -> b.dropToZero(AT, 3), null);

        List<Alert> alerts = driver.alerts().readValuesToList();
        assertThat(alerts).extracting(Alert::getStatus).containsExactly(AlertStatus.firing, AlertStatus.resolved);
        Alert firing = alerts.get(0);
        assertThat(firing.getDimensions()).isEqualTo(CHECKOUT);
        assertThat(firing.getObserved()).isZero();
        assertThat(firing.getScore()).isNegative();
        assertThat(firing.getAnnotations().get("summary")).contains("below");
        assertThat(firing.getContributors().get(0).getValue()).isEqualTo("Checkout");
    }

    @Test
    void shouldRaiseExactlyOneAlertForALevelShift() {
        run(b -> b.levelShift(AT, WEEK, 60), null);

        List<Alert> alerts = driver.alerts().readValuesToList();
        assertThat(alerts.stream().filter(a -> a.getStatus() == AlertStatus.firing))
                .hasSize(1);
        Alert firing = alerts.get(0);
        assertThat(firing.getStatus()).isEqualTo(AlertStatus.firing);
        assertThat(firing.getDimensions()).isEqualTo(CHECKOUT);
        assertThat(firing.getScore()).isPositive();
        assertThat(firing.getWindowStart().toEpochMilli() - DetectorDriver.T0.toEpochMilli())
                .isBetween(AT * HOUR, (AT + 1) * HOUR);
        assertThat(firing.getContributors().get(0).getValue()).isEqualTo("Checkout");
    }

    @Test
    void shouldNameAnotherMetricThatDeviatedInTheSameWindow() {
        run(b -> b.spike(AT, 150), i -> {
            if (i >= WEEK - 3 * 24) {
                driver.window("latency_p95", Map.of(), i, i == AT ? 900 : 200 + (i % 3));
            }
        });

        Alert checkout = driver.alerts().readValuesToList().stream()
                .filter(a -> a.getMetric().equals("event_count") && a.getStatus() == AlertStatus.firing)
                .findFirst()
                .orElseThrow();
        assertThat(checkout.getCorrelated()).singleElement().satisfies(c -> {
            assertThat(c.getSeries())
                    .isEqualTo(SeriesKey.of("latency_p95", Map.of()).toString());
            assertThat(c.getScore()).isPositive();
        });
        assertThat(checkout.getExplanation()).contains("latency_p95").contains("up");
    }

    /** Pipes the week: per hour, first {@code before}, then Signup (clean), then Checkout (with the anomaly). */
    private void run(UnaryOperator<SyntheticSeries.Builder> anomaly, java.util.function.IntConsumer before) {
        SyntheticSeries clean = SyntheticSeries.builder(WEEK, HOUR, 7)
                .level(200)
                .daily(100)
                .noise(5)
                .build();
        SyntheticSeries injected = anomaly.apply(SyntheticSeries.builder(WEEK, HOUR, 11)
                        .level(200)
                        .daily(100)
                        .noise(5))
                .build();
        for (int i = 0; i < WEEK; i++) {
            if (before != null) {
                before.accept(i);
            }
            driver.window("event_count", SIGNUP, i, clean.values()[i]);
            if (injected.values()[i] > 0) {
                driver.window("event_count", CHECKOUT, i, injected.values()[i]);
            }
        }
    }
}
