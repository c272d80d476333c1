package io.sightline.anomaly.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import io.sightline.schemas.avro.EventCatalogEntry;
import io.sightline.schemas.avro.EventType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tracking-plan alerts: share of events with violations per source, unplanned event names, properties changing type. */
class ProducerContractAlertsTest {

    private static final Map<String, String> WEB = Map.of("source", "web");

    @TempDir
    Path stateDir;

    private DetectorDriver driver;

    @BeforeEach
    void setUp() {
        driver = new DetectorDriver(
                stateDir,
                Map.of("SIGHTLINE_QUALITY_VIOLATION_SHARE_MAX", "0.10", "SIGHTLINE_QUALITY_REJECTED_MIN_EVENTS", "20"),
                Duration.ofMinutes(1));
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    static EventCatalogEntry observation(
            String name, boolean planned, Map<String, Map<String, Long>> properties, long count) {
        return EventCatalogEntry.newBuilder()
                .setSource("web")
                .setEventType(EventType.track)
                .setEventName(name)
                .setCount(count)
                .setFirstSeen(DetectorDriver.T0)
                .setLastSeen(DetectorDriver.T0)
                .setProperties(properties)
                .setTrackingPlan("shop")
                .setTrackingPlanVersion(2)
                .setPlanned(planned)
                .setSample("{\"total\":\"number\"}")
                .build();
    }

    @Test
    void aSourceWhoseShareOfViolatingEventsPassesTheLimitAlerts() {
        driver.window("events_by_source", WEB, 0, 100);
        // 15 flagged events are among the 100 accepted; 5 blocked ones are not: 20 of 105
        driver.violatingEvents("web", 0, 15, "flag");
        driver.violatingEvents("web", 0, 5, "block");
        driver.window("events_by_source", WEB, 1, 100);

        Alert firing = driver.alerts().readValue();
        assertThat(firing.getStatus()).isEqualTo(AlertStatus.firing);
        assertThat(firing.getLabels())
                .containsEntry("rule", "ViolationShareHigh")
                .containsEntry("metric", "violation_share")
                .containsEntry("source", "web");
        assertThat(firing.getObserved()).isCloseTo(20.0 / 105, Offset.offset(1e-9));
        assertThat(firing.getAnnotations().get("remediation"))
                .startsWith("See what source web's events break: GET /v1/quality/violations?source=web");
    }

    @Test
    void aFewViolatingEventsStayUnderTheLimit() {
        driver.window("events_by_source", WEB, 0, 100);
        driver.violatingEvents("web", 0, 5, "flag");
        driver.window("events_by_source", WEB, 1, 100);
        driver.window("events_by_source", WEB, 2, 100);

        assertThat(driver.alerts().readValuesToList())
                .noneMatch(a -> "ViolationShareHigh".equals(a.getLabels().get("rule")));
    }

    @Test
    void theFirstSightingOfAnUnplannedEventNameAlertsOnce() {
        Instant at = DetectorDriver.T0.plusSeconds(10);
        driver.observed(observation("Order Complete", false, Map.of("total", Map.of("number", 3L)), 3), at);
        driver.observed(
                observation("Order Complete", false, Map.of("total", Map.of("number", 5L)), 5), at.plusSeconds(10));
        driver.observed(
                observation("Order Completed", true, Map.of("total", Map.of("number", 5L)), 5), at.plusSeconds(10));

        List<Alert> alerts = driver.alerts().readValuesToList();
        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.getLabels())
                    .containsEntry("alertname", "UnplannedEvent")
                    .containsEntry("source", "web")
                    .containsEntry("event", "Order Complete")
                    .containsEntry("severity", "warning");
            assertThat(alert.getAnnotations().get("summary"))
                    .isEqualTo("Source web sends track 'Order Complete', which tracking plan shop@2 does not list");
            assertThat(alert.getAnnotations().get("remediation"))
                    .startsWith("Add 'Order Complete' to tracking plan shop");
            assertThat(alert.getAnnotations().get("sample")).isEqualTo("{\"total\":\"number\"}");
            assertThat(alert.getEndsAt()).isEqualTo(at.plus(Duration.ofHours(1)));
        });
        List<EventCatalogEntry> catalog = driver.catalog().readValuesToList();
        assertThat(catalog).hasSize(3);
        assertThat(catalog.get(1).getCount()).as("totals add up").isEqualTo(8);
        assertThat(catalog.get(1).getProperties().get("total")).containsEntry("number", 8L);
    }

    @Test
    void aPropertyArrivingAsAnotherTypeAlertsButIntegersAmongNumbersAndNullsDoNot() {
        Instant at = DetectorDriver.T0.plusSeconds(10);
        driver.observed(
                observation(
                        "Order Completed",
                        true,
                        Map.of("total", Map.of("number", 10L), "coupon", Map.of("string", 2L)),
                        10),
                at);
        driver.observed(
                observation(
                        "Order Completed",
                        true,
                        Map.of("total", Map.of("integer", 3L), "coupon", Map.of("null", 1L)),
                        3),
                at);
        assertThat(driver.alerts().isEmpty()).isTrue();

        driver.observed(
                observation("Order Completed", true, Map.of("total", Map.of("string", 2L, "number", 4L)), 6),
                at.plusSeconds(10));

        Alert alert = driver.alerts().readValue();
        assertThat(alert.getLabels())
                .containsEntry("alertname", "PropertyTypeChanged")
                .containsEntry("property", "total");
        assertThat(alert.getAnnotations().get("summary"))
                .isEqualTo(
                        "Property 'total' of track 'Order Completed' from source web arrives as string; until now it was number");
        assertThat(driver.alerts().isEmpty()).isTrue();

        driver.observed(
                observation("Order Completed", true, Map.of("total", Map.of("string", 1L)), 1), at.plusSeconds(20));
        assertThat(driver.alerts().isEmpty())
                .as("string is known for total now")
                .isTrue();
    }
}
