package io.sightline.ingest.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.schemas.avro.EventCatalogEntry;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.TrackedEvent;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogObserverTest {

    static final ObjectMapper JSON = new ObjectMapper();
    final CatalogObserver observer = new CatalogObserver();

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    static TrackedEvent event(String name, long at) {
        return TrackedEvent.newBuilder()
                .setMessageId("m")
                .setType(EventType.track)
                .setSource("web")
                .setEvent(name)
                .setUserId("u")
                .setReceivedAt(Instant.ofEpochMilli(at))
                .setTimestamp(Instant.ofEpochMilli(at))
                .setTrackingPlan("shop")
                .setTrackingPlanVersion(2)
                .build();
    }

    @Test
    void reportsCountsPropertyTypesAndTimesSinceTheLastAcknowledgedReport() throws Exception {
        observer.observe(
                event("Order Completed", 2_000),
                json("{\"properties\":{\"total\":9.99,\"email\":\"a@example.com\",\"n\":{\"x\":1}}}"),
                true);
        observer.observe(event("Order Completed", 1_000), json("{\"properties\":{\"total\":\"9.99\"}}"), true);

        CatalogObserver.Report first = observer.drain();
        assertThat(first.deltas()).singleElement().satisfies(d -> {
            assertThat(d.getCount()).isEqualTo(2);
            assertThat(d.getFirstSeen()).isEqualTo(Instant.ofEpochMilli(1_000));
            assertThat(d.getLastSeen()).isEqualTo(Instant.ofEpochMilli(2_000));
            assertThat(d.getProperties())
                    .isEqualTo(Map.of(
                            "total",
                            Map.of("number", 1L, "string", 1L),
                            "email",
                            Map.of("string", 1L),
                            "n",
                            Map.of("object", 1L)));
            assertThat(d.getSample())
                    .as("the shape, not the values")
                    .isEqualTo("{\"total\":\"number\",\"email\":\"string\",\"n\":{\"x\":\"integer\"}}");
            assertThat(d.getPlanned()).isTrue();
            assertThat(d.getTrackingPlanVersion()).isEqualTo(2);
        });

        // not acknowledged (Kafka did not take it): the next report repeats it, with what came since
        observer.observe(event("Order Completed", 3_000), json("{\"properties\":{\"total\":1}}"), true);
        CatalogObserver.Report second = observer.drain();
        EventCatalogEntry repeated = second.deltas().get(0);
        assertThat(repeated.getCount()).isEqualTo(3);
        assertThat(repeated.getProperties().get("total")).isEqualTo(Map.of("number", 1L, "string", 1L, "integer", 1L));
        second.acknowledge().run();

        assertThat(observer.drain().deltas()).as("nothing new").isEmpty();
        observer.observe(event("Order Completed", 4_000), json("{\"properties\":{\"total\":2}}"), true);
        EventCatalogEntry delta = observer.drain().deltas().get(0);
        assertThat(delta.getCount()).isEqualTo(1);
        assertThat(delta.getProperties()).isEqualTo(Map.of("total", Map.of("integer", 1L)));
    }

    @Test
    void eventNamesBeyondTheBoundAreCountedAsOverflow() throws Exception {
        for (int i = 0; i < CatalogObserver.MAX_EVENTS + 5; i++) {
            observer.observe(event("e" + i, 1), json("{}"), false);
        }
        assertThat(observer.drain().deltas()).hasSize(CatalogObserver.MAX_EVENTS);
        assertThat(observer.overflow()).isEqualTo(5);
    }
}
