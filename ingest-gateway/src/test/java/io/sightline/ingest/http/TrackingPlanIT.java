package io.sightline.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.ingest.GatewayConfig;
import io.sightline.ingest.IngestGateway;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.PlanViolation;
import io.sightline.schemas.avro.QualityViolation;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.testkit.PipelineEnvironment;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracking plans on two gateway replicas over a real broker: a plan published through
 * either applies on both without a restart; each mode and violation type does what it
 * says to the stored event, the answer, the dead letters and quality.violations.v1.
 */
class TrackingPlanIT {

    static final String ADMIN = "admin-secret";
    static final String SHOP_PLAN = """
            {"events": {"Order Completed": {"description": "Checkout finished", "owner": "checkout-team",
               "properties": {"type": "object", "required": ["order_id", "total"],
                 "properties": {"order_id": {"type": "string"}, "total": {"type": "number", "minimum": 0},
                                "currency": {"enum": ["USD", "EUR"]}, "coupon": {"type": "string", "maxLength": 8}},
                 "additionalProperties": false}}},
             "identify": {"traits": {"type": "object", "properties": {"email": {"type": "string"}}}}}
            """;

    @TempDir
    static Path dataDir;

    static PipelineEnvironment env;
    static IngestGateway first;
    static IngestGateway second;
    static GatewayClient one;
    static GatewayClient two;

    @BeforeAll
    static void start() {
        env = PipelineEnvironment.start(dataDir);
        Map<String, String> settings = Map.of(
                "SIGHTLINE_WRITE_KEYS",
                        "key-web:web,key-strict:strict,key-tidy:tidy,key-lax:lax,key-mobile:mobile,key-tv:tv,key-free:free",
                "SIGHTLINE_TRACKING_PLANS", "web=shop,strict=shop,tidy=shop,lax=shop,mobile=app,tv=tv",
                "SIGHTLINE_TRACKING_PLAN_MODES", "strict:*=block,tidy:*=omit,lax:*=allow,mobile:*=block,tv:*=block",
                // one plain token, one given by its hash (of "other-admin")
                "SIGHTLINE_ADMIN_TOKENS", ADMIN + ",sha256:" + sha256("other-admin"));
        first = IngestGateway.start(new GatewayConfig(env.serviceEnv(dataDir.resolve("a"), settings)));
        second = IngestGateway.start(new GatewayConfig(env.serviceEnv(dataDir.resolve("b"), settings)));
        one = new GatewayClient(first.port());
        two = new GatewayClient(second.port());
        assertThat(put(one, "shop", SHOP_PLAN, "").statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> get(two, "/v1/tracking-plans/shop").statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        second.close();
        first.close();
        env.close();
    }

    static String sha256(String token) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> put(GatewayClient client, String name, String document, String query) {
        return client.send(HttpRequest.newBuilder(client.uri("/v1/tracking-plans/" + name + query))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ADMIN)
                .PUT(HttpRequest.BodyPublishers.ofString(document))
                .build());
    }

    static HttpResponse<String> get(GatewayClient client, String path) {
        return client.getWithToken(path, ADMIN);
    }

    static JsonNode json(HttpResponse<String> response) {
        return GatewayClient.json(response);
    }

    static String order(String messageId, String properties) {
        return "{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u-1\",\"messageId\":\"" + messageId
                + "\",\"properties\":" + properties + "}";
    }

