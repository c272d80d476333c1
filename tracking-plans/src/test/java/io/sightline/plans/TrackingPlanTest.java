package io.sightline.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.schemas.avro.EventType;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrackingPlanTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String PLAN = """
            {"name": "web",
             "events": {"Order Completed": {"description": "Checkout finished", "owner": "checkout-team",
               "properties": {"type": "object", "required": ["order_id", "total"],
                 "properties": {"order_id": {"type": "string"}, "total": {"type": "number", "minimum": 0},
                                "currency": {"enum": ["USD", "EUR"]}, "coupon": {"type": "string", "maxLength": 8},
                                "items": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string", "pattern": "^[A-Z]+$"}}}}},
                 "additionalProperties": false}},
               "Signed Up": {}},
             "pages": {"Home": {}},
             "identify": {"traits": {"type": "object", "properties": {"email": {"type": "string"}}}}}
            """;

    final TrackingPlan plan = new TrackingPlanCompiler().compile("web", 3, json(PLAN));

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    List<Violation> track(String name, String properties) {
        return plan.check(EventType.track, name, json(properties), null);
    }

    @Test
    void aConformingEventHasNoViolations() {
        assertThat(track(
                        "Order Completed",
                        "{\"order_id\":\"o-1\",\"total\":9.99,\"currency\":\"EUR\",\"items\":[{\"sku\":\"AB\"}]}"))
                .isEmpty();
        assertThat(track("Signed Up", "{\"anything\":1}")).isEmpty();
    }

    @Test
    void eachViolationTypeNamesItsPathWhatWasExpectedAndWhatCame() {
        List<Violation> found = track(
                "Order Completed",
                "{\"total\":\"9.99\",\"currency\":\"GBP\",\"coupon\":\"TOO-LONG-CODE\",\"gift\":true,\"items\":[{\"sku\":\"ab\"}]}");

        assertThat(found)
                .extracting(Violation::type, Violation::path, Violation::expected, Violation::actual)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(
                                ViolationType.REQUIRED_MISSING, "properties.order_id", "present", "missing"),
                        org.assertj.core.groups.Tuple.tuple(
                                ViolationType.TYPE_MISMATCH, "properties.total", "number", "string \"9.99\""),
                        org.assertj.core.groups.Tuple.tuple(
                                ViolationType.ENUM_MISMATCH,
                                "properties.currency",
                                "one of [\"USD\",\"EUR\"]",
                                "string \"GBP\""),
                        org.assertj.core.groups.Tuple.tuple(
                                ViolationType.CONSTRAINT,
                                "properties.coupon",
                                "maxLength 8",
                                "string \"TOO-LONG-CODE\""),
                        org.assertj.core.groups.Tuple.tuple(
                                ViolationType.ADDITIONAL_PROPERTY,
                                "properties.gift",
                                "no other properties",
                                "boolean true"),
                        org.assertj.core.groups.Tuple.tuple(
                                ViolationType.CONSTRAINT,
                                "properties.items[0].sku",
                                "pattern ^[A-Z]+$",
                                "string \"ab\""));
        assertThat(found)
                .filteredOn(v -> v.type() == ViolationType.TYPE_MISMATCH)
                .first()
                .extracting(Violation::message)
                .isEqualTo("properties.total: expected number, got string \"9.99\"");
    }

    @Test
    void aNegativeTotalBreaksTheMinimum() {
        assertThat(track("Order Completed", "{\"order_id\":\"o-1\",\"total\":-1}"))
                .singleElement()
                .satisfies(v -> assertThat(v.type()).isEqualTo(ViolationType.CONSTRAINT))
                .satisfies(v -> assertThat(v.expected()).isEqualTo("minimum 0"));
    }

    @Test
    void anUnplannedEventNameIsOneViolation() {
        assertThat(track("Order Complete", "{\"total\":\"x\"}")).singleElement().satisfies(v -> {
            assertThat(v.type()).isEqualTo(ViolationType.UNPLANNED_EVENT);
            assertThat(v.path()).isEqualTo("event");
            assertThat(v.message())
                    .isEqualTo(
                            "event: \"Order Complete\" is not in tracking plan web@3; add it to the plan or fix the name");
        });
    }

    @Test
    void pagesAreCheckedOnlyWhenThePlanListsThemAndScreensNot() {
        assertThat(plan.check(EventType.page, "Pricing", null, null))
                .extracting(Violation::type)
                .containsExactly(ViolationType.UNPLANNED_EVENT);
        assertThat(plan.check(EventType.page, "Home", null, null)).isEmpty();
        assertThat(plan.check(EventType.screen, "Anything", null, null)).isEmpty();
    }

    @Test
    void identifyTraitsAreCheckedUnderTraits() {
        assertThat(plan.check(EventType.identify, null, null, json("{\"email\":5}")))
                .singleElement()
                .satisfies(v -> assertThat(v.path()).isEqualTo("traits.email"))
                .satisfies(v -> assertThat(v.actual()).isEqualTo("integer 5"));
        assertThat(plan.check(EventType.group, null, null, json("{\"x\":5}"))).isEmpty();
    }

    @Test
    void aMissingPropertiesObjectIsCheckedAsEmpty() {
        assertThat(plan.check(EventType.track, "Order Completed", null, null))
                .extracting(Violation::type)
                .containsOnly(ViolationType.REQUIRED_MISSING)
                .hasSize(2);
    }

    @Test
    void omittableViolationsPointAtTheMemberToRemove() {
        List<Violation> found =
                track("Order Completed", "{\"order_id\":\"o\",\"total\":1,\"gift\":true,\"currency\":\"GBP\"}");
        assertThat(found).extracting(v -> v.omittable().toString()).containsExactlyInAnyOrder("/gift", "/currency");
    }

    @Test
    void aMalformedSchemaIsRefusedNamingItsPath() {
        assertThatThrownBy(
                        () -> new TrackingPlanCompiler()
                                .compile(
                                        "web",
                                        1,
                                        json(
                                                "{\"events\":{\"Order Completed\":{\"properties\":{\"type\":\"objet\",\"properties\":{\"total\":{\"minimum\":\"0\"}}}}}}")))
                .isInstanceOfSatisfying(
                        InvalidPlanException.class,
                        e -> assertThat(e.problems())
                                .extracting(InvalidPlanException.Problem::path)
                                .contains(
                                        "events.Order Completed.properties.type",
                                        "events.Order Completed.properties.properties.total.minimum"));
    }

    @Test
    void unknownKeysWrongShapesAndRemoteReferencesAreRefused() {
        assertThatThrownBy(() -> new TrackingPlanCompiler().compile("web", 1, json("""
                {"name": "other", "evnts": {}, "events": {"A": {"propertes": {}}, "B": 3,
                 "C": {"properties": {"$ref": "https://example.com/schema.json"}}}}""")))
                .isInstanceOfSatisfying(
                        InvalidPlanException.class,
                        e -> assertThat(e.problems())
                                .extracting(InvalidPlanException.Problem::path)
                                .containsExactlyInAnyOrder(
                                        "name", "evnts", "events.A.propertes", "events.B", "events.C.properties.$ref"));
        assertThatThrownBy(() -> new TrackingPlanCompiler().compile("bad name!", 1, json("{}")))
                .isInstanceOf(InvalidPlanException.class);
        assertThatThrownBy(() -> new TrackingPlanCompiler().compile("web", 1, json("[]")))
                .isInstanceOf(InvalidPlanException.class);
    }

    @Test
    void theStoredDocumentCarriesTheNameAndTheVersionItWasPublishedAs() {
        assertThat(plan.document().get("name").asText()).isEqualTo("web");
        assertThat(plan.document().get("version").asInt()).isEqualTo(3);
        assertThat(plan.entry(EventType.track, "Order Completed").owner()).isEqualTo("checkout-team");
    }
}
