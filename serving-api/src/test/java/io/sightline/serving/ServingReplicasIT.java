package io.sightline.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.common.http.Json;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.serving.topology.ServingTopology;
import io.sightline.testkit.PipelineEnvironment;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two serving replicas on a real broker: either answers every key the same way
 * (forwarding to the owner), fan-out queries merge, read tokens hold across
 * forwarding, the live stream delivers, and when one replica dies the other answers:
 * marked stale from its standby until the group hands it the dead replica's tasks,
 * then fresh.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServingReplicasIT {

    private static final String TOKEN = "read-token-1";
    private static final String FUNNELS_TOKEN = "funnels-token";
    private static final String QUALITY_TOKEN = "quality-token";
    private static final Instant MINUTE =
            Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(5));
    private static final Instant HOUR = Instant.now().truncatedTo(ChronoUnit.HOURS);
    private static final List<String> EVENTS =
            List.of("Signed Up", "Clicked", "Checkout", "Viewed", "Searched", "Logged In");

    @TempDir
    static Path dir;

    static PipelineEnvironment env;
    static ServingApi replicaA;
    static ServingApi replicaB;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        env = PipelineEnvironment.start(dir.resolve("kafka"));
        for (int i = 0; i < EVENTS.size(); i++) {
            env.produce(Topics.METRICS_WINDOWED, key(EVENTS.get(i)), window(EVENTS.get(i), i + 1));
        }
        env.produce(Topics.ALERTS, "fp-1", alert("fp-1"));
        for (int i = 0; i < 3; i++) {
            env.produce(Topics.EVENTS_INVALID, "web-" + i, deadLetter("web", i < 2 ? "missing_field" : "invalid_json"));
        }
        env.produce(Topics.EVENTS_INVALID, "ios", deadLetter("ios", "missing_field"));
        env.produce(
                Topics.METRICS_WINDOWED,
                SeriesKey.of("event_count.1h", Map.of("event", "Signed Up")).toString(),
                hourly("event_count.1h", Map.of("event", "Signed Up"), HOUR, 42, Map.of()));
        env.produce(
                Topics.METRICS_WINDOWED,
                SeriesKey.of("signup_funnel.1h", Map.of()).toString(),
                hourly(
                        "signup_funnel.1h",
                        Map.of(),
                        HOUR.minus(Duration.ofHours(1)),
                        10,
                        Map.of("step_1", 10.0, "step_2", 4.0)));
        env.produce(
                Topics.METRICS_WINDOWED,
                SeriesKey.of("signup_funnel.1h", Map.of()).toString(),
                hourly("signup_funnel.1h", Map.of(), HOUR, 5, Map.of("step_1", 5.0, "step_2", 2.0)));
        for (var cohort : List.of(Map.entry("ios", new double[] {8, 2}), Map.entry("web", new double[] {20, 10}))) {
            Map<String, String> dims = Map.of("platform", cohort.getKey());
            env.produce(
                    Topics.METRICS_WINDOWED,
                    SeriesKey.of("plan_funnel.1h", dims).toString(),
                    hourly(
                            "plan_funnel.1h",
                            dims,
                            HOUR,
                            cohort.getValue()[0],
                            Map.of("step_1", cohort.getValue()[0], "step_2", cohort.getValue()[1])));
        }
        CompletableFuture<ServingApi> a = CompletableFuture.supplyAsync(() -> startReplica("a"));
        CompletableFuture<ServingApi> b = CompletableFuture.supplyAsync(() -> startReplica("b"));
        replicaA = a.join();
        replicaB = b.join();
    }

    @AfterAll
    static void stop() {
        for (ServingApi replica : new ServingApi[] {replicaA, replicaB}) {
            if (replica != null) {
                replica.close();
            }
        }
        env.close();
    }

    private static ServingApi startReplica(String name) {
        int port = freePort();
        return ServingApi.start(new ServingConfig(env.serviceEnv(
                dir.resolve("state-" + name),
                Map.of(
                        "SIGHTLINE_HTTP_PORT",
                        String.valueOf(port),
                        "SIGHTLINE_ADVERTISED_ENDPOINT",
                        "127.0.0.1:" + port,
                        "SIGHTLINE_READ_TOKENS",
                        TOKEN,
                        "SIGHTLINE_ACCESS_TOKENS",
                        "funnels-only=" + FUNNELS_TOKEN + "@metrics:read[signup_funnel]; quality=" + QUALITY_TOKEN
                                + "@quality:read",
                        "SIGHTLINE_STREAM_HEARTBEAT_MS",
                        "500"))));
    }

    @Test
    @Order(1)
    void shouldAnswerEveryKeyTheSameFromEitherReplica() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (int i = 0; i < EVENTS.size(); i++) {
                for (ServingApi replica : List.of(replicaA, replicaB)) {
                    JsonNode answer = getJson(
                            replica,
                            "/v1/metrics/event_count?event=" + encode(EVENTS.get(i)) + "&from="
                                    + MINUTE.minusSeconds(60),
                            200);
                    assertThat(answer.path("series")).hasSize(1);
                    assertThat(answer.path("series")
                                    .get(0)
                                    .path("points")
                                    .get(0)
                                    .path("value")
                                    .asInt())
                            .isEqualTo(i + 1);
                    assertThat(answer.path("freshness").path("updatedAt").asText())
                            .isNotEmpty();
                }
            }
        });
    }

    @Test
    @Order(2)
    void shouldFanOutQueriesThatSpanKeysAndMergeTheCatalogAndAlerts() throws Exception {
        JsonNode all = getJson(replicaA, "/v1/metrics/event_count?from=" + MINUTE.minusSeconds(60), 200);
        assertThat(all.path("series")).hasSize(EVENTS.size());

        JsonNode top =
                getJson(replicaB, "/v1/metrics/event_count?groupBy=event&top=2&from=" + MINUTE.minusSeconds(60), 200);
        assertThat(top.path("series")).hasSize(2);
        assertThat(top.path("series").get(0).path("dimensions").path("event").asText())
                .isEqualTo("Logged In");
        assertThat(top.path("series").get(1).path("points").get(0).path("value").asInt())
                .isEqualTo(5);

        assertThat(getJson(replicaB, "/v1/metrics", 200)
                        .path("metrics")
                        .get(0)
                        .path("dimensions")
                        .get(0)
                        .asText())
                .isEqualTo("event");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(getJson(replicaA, "/v1/alerts?status=firing", 200).path("alerts"))
                    .hasSize(1);
            assertThat(getJson(replicaB, "/v1/alerts/fp-1", 200)
                            .path("alert")
                            .path("fingerprint")
                            .asText())
                    .isEqualTo("fp-1");
        });
        assertThat(getJson(replicaA, "/v1/alerts?status=resolved", 200).path("alerts"))
                .isEmpty();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode quality = getJson(replicaB, "/v1/quality", 200);
            assertThat(quality.path("totalRejected").asInt()).isEqualTo(4);
            assertThat(quality.path("rejects").get(0).path("source").asText()).isEqualTo("web");
            assertThat(quality.path("rejects").get(0).path("reason").asText()).isEqualTo("missing_field");
            assertThat(quality.path("rejects").get(0).path("count").asInt()).isEqualTo(2);
        });
    }

    @Test
    @Order(3)
    void shouldAnswerHourlyWindowsOfAMetricAndFunnelsWithConversion() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode hourly = getJson(
                    replicaA,
                    "/v1/metrics/event_count?event=Signed%20Up&window=PT1H&from=" + HOUR.minus(Duration.ofHours(2)),
                    200);
            assertThat(hourly.path("window").asText()).isEqualTo("PT1H");
            assertThat(hourly.path("series")
                            .get(0)
                            .path("points")
                            .get(0)
                            .path("value")
                            .asInt())
                    .isEqualTo(42);
        });
        // The catalog is cached for a few seconds, so a metric new to it shows within that time.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode catalog = getJson(replicaB, "/v1/metrics", 200);
            assertThat(catalog.path("metrics").findValuesAsText("name"))
                    .contains("event_count", "signup_funnel")
                    .doesNotContain("event_count.1h");
        });

        JsonNode funnel = getJson(replicaB, "/v1/funnels/signup_funnel?from=" + HOUR.minus(Duration.ofHours(3)), 200);
        assertThat(funnel.path("window").asText()).isEqualTo("PT1H");
        assertThat(funnel.path("steps").get(0).path("users").asInt()).isEqualTo(15);
        assertThat(funnel.path("steps").get(1).path("users").asInt()).isEqualTo(6);
        assertThat(funnel.path("steps").get(1).path("conversionFromPrevious").asDouble())
                .isEqualTo(0.4);
        assertThat(funnel.path("overallConversion").asDouble()).isEqualTo(0.4);
        assertThat(getJson(replicaB, "/v1/funnels/event_count?window=PT1M&from=" + MINUTE.minusSeconds(60), 400)
                        .path("code")
                        .asText())
                .isEqualTo("not_a_funnel");

        String since = "?from=" + HOUR.minus(Duration.ofHours(3));
        // A metric new to a replica's cached catalog shows within a second or so.
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> getJson(replicaA, "/v1/funnels/plan_funnel" + since, 200));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> getJson(replicaB, "/v1/funnels/plan_funnel" + since, 200));
        JsonNode byPlatform = getJson(replicaA, "/v1/funnels/plan_funnel" + since + "&groupBy=platform", 200);
        assertThat(byPlatform.path("steps").get(0).path("users").asInt()).isEqualTo(28);
        assertThat(byPlatform.path("steps").get(1).path("users").asInt()).isEqualTo(12);
        JsonNode web = byPlatform.path("breakdown").get(0);
        assertThat(web.path("value").asText()).as("largest first step first").isEqualTo("web");
        assertThat(web.path("overallConversion").asDouble()).isEqualTo(0.5);
        assertThat(byPlatform.path("breakdown").get(1).path("overallConversion").asDouble())
                .isEqualTo(0.25);
        JsonNode ios = getJson(replicaB, "/v1/funnels/plan_funnel" + since + "&platform=ios", 200);
        assertThat(ios.path("steps").get(0).path("users").asInt()).isEqualTo(8);
        assertThat(ios.path("steps").get(1).path("conversionFromPrevious").asDouble())
                .isEqualTo(0.25);
        assertThat(getJson(replicaA, "/v1/funnels/plan_funnel" + since + "&groupBy=country", 400)
                        .path("code")
                        .asText())
                .isEqualTo("unknown_dimension");
    }

    @Test
    @Order(4)
    void shouldSayWhereTheKeptWindowsOfEachSizeBeginAndRefuseARangeBeyondThem() throws Exception {
        Instant now = Instant.now();
        // One-minute windows are kept 7 days: a range from a month ago is answered from the horizon, saying so.
        JsonNode clipped = getJson(replicaA, "/v1/metrics/event_count?from=" + now.minus(Duration.ofDays(30)), 200);
        assertThat(clipped.path("series")).isNotEmpty();
        assertThat(clipped.path("horizon").path("window").asText()).isEqualTo("PT1M");
        assertThat(Duration.parse(clipped.path("horizon").path("keptFor").asText()))
                .isEqualTo(Duration.ofDays(7));
        assertThat(Instant.parse(clipped.path("horizon").path("from").asText()))
                .isBetween(now.minus(Duration.ofDays(7)), Instant.now().minus(Duration.ofDays(7)));
        assertThat(getJson(replicaA, "/v1/metrics/event_count?from=" + MINUTE.minusSeconds(60), 200)
                        .has("horizon"))
                .as("a range within the kept windows says nothing")
                .isFalse();

        // A range wholly older than that is not an empty answer: it names the setting and the sizes kept longer.
        String monthAgo = "from=" + now.minus(Duration.ofDays(30)) + "&to=" + now.minus(Duration.ofDays(20));
        JsonNode beyond = getJson(replicaB, "/v1/metrics/event_count?" + monthAgo, 400);
        assertThat(beyond.path("code").asText()).isEqualTo("beyond_retention");
        assertThat(beyond.path("message").asText())
                .contains("SIGHTLINE_METRICS_RETENTION_1M_MS")
                .contains("window=PT1H (kept 90 days)");
        assertThat(beyond.path("details").get(0).path("parameter").asText()).isEqualTo("to");
        assertThat(getJson(replicaB, "/v1/metrics/event_count?window=PT1H&" + monthAgo, 200)
                        .has("horizon"))
                .as("hourly windows are kept 90 days")
                .isFalse();
    }

    @Test
    @Order(4)
    void shouldRejectBadParametersUnknownMetricsAndMissingOrWrongCredentials() throws Exception {
        assertThat(getJson(replicaA, "/v1/metrics/event_count?from=yesterday", 400)
                        .path("details")
                        .get(0)
                        .path("parameter")
                        .asText())
                .isEqualTo("from");
        assertThat(getJson(replicaA, "/v1/metrics/event_count?top=0&groupBy=event", 400)
                        .path("message")
                        .asText())
                .contains("top");
        assertThat(getJson(replicaA, "/v1/metrics/event_count?country=DE", 400)
                        .path("code")
                        .asText())
                .isEqualTo("unknown_dimension");
        assertThat(getJson(replicaA, "/v1/alerts?severity=urgent", 400)
                        .path("details")
                        .get(0)
                        .path("parameter")
                        .asText())
                .isEqualTo("severity");
        assertThat(getJson(replicaA, "/v1/metrics/no_such_metric", 404)
                        .path("code")
                        .asText())
                .isEqualTo("unknown_metric");
        assertThat(getJson(replicaB, "/v1/alerts/no-such-fingerprint", 404)
                        .path("code")
                        .asText())
                .isEqualTo("unknown_alert");

        HttpResponse<String> anonymous =
                http.send(request(replicaA, "/v1/metrics").build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> writeKey = http.send(
                request(replicaA, "/v1/metrics")
                        .header("Authorization", "Basic bG9jYWwtZGV2LWtleTo=")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> unknown = http.send(
                request(replicaA, "/v1/metrics")
                        .header("Authorization", "Bearer nope")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(writeKey.statusCode()).isEqualTo(403);
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(http.send(request(replicaA, "/openapi.json").build(), HttpResponse.BodyHandlers.ofString())
                        .body())
                .contains("\"/v1/stream\"");
    }

    @Test
    @Order(4)
    void shouldLetEachTokenReadOnlyItsScopesAndItsNamedMetricsEvenThroughTheOtherReplica() throws Exception {
        String since = "?from=" + HOUR.minus(Duration.ofHours(3));
        assertThat(send(replicaA, "/v1/funnels/signup_funnel" + since, FUNNELS_TOKEN)
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> other = send(replicaB, "/v1/metrics/event_count" + since, FUNNELS_TOKEN);
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(Json.MAPPER.readTree(other.body()).path("code").asText()).isEqualTo("metric_not_granted");
        JsonNode catalog = Json.MAPPER.readTree(
                send(replicaB, "/v1/metrics", FUNNELS_TOKEN).body());
        assertThat(catalog.path("metrics").findValuesAsText("name")).containsExactly("signup_funnel");
        assertThat(Json.MAPPER
                        .readTree(send(replicaA, "/v1/alerts", FUNNELS_TOKEN).body())
                        .path("alerts"))
                .as("the only alert is on event_count")
                .isEmpty();
        assertThat(send(replicaA, "/v1/quality", FUNNELS_TOKEN).statusCode()).isEqualTo(403);

        assertThat(send(replicaA, "/v1/quality", QUALITY_TOKEN).statusCode()).isEqualTo(200);
        HttpResponse<String> noMetrics = send(replicaA, "/v1/metrics", QUALITY_TOKEN);
        assertThat(noMetrics.statusCode()).isEqualTo(403);
        assertThat(noMetrics.body())
                .contains("missing_scope")
                .contains("metrics:read")
                .contains("quality");
    }

    private static HttpResponse<String> send(ServingApi replica, String path, String token)
            throws IOException, InterruptedException {
        return http.send(
                request(replica, path)
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(5)
    void shouldStreamUpdatesAsTheyHappenAndAgainAfterAReconnect() throws Exception {
        for (int round = 0; round < 2; round++) {
            double value = 100 + round;
            HttpResponse<Stream<String>> stream = http.send(
                    request(replicaB, "/v1/stream?metric=event_count")
                            .header("Authorization", "Bearer " + TOKEN)
                            .header("Accept", "text/event-stream")
                            .build(),
                    HttpResponse.BodyHandlers.ofLines());
            Iterator<String> lines = stream.body().iterator();
            assertThat(lines.next()).isEqualTo(": connected");
            env.produce(Topics.METRICS_WINDOWED, key("Signed Up"), window("Signed Up", value));
            CompletableFuture<String> data = CompletableFuture.supplyAsync(() -> {
                String previous = "";
                while (lines.hasNext()) {
                    String line = lines.next();
                    if (previous.equals("event: metric") && line.startsWith("data:")) {
                        return line;
                    }
                    previous = line.startsWith("id:") ? previous : line;
                }
                return "";
            });
            assertThat(data.get(30, TimeUnit.SECONDS))
                    .contains("\"value\":" + (int) value)
                    .contains("\"event\":\"Signed Up\"");
            stream.body().close();
        }
    }

    @Test
    @Order(6)
    void shouldAnswerStaleFromTheStandbyWhenTheOwnerDiesAndFreshOnceItTakesOver() throws Exception {
        // given a series that replica A owns and replica B keeps a standby copy of
        String owned = seriesOwnedBy(replicaA, replicaB);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(getJson(
                                        replicaA,
                                        "/v1/metrics/event_count?event=" + encode(owned) + "&from="
                                                + MINUTE.minusSeconds(60),
                                        200)
                                .path("series")
                                .get(0)
                                .path("points")
                                .get(0)
                                .path("value")
                                .asInt())
                        .isEqualTo(7));

        // when A stops without leaving the group (as a crashed replica does), so the group still
        // counts it as the owner until its session times out (10 s)
        replicaA.close();
        replicaA = null;

        // then B answers from its standby, saying so and how far behind the changelog it is
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    JsonNode answer = getJson(
                            replicaB,
                            "/v1/metrics/event_count?event=" + encode(owned) + "&from=" + MINUTE.minusSeconds(60),
                            200);
                    assertThat(answer.path("series")
                                    .get(0)
                                    .path("points")
                                    .get(0)
                                    .path("value")
                                    .asInt())
                            .isEqualTo(7);
                    assertThat(answer.path("stale").asBoolean()).isTrue();
                    assertThat(answer.path("freshness").path("stale").asBoolean())
                            .isTrue();
                    assertThat(answer.path("freshness").path("offsetLag").isIntegralNumber())
                            .isTrue();
                    assertThat(answer.path("freshness").path("offsetLag").asLong())
                            .isGreaterThanOrEqualTo(0);
                });

        // and once the group has moved A's tasks to B, every key is answered fresh
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            for (String event : EVENTS.subList(1, EVENTS.size())) {
                JsonNode answer = getJson(
                        replicaB,
                        "/v1/metrics/event_count?event=" + encode(event) + "&from=" + MINUTE.minusSeconds(60),
                        200);
                assertThat(answer.path("series")).hasSize(1);
                assertThat(answer.path("series")
                                .get(0)
                                .path("points")
                                .get(0)
                                .path("value")
                                .asInt())
                        .isEqualTo(EVENTS.indexOf(event) + 1);
                assertThat(answer.path("stale").asBoolean()).isFalse();
            }
            JsonNode taken = getJson(
                    replicaB,
                    "/v1/metrics/event_count?event=" + encode(owned) + "&from=" + MINUTE.minusSeconds(60),
                    200);
            assertThat(taken.path("series")
                            .get(0)
                            .path("points")
                            .get(0)
                            .path("value")
                            .asInt())
                    .isEqualTo(7);
            assertThat(taken.path("stale").asBoolean()).isFalse();
            assertThat(taken.path("freshness").path("offsetLag").asLong()).isZero();
        });
    }

    /**
     * An event name whose series {@code owner} holds as the active host and {@code standby}
     * as a standby, written with the value 7 (names are tried in turn until one hashes to
     * such a partition, so the test does not depend on how the group split the partitions).
     */
    private static String seriesOwnedBy(ServingApi owner, ServingApi standby) {
        KafkaStreams streams = owner.service().app().streams();
        String store = ServingTopology.metricStore(Duration.ofMinutes(1));
        for (int i = 0; i < 100; i++) {
            String event = "Owned " + i;
            KeyQueryMetadata metadata = streams.queryMetadataForKey(
                    store, key(event), Serdes.String().serializer());
            if (metadata.activeHost().port() == owner.httpPort()
                    && metadata.standbyHosts().stream().anyMatch(h -> h.port() == standby.httpPort())) {
                env.produce(Topics.METRICS_WINDOWED, key(event), window(event, 7));
                return event;
            }
        }
        throw new AssertionError("no partition of " + store + " is active on one replica with a standby on the other: "
                + streams.metadataForAllStreamsClients());
    }

    private static JsonNode getJson(ServingApi replica, String path, int expectedStatus)
            throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                request(replica, path)
                        .header("Authorization", "Bearer " + TOKEN)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(expectedStatus);
        return Json.MAPPER.readTree(response.body());
    }

    private static HttpRequest.Builder request(ServingApi replica, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.httpPort() + path))
                .timeout(Duration.ofSeconds(20));
    }

    private static String key(String event) {
        return SeriesKey.of("event_count", Map.of("event", event)).toString();
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20");
    }

    private static MetricWindow window(String event, double value) {
        return MetricWindow.newBuilder()
                .setMetric("event_count")
                .setDimensions(Map.of("event", event))
                .setWindowStart(MINUTE)
                .setWindowEnd(MINUTE.plusSeconds(60))
                .setValue(value)
                .setUpdatedAt(Instant.now())
                .build();
    }

    private static MetricWindow hourly(
            String metric, Map<String, String> dims, Instant start, double value, Map<String, Double> values) {
        return MetricWindow.newBuilder()
                .setMetric(metric)
                .setDimensions(dims)
                .setWindowStart(start)
                .setWindowEnd(start.plus(Duration.ofHours(1)))
                .setValue(value)
                .setUpdatedAt(Instant.now())
                .setValues(values)
                .build();
    }

    private static Alert alert(String fingerprint) {
        return Alert.newBuilder()
                .setFingerprint(fingerprint)
                .setStatus(AlertStatus.firing)
                .setStartsAt(MINUTE)
                .setLabels(Map.of("severity", "warning", "metric", "event_count"))
                .setMetric("event_count")
                .setWindowStart(MINUTE)
                .setObserved(80)
                .setExpected(10)
                .setLower(0)
                .setUpper(20)
                .setScore(9)
                .setConfidence(0.9)
                .setDetector("robust_zscore")
                .build();
    }

    private static io.sightline.schemas.avro.DeadLetter deadLetter(String source, String reason) {
        return io.sightline.schemas.avro.DeadLetter.newBuilder()
                .setReasonCode(reason)
                .setReasonText("test")
                .setComponent("ingest-gateway")
                .setSource(source)
                .setPayload(java.nio.ByteBuffer.wrap(new byte[] {1}))
                .setTime(Instant.now())
                .build();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