    static TrackedEvent stored(String messageId) {
        return TopicSnapshot.read(
                        env.bootstrapServers(), env.topics().registry(), Topics.EVENTS_RAW, TrackedEvent.class)
                .stream()
                .map(ConsumerRecord::value)
                .filter(e -> e.getMessageId().equals(messageId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no event " + messageId + " in " + Topics.EVENTS_RAW));
    }

    static boolean isStored(String messageId) {
        return TopicSnapshot.read(
                        env.bootstrapServers(), env.topics().registry(), Topics.EVENTS_RAW, TrackedEvent.class)
                .stream()
                .anyMatch(r -> r.value().getMessageId().equals(messageId));
    }

    static List<QualityViolation> violationsOf(String messageId) {
        return TopicSnapshot.read(
                        env.bootstrapServers(),
                        env.topics().registry(),
                        Topics.QUALITY_VIOLATIONS,
                        QualityViolation.class)
                .stream()
                .map(ConsumerRecord::value)
                .filter(v -> v.getMessageId().equals(messageId))
                .toList();
    }

    static List<DeadLetter> deadLettersOf(String messageId) {
        return TopicSnapshot.read(
                        env.bootstrapServers(), env.topics().registry(), Topics.EVENTS_INVALID, DeadLetter.class)
                .stream()
                .map(ConsumerRecord::value)
                .filter(l -> messageId.equals(l.getMessageId()))
                .toList();
    }

    // ---- flag: every violation type, kept and recorded ----

    @Test
    void flagKeepsTheEventWithEveryViolationAttachedAndRecorded() {
        String run = UUID.randomUUID().toString();
        String batch = "{\"batch\":["
                + String.join(
                        ",",
                        order(run + "-ok", "{\"order_id\":\"o-1\",\"total\":9.99,\"currency\":\"EUR\"}"),
                        order(
                                run + "-bad",
                                "{\"total\":\"9.99\",\"currency\":\"GBP\",\"coupon\":\"TOO-LONG-CODE\",\"gift\":true}"),
                        "{\"type\":\"track\",\"event\":\"Order Complete\",\"userId\":\"u-1\",\"messageId\":\"" + run
                                + "-typo\"}",
                        "{\"type\":\"identify\",\"userId\":\"u-1\",\"messageId\":\"" + run
                                + "-traits\",\"traits\":{\"email\":5}}")
                + "]}";

        HttpResponse<String> response = one.post("/v1/batch", "key-web", batch);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        TrackedEvent ok = stored(run + "-ok");
        assertThat(ok.getTrackingPlan()).isEqualTo("shop");
        assertThat(ok.getTrackingPlanVersion()).isEqualTo(1);
        assertThat(ok.getPlanViolations()).isNull();
        assertThat(stored(run + "-bad").getPlanViolations())
                .extracting(PlanViolation::getViolationType, PlanViolation::getPath, PlanViolation::getAction)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("required_missing", "properties.order_id", "flag"),
                        org.assertj.core.groups.Tuple.tuple("type_mismatch", "properties.total", "flag"),
                        org.assertj.core.groups.Tuple.tuple("enum_mismatch", "properties.currency", "flag"),
                        org.assertj.core.groups.Tuple.tuple("constraint", "properties.coupon", "flag"),
                        org.assertj.core.groups.Tuple.tuple("additional_property", "properties.gift", "flag"));
        assertThat(stored(run + "-typo").getPlanViolations())
                .extracting(PlanViolation::getViolationType)
                .containsExactly("unplanned_event");
        assertThat(stored(run + "-traits").getPlanViolations())
                .extracting(PlanViolation::getPath)
                .containsExactly("traits.email");

        List<QualityViolation> recorded = violationsOf(run + "-bad");
        assertThat(recorded).hasSize(5).allSatisfy(v -> {
            assertThat(v.getSource()).isEqualTo("web");
            assertThat(v.getEventName()).isEqualTo("Order Completed");
            assertThat(v.getTrackingPlan()).isEqualTo("shop");
            assertThat(v.getTrackingPlanVersion()).isEqualTo(1);
        });
        assertThat(recorded).filteredOn(QualityViolation::getFirstOfEvent).hasSize(1);
        assertThat(violationsOf(run + "-ok")).isEmpty();
        assertThat(violationsOf(run + "-typo"))
                .extracting(v -> v.getViolation().getViolationType())
                .containsExactly("unplanned_event");
    }

    // ---- block: dead-lettered, answered per item with an actionable sentence ----

    @Test
    void blockDeadLettersTheEventAndAnswersItsItemWithTheViolations() {
        String run = UUID.randomUUID().toString();
        String batch = "{\"batch\":[" + order(run + "-ok", "{\"order_id\":\"o-1\",\"total\":5}") + ","
                + order(run + "-bad", "{\"order_id\":\"o-2\",\"total\":\"9.99\"}") + "]}";

        HttpResponse<String> response = one.post("/v1/batch", "key-strict", batch);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(207);
        JsonNode item = json(response).path("results").get(1);
        assertThat(item.path("status").asText()).isEqualTo("rejected");
        assertThat(item.path("code").asText()).isEqualTo("tracking_plan_violation");
        assertThat(item.path("field").asText()).isEqualTo("batch[1].properties.total");
        JsonNode violation = item.path("violations").get(0);
        assertThat(violation.path("type").asText()).isEqualTo("type_mismatch");
        assertThat(violation.path("path").asText()).isEqualTo("properties.total");
        assertThat(violation.path("expected").asText()).isEqualTo("number");
        assertThat(violation.path("actual").asText()).isEqualTo("string \"9.99\"");
        assertThat(violation.path("message").asText())
                .isEqualTo("properties.total: expected number, got string \"9.99\"");

        assertThat(isStored(run + "-bad")).isFalse();
        assertThat(stored(run + "-ok").getTrackingPlan()).isEqualTo("shop");
        assertThat(deadLettersOf(run + "-bad")).singleElement().satisfies(letter -> {
            assertThat(letter.getReasonCode()).isEqualTo("tracking_plan_violation");
            assertThat(letter.getReasonText()).isEqualTo("properties.total: expected number, got string \"9.99\"");
            assertThat(letter.getSource()).isEqualTo("strict");
        });
        assertThat(violationsOf(run + "-bad"))
                .singleElement()
                .satisfies(v -> assertThat(v.getViolation().getAction()).isEqualTo("block"));
    }

    @Test
    void aBlockedSingleEventIsAnswered400() {
        String id = UUID.randomUUID().toString();
        HttpResponse<String> response = one.post(
                "/v1/track",
                "key-strict",
                "{\"event\":\"Order Completed\",\"userId\":\"u-1\",\"messageId\":\"" + id
                        + "\",\"properties\":{\"order_id\":\"o\"}}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("code").asText()).isEqualTo("tracking_plan_violation");
        assertThat(json(response).path("message").asText()).contains("properties.total: required by the plan, missing");
        assertThat(deadLettersOf(id)).hasSize(1);
    }

    // ---- omit and allow ----

    @Test
    void omitRemovesTheOffendingPropertiesAndKeepsTheEvent() {
        String id = UUID.randomUUID().toString();
        HttpResponse<String> response = one.post(
                "/v1/batch",
                "key-tidy",
                "{\"batch\":[" + order(id, "{\"order_id\":\"o-1\",\"total\":3,\"currency\":\"GBP\",\"gift\":true}")
                        + "]}");

        assertThat(response.statusCode()).isEqualTo(200);
        TrackedEvent event = stored(id);
        assertThat(event.getProperties()).isEqualTo("{\"order_id\":\"o-1\",\"total\":3}");
        assertThat(event.getPlanViolations())
                .extracting(PlanViolation::getAction)
                .containsOnly("omit")
                .hasSize(2);
        assertThat(violationsOf(id)).hasSize(2);
    }

    @Test
    void allowKeepsTheEventUntouchedAndRecordsNothing() {
        String id = UUID.randomUUID().toString();
        HttpResponse<String> response =
                one.post("/v1/batch", "key-lax", "{\"batch\":[" + order(id, "{\"total\":\"x\",\"gift\":1}") + "]}");

        assertThat(response.statusCode()).isEqualTo(200);
        TrackedEvent event = stored(id);
        assertThat(event.getTrackingPlanVersion()).isEqualTo(1);
        assertThat(event.getPlanViolations()).isNull();
        assertThat(event.getProperties()).isEqualTo("{\"total\":\"x\",\"gift\":1}");
        assertThat(violationsOf(id)).isEmpty();
    }

    @Test
    void aSourceWithoutAPlanIsNotChecked() {
        String id = UUID.randomUUID().toString();
        assertThat(one.post("/v1/batch", "key-free", "{\"batch\":[" + order(id, "{\"total\":\"x\"}") + "]}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(stored(id).getTrackingPlan()).isNull();
    }

    // ---- lifecycle ----

    @Test
    void aVersionPublishedThroughOneReplicaAppliesOnTheOtherWithinFiveSeconds() {
        String v1 =
                "{\"events\": {\"Opened\": {\"properties\": {\"type\": \"object\", \"properties\": {\"count\": {\"type\": \"number\"}}}}}}";
        String v2 =
                "{\"events\": {\"Opened\": {\"properties\": {\"type\": \"object\", \"properties\": {\"count\": {\"type\": \"number\"}}}},"
                        + " \"Closed\": {}}}";
        assertThat(put(one, "app", v1, "").statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> get(two, "/v1/tracking-plans/app").statusCode() == 200);
        String closedBefore = UUID.randomUUID().toString();
        HttpResponse<String> blocked = two.post(
                "/v1/track",
                "key-mobile",
                "{\"event\":\"Closed\",\"userId\":\"u\",\"messageId\":\"" + closedBefore + "\"}");
        assertThat(blocked.statusCode()).isEqualTo(400);

        HttpResponse<String> published = put(one, "app", v2, "");
        assertThat(published.statusCode()).as(published.body()).isEqualTo(201);
        assertThat(json(published).path("version").asInt()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        json(get(two, "/v1/tracking-plans/app")).path("version").asInt() == 2);

        String closedAfter = UUID.randomUUID().toString();
        assertThat(two.post(
                                "/v1/track",
                                "key-mobile",
                                "{\"event\":\"Closed\",\"userId\":\"u\",\"messageId\":\"" + closedAfter + "\"}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(stored(closedAfter).getTrackingPlanVersion()).isEqualTo(2);
        assertThat(json(get(two, "/v1/tracking-plans/app/versions/1"))
                        .path("events")
                        .has("Closed"))
                .isFalse();
        assertThat(get(two, "/v1/tracking-plans/app/versions/9").statusCode()).isEqualTo(404);
        assertThat(json(get(one, "/v1/tracking-plans")).path("plans").findValuesAsText("name"))
                .contains("app", "shop");
    }

    @Test
    void aVersionThatWouldNewlyBlockEventsNeedsForceAndSaysWhich() {
        String v1 = "{\"events\": {\"Played\": {\"properties\": {\"type\": \"object\"}}, \"Paused\": {}}}";
        assertThat(put(one, "media", v1, "").statusCode()).isEqualTo(201);
        // no source is bound to media: nothing it changes can block
        assertThat(put(one, "media", "{\"events\": {}}", "").statusCode()).isEqualTo(201);

        String opened =
                "{\"events\": {\"Opened\": {\"properties\": {\"type\": \"object\", \"properties\": {\"count\": {\"type\": \"number\"}}}}, \"Closed\": {}}}";
        assertThat(put(one, "tv", opened, "").statusCode()).isEqualTo(201);
        String id = UUID.randomUUID().toString();
        assertThat(one.post(
                                "/v1/track",
                                "key-tv",
                                "{\"event\":\"Opened\",\"userId\":\"u\",\"messageId\":\"" + id
                                        + "\",\"properties\":{\"count\":2}}")
                        .statusCode())
                .isEqualTo(200);

        String stricter =
                "{\"events\": {\"Opened\": {\"properties\": {\"type\": \"object\", \"required\": [\"screen\"]}}}}";
        HttpResponse<String> refused = put(one, "tv", stricter, "");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(json(refused).path("code").asText()).isEqualTo("plan_would_block_events");
        assertThat(json(refused).path("details").findValuesAsText("event"))
                .containsExactlyInAnyOrder("Opened", "Closed");

        assertThat(put(one, "tv", stricter, "?force=true").statusCode()).isEqualTo(201);
    }

    // ---- bad plans and credentials ----

    @Test
    void aMalformedPlanIsRefused422NamingThePath() {
        HttpResponse<String> schema =
                put(one, "broken", "{\"events\": {\"A\": {\"properties\": {\"type\": \"objet\"}}}}", "");
        assertThat(schema.statusCode()).isEqualTo(422);
        assertThat(json(schema).path("details").findValuesAsText("path")).contains("events.A.properties.type");

        HttpResponse<String> notJson = put(one, "broken", "{\"events\": ", "");
        assertThat(notJson.statusCode()).isEqualTo(422);
        assertThat(json(notJson).path("code").asText()).isEqualTo("invalid_tracking_plan");

        HttpResponse<String> version = put(one, "shop", "{\"version\": 7, \"events\": {}}", "");
        assertThat(version.statusCode()).isEqualTo(409);
        assertThat(get(one, "/v1/tracking-plans/broken").statusCode()).isEqualTo(404);
    }

    @Test
    void onlyAdminTokensMayPublishOrRead() {
        HttpRequest.Builder put = HttpRequest.newBuilder(one.uri("/v1/tracking-plans/shop"))
                .PUT(HttpRequest.BodyPublishers.ofString("{}"));
        assertThat(one.send(put.copy().build()).statusCode()).isEqualTo(401);
        assertThat(one.send(put.copy().header("Authorization", "Bearer guess").build())
                        .statusCode())
                .isEqualTo(401);
        assertThat(one.send(one.request("/v1/tracking-plans/shop", "key-web")
                                .GET()
                                .build())
                        .statusCode())
                .isEqualTo(403);
        assertThat(one.send(HttpRequest.newBuilder(one.uri("/v1/tracking-plans/shop"))
                                .header("Authorization", "Bearer other-admin")
                                .build())
                        .statusCode())
                .isEqualTo(200);
    }
}
