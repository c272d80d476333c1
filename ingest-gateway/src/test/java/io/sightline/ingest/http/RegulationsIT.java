package io.sightline.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.common.kafka.RetentionClass;
import io.sightline.ingest.GatewayConfig;
import io.sightline.ingest.IngestGateway;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.testkit.PipelineEnvironment;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regulations on two gateway replicas over a real broker: a suppression asked of one
 * replica drops the subject's events at both within seconds, answered as accepted and
 * written nowhere; unsuppressing lifts it; requests are checked field by field; only an
 * admin token may ask; everything survives a gateway restart.
 */
class RegulationsIT {

    static final String ADMIN = "privacy-admin";

    @TempDir
    static Path dataDir;

    static PipelineEnvironment env;
    static IngestGateway first;
    static IngestGateway second;
    static GatewayClient one;
    static GatewayClient two;
    static final AtomicInteger probes = new AtomicInteger();

    @BeforeAll
    static void start() {
        env = PipelineEnvironment.start(dataDir);
        first = IngestGateway.start(new GatewayConfig(env.serviceEnv(dataDir.resolve("a"), settings())));
        second = IngestGateway.start(new GatewayConfig(env.serviceEnv(dataDir.resolve("b"), settings())));
        one = new GatewayClient(first.port());
        two = new GatewayClient(second.port());
    }

    static Map<String, String> settings() {
        return Map.of(
                "SIGHTLINE_WRITE_KEYS",
                "key-web:web",
                "SIGHTLINE_ADMIN_TOKENS",
                ADMIN,
                "SIGHTLINE_ACCESS_TOKENS",
                "privacy-officer=officer-token@admin; analyst=analyst-token@metrics:read");
    }

    @AfterAll
    static void stop() {
        second.close();
        first.close();
        env.close();
    }

