package io.sightline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EnrichedEvent;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The time model on the whole stack, as users send: through the gateway's HTTP API,
 * counted through the serving API. One producer's fast clock costs no one anything,
 * offline events hours old are counted in their hour as revisions without alerts,
 * and events too old for every window are counted and dead-lettered exactly.
 */
class EventTimeIT {

    private static final Stack.Ports ANY_FREE_PORTS = Stack.Ports.ANY_FREE;
    private static final String SOURCE = "local";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    static Stack stack;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        stack = Stack.start(dataDir, ANY_FREE_PORTS, "time-key", Duration.ofMinutes(2), line -> {});
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @Test
    void shouldCountEveryCorrectClocksEventWhileOtherProducersClocksAreFastOrSlow() throws Exception {
        String event = "Mixed Clocks " + UUID.randomUUID();
        Instant now = Instant.now();
        List<String> first = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            first.add(track(event, "before-" + i, null, null));
        }
        post("/v1/batch", batch(first));
        // a server with a fast clock and no sentAt: 9 minutes ahead
        post("/v1/track", track(event, "fast-server", now.plus(Duration.ofMinutes(9)), null));
        List<String> second = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            second.add(track(event, "after-" + i, null, null));
        }
        // a device whose clock is 2 hours slow, sending sentAt from the same clock
        for (int i = 0; i < 20; i++) {
            Instant deviceNow = Instant.now().minus(Duration.ofHours(2));
            second.add(track(event, "slow-device", deviceNow.minusSeconds(i), deviceNow));
        }
        // a producer that sends future timestamps all the time
        for (int i = 0; i < 20; i++) {
            second.add(track(event, "always-future", Instant.now().plus(Duration.ofMinutes(30 + i)), null));
        }
        post("/v1/batch", batch(second));

        // every one of the 141 events lands in the minutes around now: the fast ones clamped to their receive time
        Instant from = now.minus(Duration.ofMinutes(5));
        Instant to = Instant.now().plus(Duration.ofMinutes(2));
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(total("event_count", Map.of("event", event), "PT1M", from, to))
                        .isEqualTo(141));
        // the hour's series is merged on its own partition: it may be served a moment after the minutes
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(total(
                                "event_count",
                                Map.of("event", event),
                                "PT1H",
                                now.minus(Duration.ofHours(3)),
                                now.plus(Duration.ofHours(3))))
                        .isEqualTo(141));
        assertThat(total("event_count", Map.of("event", event), "PT1M", to, now.plus(Duration.ofHours(1))))
                .isZero();

        List<EnrichedEvent> enriched = StackRecords.read(
                stack,
                Topics.EVENTS_ENRICHED,
                EnrichedEvent.class,
                e -> event.equals(e.getEvent().getEvent()),
                141);
        assertThat(enriched)
                .filteredOn(e -> "future_clamped".equals(e.getEvent().getTimeCorrection()))
                .extracting(e -> e.getEvent().getUserId())
                .hasSize(21)
                .containsOnly("fast-server", "always-future");
        assertThat(enriched)
                .allSatisfy(e -> assertThat(e.getEvent().getTimestamp())
                        .isBeforeOrEqualTo(e.getEvent().getReceivedAt().plus(Duration.ofMinutes(1))));
    }

    @Test
    void shouldCountOfflineEventsInTheirHourAsARevisionWithoutAlerting() throws Exception {
        String event = "Offline Replay " + UUID.randomUUID();
        double lateBefore = lateEvents("event_count");
        Instant sixHoursAgo = Instant.now().minus(Duration.ofHours(6));
        Instant hour = sixHoursAgo.truncatedTo(ChronoUnit.HOURS);
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            // queued on the phone six hours ago, sent now: sentAt from the same (correct) clock
            Instant happened = hour.plusSeconds(60 + i % 1800);
            queued.add(track(event, "phone-" + (i % 25), happened, Instant.now()));
        }
        post("/v1/batch", batch(queued));

        Instant from = hour.minus(Duration.ofHours(1));
        Instant to = hour.plus(Duration.ofHours(2));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode point = onlyPoint("event_count", Map.of("event", event), "PT1H", from, to);
            assertThat(point.get("value").asLong()).isEqualTo(1000);
            assertThat(point.get("start").asText()).isEqualTo(hour.toString());
            assertThat(point.get("isFinal").asBoolean()).isTrue();
            assertThat(point.get("revisions").asInt()).isPositive();
            assertThat(point.get("openToRevision").asBoolean()).isTrue();
        });
        // not in any one-minute window: those take events for 15 minutes; counted as late there, exactly
        assertThat(total("event_count", Map.of("event", event), "PT1M", from, Instant.now()))
                .isZero();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(lateEvents("event_count") - lateBefore).isEqualTo(1000));
        JsonNode alerts = get("/v1/alerts").get("alerts");
        for (JsonNode alert : alerts) {
            assertThat(alert.toString()).doesNotContain(event.replace(" ", "+")).doesNotContain(event);
        }
    }

    @Test
    void shouldDeadLetterEventsOlderThanEveryHorizonAndCountThemExactly() throws Exception {
        String event = "Too Late " + UUID.randomUUID();
        double lateMinutesBefore = lateEvents("event_count");
        double lateHoursBefore = lateEvents("event_count.1h");
        long rejectedBefore = tooLateRejects();
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            old.add(track(
                    event,
                    "archive-" + i,
                    Instant.now().minus(Duration.ofDays(3)).plusSeconds(i),
                    Instant.now()));
        }
        post("/v1/batch", batch(old));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(tooLateRejects() - rejectedBefore).isEqualTo(25);
            assertThat(lateEvents("event_count") - lateMinutesBefore).isEqualTo(25);
            assertThat(lateEvents("event_count.1h") - lateHoursBefore).isEqualTo(25);
        });
        assertThat(total(
                        "event_count",
                        Map.of("event", event),
                        "PT1H",
                        Instant.now().minus(Duration.ofDays(4)),
                        Instant.now()))
                .isZero();
    }

    private static String track(String event, String userId, Instant timestamp, Instant sentAt) throws Exception {
        Map<String, Object> body = new HashMap<>();
        body.put("type", "track");
        body.put("event", event);
        body.put("userId", userId);
        body.put("messageId", UUID.randomUUID().toString());
        if (sentAt != null) {
            // what device SDKs send: the device's clock when it happened and when it sent, corrected by the gateway
            body.put("originalTimestamp", timestamp.toString());
            body.put("sentAt", sentAt.toString());
        } else if (timestamp != null) {
            body.put("timestamp", timestamp.toString());
        }
        return JSON.writeValueAsString(body);
    }

    private static String batch(List<String> events) {
        return "{\"batch\":[" + String.join(",", events) + "]}";
    }

    private static void post(String path, String body) throws Exception {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(stack.url("ingest-gateway") + path))
                        .header("Content-Type", "application/json")
                        .header("X-Write-Key", "time-key")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }

    private static JsonNode get(String pathAndQuery) throws Exception {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(stack.url("serving-api") + pathAndQuery))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 404) {
            return null;
        }
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private static JsonNode metric(String metric, Map<String, String> filter, String window, Instant from, Instant to)
            throws Exception {
        StringJoiner query = new StringJoiner("&", "/v1/metrics/" + metric + "?", "");
        filter.forEach((k, v) -> query.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        query.add("window=" + window).add("from=" + from).add("to=" + to);
        return get(query.toString());
    }

    private static double total(String metric, Map<String, String> filter, String window, Instant from, Instant to)
            throws Exception {
        JsonNode answer = metric(metric, filter, window, from, to);
        double sum = 0;
        if (answer != null) {
            for (JsonNode series : answer.get("series")) {
                for (JsonNode point : series.get("points")) {
                    sum += point.get("value").asDouble();
                }
            }
        }
        return sum;
    }

    private static JsonNode onlyPoint(
            String metric, Map<String, String> filter, String window, Instant from, Instant to) throws Exception {
        JsonNode answer = metric(metric, filter, window, from, to);
        assertThat(answer).isNotNull();
        assertThat(answer.get("series")).hasSize(1);
        assertThat(answer.get("series").get(0).get("points")).hasSize(1);
        return answer.get("series").get(0).get("points").get(0);
    }

    /** Events of this stack's source counted late for the series {@code seriesMetric}, over the last hour. */
    private static double lateEvents(String seriesMetric) throws Exception {
        try {
            return total(
                    "late_events",
                    Map.of("metric", seriesMetric, "source", SOURCE),
                    "PT1M",
                    Instant.now().minus(Duration.ofHours(1)),
                    Instant.now().plus(Duration.ofMinutes(1)));
        } catch (AssertionError notYetADimension) {
            return 0; // 400 while no late_events series with these dimensions exists yet
        }
    }

    private static long tooLateRejects() throws Exception {
        JsonNode quality = get("/v1/quality?from=" + Instant.now().minus(Duration.ofHours(1)) + "&to="
                + Instant.now().plus(Duration.ofMinutes(1)));
        long count = 0;
        for (JsonNode reject : quality.get("rejects")) {
            if (reject.get("reason").asText().equals("event_time_too_late")
                    && reject.get("component").asText().equals("aggregate-processor")
                    && reject.get("source").asText().equals(SOURCE)) {
                count += reject.get("count").asLong();
            }
        }
        return count;
    }
}
