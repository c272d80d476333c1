package io.sightline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton end to end, through a real broker: an event posted to the
 * gateway is enriched, counted in its window and answered by the serving API.
 */
class LocalStackIT {

    private static final Stack.Ports ANY_FREE_PORTS = Stack.Ports.ANY_FREE;

    @TempDir
    static Path dataDir;

    static Stack stack;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        stack = Stack.start(dataDir, ANY_FREE_PORTS, "it-key", Duration.ofMinutes(2), line -> {});
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @Test
    void shouldCountAPostedEventInItsWindowOnTheServingApi() throws Exception {
        HttpResponse<String> posted = http.send(
                HttpRequest.newBuilder(URI.create(stack.url("ingest-gateway") + "/v1/track"))
                        .header("Content-Type", "application/json")
                        .header("X-Write-Key", "it-key")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"Signed Up\",\"userId\":\"u-e2e\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(200);

        URI query = URI.create(stack.url("serving-api") + "/v1/metrics/event_count?event=Signed%20Up");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> answer =
                    http.send(HttpRequest.newBuilder(query).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body())
                    .startsWith(
                            "{\"metric\":\"event_count\",\"window\":\"PT1M\",\"series\":[{\"dimensions\":{\"event\":\"Signed Up\"},\"points\":[{\"start\":")
                    .containsPattern("\"value\":1[,}]");
        });
    }

    @Test
    void shouldAnswerEveryServiceHealthAndMetrics() throws Exception {
        for (String service : stack.httpPorts().keySet()) {
            HttpResponse<String> live = http.send(
                    HttpRequest.newBuilder(URI.create(stack.url(service) + "/health/live"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> metrics = http.send(
                    HttpRequest.newBuilder(URI.create(stack.url(service) + "/metrics"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).as(service + " live").isEqualTo(200);
            assertThat(metrics.body()).as(service + " metrics").contains("service=\"" + service + "\"");
        }
    }

    @Test
    void shouldAnswerTheAlertListInItsFixedShape() throws Exception {
        HttpResponse<String> alerts = http.send(
                HttpRequest.newBuilder(URI.create(stack.url("serving-api") + "/v1/alerts"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(alerts.statusCode()).isEqualTo(200);
        assertThat(alerts.body()).startsWith("{\"alerts\":[");
    }
}