    static HttpResponse<String> regulate(GatewayClient client, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(client.uri("/v1/regulations"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build());
    }

    static HttpResponse<String> get(GatewayClient client, String path) {
        return client.getWithToken(path, ADMIN);
    }

    static JsonNode json(HttpResponse<String> response) {
        return GatewayClient.json(response);
    }

    static String regulation(String type, String subjectType, String... ids) {
        return "{\"regulationType\":\"" + type + "\",\"subjectType\":\"" + subjectType + "\",\"subjectIds\":[\""
                + String.join("\",\"", ids) + "\"]}";
    }

    /** Sends one event of this user (and device) through {@code client}: its messageId, once answered 200. */
    static String track(GatewayClient client, String userId, String anonymousId) {
        String messageId = "probe-" + probes.incrementAndGet() + "-" + UUID.randomUUID();
        String ids = (userId == null ? "" : "\"userId\":\"" + userId + "\",")
                + (anonymousId == null ? "" : "\"anonymousId\":\"" + anonymousId + "\",");
        HttpResponse<String> response = client.post(
                "/v1/track", "key-web", "{" + ids + "\"event\":\"Clicked\",\"messageId\":\"" + messageId + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return messageId;
    }

    /** Whether the event is anywhere: the raw topic or the dead letters (read to their end after its 200). */
    static boolean isWritten(String messageId) {
        return TopicSnapshot.read(
                                env.bootstrapServers(), env.topics().registry(), Topics.EVENTS_RAW, TrackedEvent.class)
                        .stream()
                        .anyMatch(r -> r.value().getMessageId().equals(messageId))
                || TopicSnapshot.read(
                                env.bootstrapServers(),
                                env.topics().registry(),
                                Topics.EVENTS_INVALID,
                                DeadLetter.class)
                        .stream()
                        .anyMatch(r -> messageId.equals(r.value().getMessageId()));
    }

    @Test
    void aSuppressionAskedOfOneReplicaDropsTheSubjectsEventsAtBothWithinSeconds() {
        String user = "user-" + UUID.randomUUID();
        String device = "device-" + UUID.randomUUID();
        assertThat(isWritten(track(two, user, null))).isTrue();

        HttpResponse<String> asked = regulate(one, ADMIN, regulation("SUPPRESS", "USER_ID", user));
        long askedAt = System.nanoTime();
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(202);
        String id = json(asked).path("data").path("regulateId").asText();

        // Each probe is a new event through the other replica; the first that is written nowhere shows the suppression
        // there.
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> !isWritten(track(two, user, null)));
        assertThat(Duration.ofNanos(System.nanoTime() - askedAt)).isLessThan(Duration.ofSeconds(5));
        assertThat(isWritten(track(one, user, null))).isFalse();
        // A batch mixing a suppressed user's event and another's: the other is stored, both are answered as accepted.
        String other = "other-" + UUID.randomUUID();
        HttpResponse<String> batch = two.post(
                "/v1/batch",
                "key-web",
                "{\"batch\":[{\"type\":\"track\",\"event\":\"A\",\"userId\":\""
                        + user + "\",\"messageId\":\"" + other
                        + "-s\"},{\"type\":\"track\",\"event\":\"A\",\"userId\":\"" + other
                        + "\",\"messageId\":\"" + other + "-k\"},{\"type\":\"track\",\"userId\":\"" + user
                        + "\",\"messageId\":\""
                        + other + "-bad\"}]}");
        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
        assertThat(isWritten(other + "-k")).isTrue();
        assertThat(isWritten(other + "-s")).isFalse();
        assertThat(isWritten(other + "-bad"))
                .as("a suppressed subject's bad event is not dead-lettered either")
                .isFalse();
        assertThat(one.get("/metrics").body())
                .containsPattern("sightline_ingest_events_total\\{outcome=\"suppressed\"");

        JsonNode status = json(get(two, "/v1/regulations/" + id)).path("data").path("regulation");
        assertThat(status.path("overallStatus").asText()).isEqualTo("FINISHED");
        assertThat(status.path("subjectCount").asInt()).isEqualTo(1);
        assertThat(status.path("steps").get(0).path("name").asText()).isEqualTo("suppression");
        assertThat(status.path("steps").get(0).path("finishedAt").asText()).isNotEmpty();
        assertThat(status.toString()).doesNotContain(user);
        assertThat(json(get(one, "/v1/regulations"))
                        .path("data")
                        .path("regulations")
                        .toString())
                .contains(id);

        // By device too, and lifted again.
        assertThat(regulate(two, ADMIN, regulation("SUPPRESS", "ANONYMOUS_ID", device))
                        .statusCode())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(5)).until(() -> !isWritten(track(one, null, device)));
        assertThat(regulate(one, ADMIN, regulation("UNSUPPRESS", "USER_ID", user))
                        .statusCode())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(5)).until(() -> isWritten(track(two, user, null)));
        assertThat(isWritten(track(two, user, device)))
                .as("the device is still suppressed")
                .isFalse();
    }

    @Test
    void aRestartedGatewayStillKnowsEverySuppression() {
        String user = "restart-" + UUID.randomUUID();
        assertThat(regulate(one, ADMIN, regulation("SUPPRESS", "USER_ID", user)).statusCode())
                .isEqualTo(202);

        try (IngestGateway third =
                IngestGateway.start(new GatewayConfig(env.serviceEnv(dataDir.resolve("c"), settings())))) {
            GatewayClient three = new GatewayClient(third.port());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> three.get("/health/ready").statusCode() == 200);
            assertThat(isWritten(track(three, user, null))).isFalse();
        }
    }

    @Test
    void badRequestsAreAnsweredNamingTheFieldAndNeverEchoTheIds() {
        assertThat(regulate(
                        one,
                        ADMIN,
                        "{\"regulationType\":\"FORGET\",\"subjectType\":\"USER_ID\",\"subjectIds\":[\"a\"]}"))
                .satisfies(r -> assertThat(r.statusCode()).isEqualTo(400))
                .satisfies(r -> assertThat(
                                json(r).path("details").get(0).path("field").asText())
                        .isEqualTo("regulationType"));
        assertThat(json(regulate(
                                one,
                                ADMIN,
                                "{\"regulationType\":\"SUPPRESS\",\"subjectType\":\"USER_ID\",\"subjectIds\":[]}"))
                        .path("details")
                        .get(0)
                        .path("field")
                        .asText())
                .isEqualTo("subjectIds");
        String tooMany = "{\"regulationType\":\"SUPPRESS\",\"subjectType\":\"USER_ID\",\"subjectIds\":["
                + String.join(",", java.util.Collections.nCopies(5_001, "\"x\"")) + "]}";
        assertThat(regulate(one, ADMIN, tooMany).statusCode()).isEqualTo(400);
        HttpResponse<String> control =
                regulate(one, ADMIN, regulation("SUPPRESS", "USER_ID", "fine", "secret\\u0007id"));
        assertThat(control.statusCode()).isEqualTo(400);
        assertThat(json(control).path("details").get(0).path("field").asText()).isEqualTo("subjectIds[1]");
        assertThat(control.body()).doesNotContain("secret");
        assertThat(regulate(one, ADMIN, regulation("SUPPRESS", "EMAIL", "a")).statusCode())
                .isEqualTo(400);
        assertThat(regulate(one, ADMIN, "not json").statusCode()).isEqualTo(400);
    }

    @Test
    void aDeletionWaitsForTheErasingApplicationsAndLeavesCollectionOn() {
        String user = "user-" + UUID.randomUUID();
        HttpResponse<String> asked = regulate(one, ADMIN, regulation("DELETE_ONLY", "USER_ID", user));
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(202);
        String id = json(asked).path("data").path("regulateId").asText();

        // No Streams application runs here: nothing has erased, so the erasure steps wait.
        // The other replica reads the stored request within a poll.
        AtomicReference<JsonNode> read = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            read.set(json(get(two, "/v1/regulations/" + id)).path("data").path("regulation"));
            assertThat(read.get().path("steps").findValuesAsText("status")).containsOnly("RUNNING");
        });
        JsonNode status = read.get();
        assertThat(status.path("overallStatus").asText()).isEqualTo("RUNNING");
        assertThat(status.path("steps").findValuesAsText("name"))
                .containsExactly("erasure:enrich-processor", "erasure:aggregate-processor");
        assertThat(status.path("rawDataExpiresBy").asText())
                .as(
                        "the request's time plus the longest retention of the topics that hold events (dead letters, 14 days)")
                .isEqualTo(Instant.parse(status.path("createdAt").asText())
                        .plus(RetentionClass.DEAD_LETTERS.defaultRetention())
                        .toString());
        assertThat(isWritten(track(one, user, null)))
                .as("a deletion alone does not stop collection")
                .isTrue();
    }

    @Test
    void theRetentionInForceIsShownPerClassOfTopicAsTheBrokersHaveIt() {
        HttpResponse<String> answer = get(one, "/v1/retention");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode data = json(answer).path("data");
        JsonNode raw = data.path("hot").get(0);
        assertThat(raw.path("class").asText()).isEqualTo("raw");
        assertThat(raw.path("holdsUserIds").asBoolean()).isTrue();
        assertThat(raw.path("topics").get(0).path("topic").asText()).isEqualTo(Topics.EVENTS_RAW);
        assertThat(raw.path("topics").get(0).path("retentionMs").asLong())
                .isEqualTo(RetentionClass.RAW.defaultRetention().toMillis());
        assertThat(data.path("hot").findValuesAsText("class"))
                .containsExactly("raw", "enriched", "dead-letters", "metrics", "alerts", "audit");
        assertThat(Duration.parse(data.path("eventsOutliveADeletionBy").asText()))
                .isEqualTo(RetentionClass.DEAD_LETTERS.defaultRetention());
        assertThat(one.get("/v1/retention").statusCode()).isEqualTo(401);
    }

    @Test
    void everyAdminCallAllowedOrRefusedIsAuditedWithWhoWhatFromWhereAndTheOutcome() {
        Instant before = Instant.now().minusSeconds(1);
        String user = "audited-" + UUID.randomUUID();
        HttpResponse<String> asked = regulate(one, "officer-token", regulation("SUPPRESS", "USER_ID", user));
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(202);
        String id = json(asked).path("data").path("regulateId").asText();
        HttpResponse<String> analyst = regulate(one, "analyst-token", regulation("SUPPRESS", "USER_ID", user));
        assertThat(analyst.statusCode()).isEqualTo(403);
        assertThat(json(analyst).path("message").asText()).contains("analyst").contains("admin");
        assertThat(regulate(one, "not-a-token", regulation("SUPPRESS", "USER_ID", user))
                        .statusCode())
                .isEqualTo(401);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(json(two.getWithToken("/v1/regulations/" + id, "officer-token"))
                                .path("data")
                                .path("regulation")
                                .path("requestedBy")
                                .asText())
                        .isEqualTo("privacy-officer"));

        AtomicReference<HttpResponse<String>> audit = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            audit.set(two.getWithToken("/v1/audit?from=" + before, "officer-token"));
            assertThat(json(audit.get()).path("data").path("entries").findValuesAsText("resource"))
                    .contains("/v1/regulations/" + id);
        });
        List<String> entries = new ArrayList<>();
        json(audit.get())
                .path("data")
                .path("entries")
                .forEach(e -> entries.add(e.path("credential").asText() + " "
                        + e.path("action").asText() + " " + e.path("outcome").asInt() + " "
                        + e.path("address").asText()));
        assertThat(entries)
                .contains(
                        "privacy-officer POST /v1/regulations 202 127.0.0.1",
                        "analyst POST /v1/regulations 403 127.0.0.1",
                        "unknown POST /v1/regulations 401 127.0.0.1",
                        "privacy-officer GET /v1/regulations/{id} 200 127.0.0.1");
        assertThat(audit.get().body())
                .as("no token and no subject id in the audit log")
                .doesNotContain("officer-token", "analyst-token", "not-a-token", user);
        assertThat(two.getWithToken("/v1/audit", "analyst-token").statusCode()).isEqualTo(403);
        assertThat(two.getWithToken("/v1/audit?from=yesterday", "officer-token").statusCode())
                .isEqualTo(400);
    }

    @Test
    void onlyAnAdminTokenMayAskOrRead() {
        assertThat(regulate(one, null, regulation("SUPPRESS", "USER_ID", "x")).statusCode())
                .isEqualTo(401);
        assertThat(regulate(one, "wrong", regulation("SUPPRESS", "USER_ID", "x"))
                        .statusCode())
                .isEqualTo(401);
        assertThat(one.get("/v1/regulations").statusCode()).isEqualTo(401);
        assertThat(get(one, "/v1/regulations/" + UUID.randomUUID()).statusCode())
                .isEqualTo(404);
    }
}
