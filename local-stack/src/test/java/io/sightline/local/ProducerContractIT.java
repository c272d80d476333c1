package io.sightline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.archive.EventsParquet;
import io.sightline.plans.cli.PlanCommand;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.TrackedEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The producer contract on the whole stack, as the README shows it: a plan published
 * with one PUT, a blocked event answered 207 with the violation, the violations query,
 * the observed catalog and a plan drafted from it, and a drift alert reaching a real
 * Alertmanager.
 */
class ProducerContractIT {

    private static final Stack.Ports ANY_FREE_PORTS = Stack.Ports.ANY_FREE;
    private static final String WRITE_KEY = "contract-key";
    private static final String ADMIN = "contract-admin";
    private static final String DPO = "contract-dpo";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PLAN = """
            {"events": {"Order Completed": {"description": "Checkout finished", "owner": "checkout-team",
               "properties": {"type": "object", "required": ["order_id", "total"],
                 "properties": {"order_id": {"type": "string"}, "total": {"type": "number", "minimum": 0}}}}}}
            """;

    @TempDir
    static Path dataDir;

    static Stack stack;
    static AlertmanagerProcess alertmanager;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "SIGHTLINE_TRACKING_PLANS", "local=web",
                "SIGHTLINE_TRACKING_PLAN_MODES", "type_mismatch=block,*=flag",
                "SIGHTLINE_ADMIN_TOKENS", ADMIN,
                "SIGHTLINE_ACCESS_TOKENS", "dpo=" + DPO + "@users:read",
                "SIGHTLINE_CATALOG_REPORT_MS", "500"));
        if (AlertmanagerProcess.binary().isPresent()) {
            alertmanager = AlertmanagerProcess.start(dataDir.resolve("alertmanager"));
            settings.put("SIGHTLINE_ALERT_FORWARD_URL", alertmanager.url() + "/api/v2/alerts");
        }
        stack = Stack.start(dataDir, ANY_FREE_PORTS, WRITE_KEY, settings, Duration.ofMinutes(2), line -> {});
        HttpResponse<String> published =
                send(HttpRequest.newBuilder(URI.create(stack.url("ingest-gateway") + "/v1/tracking-plans/web"))
                        .header("Authorization", "Bearer " + ADMIN)
                        .PUT(HttpRequest.BodyPublishers.ofString(PLAN)));
        assertThat(published.statusCode()).as(published.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (alertmanager != null) {
            alertmanager.close();
        }
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Posts to the gateway with the stack's write key, as an SDK does. */
    static HttpResponse<String> postEvents(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(stack.url("ingest-gateway") + path))
                .header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString((WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static HttpResponse<String> batch(String... events) throws Exception {
        return postEvents("/v1/batch", "{\"batch\":[" + String.join(",", events) + "]}");
    }

    static String track(String name, String messageId, String properties) {
        return "{\"type\":\"track\",\"event\":\"" + name + "\",\"userId\":\"u-1\",\"messageId\":\"" + messageId
                + "\",\"properties\":" + properties + "}";
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(stack.url("serving-api") + path)));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    @Test
    void aBlockedEventIsAnswered207AndCountedInTheViolationsQuery() throws Exception {
        String run = UUID.randomUUID().toString();
        HttpResponse<String> answer = batch(
                track("Order Completed", run + "-ok", "{\"order_id\":\"o-1\",\"total\":5}"),
                track("Order Completed", run + "-bad", "{\"order_id\":\"o-2\",\"total\":\"9.99\"}"));

        assertThat(answer.statusCode()).isEqualTo(207);
        JsonNode rejected = JSON.readTree(answer.body()).path("results").get(1);
        assertThat(rejected.path("violations").get(0).path("message").asText())
                .isEqualTo("properties.total: expected number, got string \"9.99\"");
        List<TrackedEvent> stored = StackRecords.read(
                stack,
                Topics.EVENTS_RAW,
                TrackedEvent.class,
                e -> e.getMessageId().startsWith(run),
                1);
        assertThat(stored).extracting(TrackedEvent::getMessageId).containsExactly(run + "-ok");
        assertThat(stored.get(0).getTrackingPlanVersion()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode violations = get("/v1/quality/violations?groupBy=source,type,path");
            assertThat(violations.path("groups").toString())
                    .contains("\"type\":\"type_mismatch\"", "\"path\":\"properties.total\"");
        });
    }

    @Test
    void theCatalogListsWhatWasSentAndDraftsAPlanFromIt() throws Exception {
        String run = UUID.randomUUID().toString();
        assertThat(batch(
                                track(
                                        "Order Completed",
                                        run + "-1",
                                        "{\"order_id\":\"o\",\"total\":1,\"coupon\":\"X\"}"),
                                track("Checkout Started", run + "-2", "{\"cart\":3}"))
                        .statusCode())
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode events = get("/v1/catalog/events?source=local").path("events");
            JsonNode planned = find(events, "Order Completed");
            assertThat(planned.path("planned").asBoolean()).isTrue();
            assertThat(planned.path("owner").asText()).isEqualTo("checkout-team");
            assertThat(planned.path("trackingPlan").asText()).isEqualTo("web");
            assertThat(planned.path("properties").toString()).contains("\"name\":\"coupon\"", "\"planned\":false");
            assertThat(find(events, "Checkout Started").path("planned").asBoolean())
                    .isFalse();
        });

        // The command's own writer, not System.out, which the stack's log lines share.
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new PlanCommand())
                .setOut(new PrintWriter(out, true))
                .execute("draft", "--source", "local", "--api", stack.url("serving-api"));
        assertThat(exit).isZero();
        JsonNode draft = JSON.readTree(out.toString());
        assertThat(draft.path("events").has("Order Completed")).isTrue();
        assertThat(draft.path("events")
                        .path("Checkout Started")
                        .path("properties")
                        .path("properties")
                        .path("cart")
                        .path("type")
                        .asText())
                .isEqualTo("integer");
    }

    @Test
    void anUnplannedEventNameReachesAlertmanagerWithItsSampleAndRemedy() throws Exception {
        Assumptions.assumeTrue(
                alertmanager != null, "Alertmanager is not installed (Debian package prometheus-alertmanager)");
        String name = "Order Complete " + UUID.randomUUID().toString().substring(0, 8);
        assertThat(batch(track(
                                name,
                                UUID.randomUUID().toString(),
                                "{\"order_id\":\"o\",\"email\":\"person@example.com\"}"))
                        .statusCode())
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode alerts = JSON.readTree(alertmanager.alerts());
            JsonNode alert = null;
            for (JsonNode a : alerts) {
                if ("UnplannedEvent".equals(a.path("labels").path("alertname").asText())
                        && name.equals(a.path("labels").path("event").asText())) {
                    alert = a;
                }
            }
            assertThat(alert).as("UnplannedEvent for %s in %s", name, alerts).isNotNull();
            assertThat(alert.path("labels").path("source").asText()).isEqualTo("local");
            assertThat(alert.path("annotations").path("remediation").asText())
                    .startsWith("Add '" + name + "' to tracking plan web");
            assertThat(alert.path("annotations").path("sample").asText())
                    .isEqualTo("{\"order_id\":\"string\",\"email\":\"string\"}")
                    .doesNotContain("person@example.com");
        });
    }

    private static JsonNode find(JsonNode events, String name) {
        for (JsonNode e : events) {
            if (name.equals(e.path("name").asText())) {
                return e;
            }
        }
        throw new AssertionError("no event " + name + " in " + events);
    }

    static HttpResponse<String> trackAs(String userId, String anonymousId, String messageId) throws Exception {
        String ids =
                (userId == null ? "" : "\"userId\":\"" + userId + "\",") + "\"anonymousId\":\"" + anonymousId + "\",";
        return postEvents("/v1/track", "{" + ids + "\"event\":\"Clicked\",\"messageId\":\"" + messageId + "\"}");
    }

    @Test
    void suppressingAUserSuppressesTheDevicesLinkedToIt() throws Exception {
        String run = UUID.randomUUID().toString();
        String user = "user-" + run;
        String device = "device-" + run;
        assertThat(trackAs(user, device, run + "-linked").statusCode()).isEqualTo(200);
        // The enrich processor has linked the device to the user once the event is enriched.
        StackRecords.read(
                stack,
                Topics.EVENTS_ENRICHED,
                EnrichedEvent.class,
                e -> e.getEvent().getMessageId().equals(run + "-linked"),
                1);

        HttpResponse<String> asked =
                send(HttpRequest.newBuilder(URI.create(stack.url("ingest-gateway") + "/v1/regulations"))
                        .header("Authorization", "Bearer " + ADMIN)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"regulationType\":\"SUPPRESS\",\"subjectType\":\"USER_ID\",\"subjectIds\":[\"" + user
                                        + "\"]}")));
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(202);

        SubjectRegulation derived = StackRecords.read(
                        stack,
                        Topics.PRIVACY_REGULATIONS,
                        SubjectRegulation.class,
                        r -> r.getSubjectId().equals(device),
                        1)
                .get(0);
        assertThat(derived.getDerivedFrom()).isEqualTo(user);
        assertThat(derived.getRegulationType()).isEqualTo(RegulationType.SUPPRESS);
        // The device's own events, with no user id, stop at the door too.
        AtomicInteger probe = new AtomicInteger();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            String messageId = run + "-anonymous-" + probe.incrementAndGet();
            assertThat(trackAs(null, device, messageId).statusCode()).isEqualTo(200);
            return StackRecords.readToEnd(stack, Topics.EVENTS_RAW, TrackedEvent.class).stream()
                    .noneMatch(e -> e.getMessageId().equals(messageId));
        });
    }

    @Test
    void deletingAUserErasesTheirProfileSessionAndFunnelProgressAndFinishesOnceEveryTaskHas() throws Exception {
        String run = UUID.randomUUID().toString();
        String user = "erased-" + run;
        assertThat(postEvents(
                                "/v1/identify",
                                "{\"userId\":\"" + user + "\",\"traits\":{\"plan\":\"pro\"},\"messageId\":\"" + run
                                        + "-identify\"}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(postEvents(
                                "/v1/track",
                                "{\"userId\":\"" + user + "\",\"event\":\"Signed Up\",\"messageId\":\"" + run
                                        + "-signup\"}")
                        .statusCode())
                .isEqualTo(200);
        StackRecords.read(
                stack,
                Topics.EVENTS_ENRICHED,
                EnrichedEvent.class,
                e -> e.getEvent().getMessageId().startsWith(run),
                2);
        // The archiver commits a file every 10 s on the local stack.
        await().atMost(Duration.ofSeconds(60)).until(() -> archived(user).size() == 2);

        HttpResponse<String> before = lookUp(user);
        assertThat(before.statusCode()).as(before.body()).isEqualTo(200);
        assertThat(JSON.readTree(before.body())
                        .path("data")
                        .path("profile")
                        .path("traits")
                        .path("plan")
                        .asText())
                .isEqualTo("pro");
        assertThat(send(HttpRequest.newBuilder(URI.create(stack.url("enrich-processor") + "/v1/users/" + user)))
                        .statusCode())
                .as("personal data needs a users:read token")
                .isEqualTo(401);

        HttpResponse<String> asked =
                send(HttpRequest.newBuilder(URI.create(stack.url("ingest-gateway") + "/v1/regulations"))
                        .header("Authorization", "Bearer " + ADMIN)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"regulationType\":\"DELETE_ONLY\",\"subjectType\":\"USER_ID\",\"subjectIds\":[\""
                                        + user + "\"]}")));
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(202);
        String id = JSON.readTree(asked.body()).path("data").path("regulateId").asText();

        AtomicReference<JsonNode> status = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> answer =
                    send(HttpRequest.newBuilder(URI.create(stack.url("ingest-gateway") + "/v1/regulations/" + id))
                            .header("Authorization", "Bearer " + ADMIN));
            status.set(JSON.readTree(answer.body()).path("data").path("regulation"));
            assertThat(status.get().path("overallStatus").asText())
                    .as(answer.body())
                    .isEqualTo("FINISHED");
        });
        assertThat(status.get().path("steps").findValuesAsText("name"))
                .containsExactly("erasure:enrich-processor", "erasure:aggregate-processor", "erasure:archiver");
        assertThat(Instant.parse(status.get().path("rawDataExpiresBy").asText()))
                .isAfter(Instant.parse(status.get().path("createdAt").asText()));

        assertThat(lastValue(Topics.USERS_PROFILE, user))
                .as("the profile topic's tombstone")
                .isNull();
        assertThat(lastValue(StackRecords.topicEndingWith(stack, "-user-profiles-changelog"), user))
                .isNull();
        assertThat(lastValue(StackRecords.topicEndingWith(stack, "-user-sessions-changelog"), user))
                .isNull();
        assertThat(lastValue(
                        StackRecords.topicEndingWith(stack, "-funnel-progress-changelog"),
                        "signup_funnel\u0000" + user))
                .isNull();
        assertThat(archived(user)).as("the user's events in the archive").isEmpty();
        HttpResponse<String> after = lookUp(user);
        assertThat(after.statusCode()).as(after.body()).isEqualTo(404);
        // Erasing alone does not stop collection: the user's next event is kept.
        assertThat(trackAs(user, "device-" + run, run + "-after").statusCode()).isEqualTo(200);
        StackRecords.read(
                stack,
                Topics.EVENTS_RAW,
                TrackedEvent.class,
                e -> e.getMessageId().equals(run + "-after"),
                1);
    }

    /** What the enrich processor holds about a user, asked with a users:read token. */
    private static HttpResponse<String> lookUp(String user) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(stack.url("enrich-processor") + "/v1/users/" + user))
                .header("Authorization", "Bearer " + DPO));
    }

    /** The messageIds of the user's events in the local stack's archive. */
    private static List<String> archived(String user) throws java.io.IOException {
        Path archive = dataDir.resolve("archive");
        List<String> ids = new java.util.ArrayList<>();
        if (!java.nio.file.Files.isDirectory(archive)) {
            return ids;
        }
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(archive)) {
            for (Path file : files.filter(f ->
                            f.toString().endsWith(".parquet") && !f.toString().contains("/."))
                    .toList()) {
                for (EnrichedEvent e : EventsParquet.read(file)) {
                    if (user.equals(e.getEvent().getUserId())) {
                        ids.add(e.getEvent().getMessageId());
                    }
                }
            }
        }
        return ids;
    }

    /** The last value written under {@code key} (null for a tombstone); fails if nothing was. */
    private static byte[] lastValue(String topic, String key) {
        List<Map.Entry<String, byte[]>> records =
                StackRecords.recordsToEnd(stack, topic, new ByteArrayDeserializer()).stream()
                        .filter(r -> key.equals(r.getKey()))
                        .toList();
        assertThat(records).as("records of the subject in " + topic).isNotEmpty();
        return records.get(records.size() - 1).getValue();
    }
}
