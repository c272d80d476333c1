package io.sightline.plans;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.schemas.avro.EventType;
import org.junit.jupiter.api.Test;

class PlanDraftTest {

    static final String CATALOG = """
            {"events": [
              {"source": "web", "type": "track", "name": "Order Completed", "count": 10, "firstSeen": "2026-12-05T10:00:00Z",
               "lastSeen": "2026-12-05T11:00:00Z", "properties": [
                 {"name": "total", "count": 10, "types": {"number": 7, "integer": 3}},
                 {"name": "coupon", "count": 4, "types": {"string": 3, "null": 1}}]},
              {"source": "web", "type": "page", "name": "Home", "count": 2, "properties": []},
              {"source": "web", "type": "identify", "name": null, "count": 3, "properties": [{"name": "email", "count": 3, "types": {"string": 3}}]},
              {"source": "ios", "type": "track", "name": "Opened", "count": 1, "properties": []}]}
            """;

    @Test
    void draftsEveryEventOfTheSourceWithObservedTypesAndAlwaysPresentPropertiesRequired() throws Exception {
        JsonNode catalog = new ObjectMapper().readTree(CATALOG);

        ObjectNode draft = PlanDraft.of(catalog, "web");

        JsonNode order = draft.path("events").path("Order Completed").path("properties");
        assertThat(order.path("properties").path("total").path("type").asText()).isEqualTo("number");
        assertThat(order.path("properties").path("coupon").path("type").toString())
                .isEqualTo("[\"null\",\"string\"]");
        assertThat(order.path("required").toString()).isEqualTo("[\"total\"]");
        assertThat(draft.path("events").has("Opened"))
                .as("another source's event")
                .isFalse();
        assertThat(draft.path("pages").has("Home")).isTrue();
        assertThat(draft.path("identify").path("traits").path("required").toString())
                .isEqualTo("[\"email\"]");

        // what it drafts is a plan the gateway accepts, and the observed events conform to it
        TrackingPlan plan = new TrackingPlanCompiler().compile("web", 1, draft);
        assertThat(plan.check(
                        EventType.track,
                        "Order Completed",
                        new ObjectMapper().readTree("{\"total\":3,\"coupon\":null}"),
                        null))
                .isEmpty();
    }
}
