package io.sightline.anomaly.forwarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertForwarderTest {

    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void shouldRetryUntilTheAlertmanagerAcceptsAndSendAlertmanagerShapedAlerts() throws Exception {
        URI url = serve(2, 503);
        try (AlertForwarder forwarder = new AlertForwarder(
                        url, AlertForwarder.Format.ALERTMANAGER, 10, 5, Duration.ofSeconds(2), Duration.ofMillis(10))
                .start()) {
            forwarder.offer(alert(AlertStatus.firing));

            await().atMost(Duration.ofSeconds(10)).until(() -> forwarder.sent() == 1);
            assertThat(requests.get()).isEqualTo(3);
            JsonNode sent = new ObjectMapper().readTree(bodies.get(2));
            assertThat(sent.isArray()).isTrue();
            assertThat(sent.get(0).get("labels").get("alertname").asText()).isEqualTo("MetricAnomaly");
            assertThat(sent.get(0).get("annotations").get("summary").asText()).isEqualTo("event_count is above");
            assertThat(sent.get(0).get("startsAt").asText()).isEqualTo("2024-05-01T12:00:00Z");
            assertThat(sent.get(0).has("endsAt")).isFalse();
            assertThat(forwarder.failed()).isZero();
        }
    }

    @Test
    void shouldGiveUpAfterTheRetriesAndNotRetryAClientError() throws Exception {
        URI url = serve(100, 400);
        try (AlertForwarder forwarder = new AlertForwarder(
                        url, AlertForwarder.Format.WEBHOOK, 10, 5, Duration.ofSeconds(2), Duration.ofMillis(10))
                .start()) {
            forwarder.offer(alert(AlertStatus.resolved));

            await().atMost(Duration.ofSeconds(10)).until(() -> forwarder.failed() == 1);
            assertThat(requests.get()).isEqualTo(1);
            JsonNode sent = new ObjectMapper().readTree(bodies.get(0));
            assertThat(sent.get("status").asText()).isEqualTo("resolved");
            assertThat(sent.get("alerts").get(0).get("fingerprint").asText()).isEqualTo("f1");
            assertThat(sent.get("alerts").get(0).get("endsAt").asText()).isEqualTo("2024-05-01T12:05:00Z");
        }
    }

    @Test
    void shouldDropAndCountAlertsPastTheQueueBound() {
        AlertForwarder forwarder = new AlertForwarder(
                URI.create("http://127.0.0.1:1/"),
                AlertForwarder.Format.ALERTMANAGER,
                2,
                0,
                Duration.ofSeconds(1),
                Duration.ofMillis(10));

        assertThat(forwarder.offer(alert(AlertStatus.firing))).isTrue();
        assertThat(forwarder.offer(alert(AlertStatus.firing))).isTrue();
        assertThat(forwarder.offer(alert(AlertStatus.firing))).isFalse();

        assertThat(forwarder.dropped()).isEqualTo(1);
        assertThat(forwarder.queued()).isEqualTo(2);
    }

    /** A receiver that answers {@code failures} requests with {@code code}, then 200. */
    private URI serve(int failures, int code) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v2/alerts", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int status = requests.incrementAndGet() <= failures ? code : 200;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v2/alerts");
    }

    private static Alert alert(AlertStatus status) {
        Instant start = Instant.parse("2024-05-01T12:00:00Z");
        return Alert.newBuilder()
                .setFingerprint("f1")
                .setStatus(status)
                .setLabels(Map.of("alertname", "MetricAnomaly", "metric", "event_count"))
                .setAnnotations(Map.of("summary", "event_count is above"))
                .setStartsAt(start)
                .setEndsAt(status == AlertStatus.resolved ? start.plusSeconds(300) : null)
                .setMetric("event_count")
                .setWindowStart(start)
                .setObserved(80)
                .setExpected(10)
                .setLower(5)
                .setUpper(15)
                .setScore(20)
                .setConfidence(0.9)
                .setDetector("seasonal")
                .setRule("anomaly")
                .setExplanation("")
                .setContributors(List.of())
                .setCorrelated(List.of())
                .build();
    }
}
