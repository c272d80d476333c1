package io.sightline.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.configuration.ConfigurationCatalog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded stack configured as bin/sightline-local --config configures it: settings
 * from the file reach the services, and an environment variable wins over the file.
 */
class ConfigurationFileIT {

    @TempDir
    Path dataDir;

    @Test
    void settingsFromTheFileReachTheServicesAndTheEnvironmentWins() throws Exception {
        Path file = Files.writeString(dataDir.resolve("sightline.yaml"), """
                write.keys: [file-key:web]
                max.batch.items: 10
                rate.limit.burst: 100
                tracking:
                  plans: web=shop
                """);
        Map<String, String> settings =
                ConfigurationCatalog.resolve(file, Map.of("SIGHTLINE_MAX_BATCH_ITEMS", "20"), List.of());

        try (Stack stack = Stack.start(
                dataDir, Stack.Ports.ANY_FREE, "ignored-key", settings, Duration.ofMinutes(2), line -> {})) {
            String gateway = stack.url("ingest-gateway");
            // the file's write key replaces the stack's own, and the environment's batch limit (20) wins over the
            // file's (10)
            assertThat(batch(gateway, "file-key", 15).statusCode()).isEqualTo(200);
            assertThat(batch(gateway, "file-key", 21).statusCode()).isEqualTo(413);
            assertThat(batch(gateway, "ignored-key", 1).statusCode()).isEqualTo(401);
            // the file's plan binding reached the gateway: the source's events wait for plan shop, not published yet
            HttpResponse<String> metrics = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(gateway + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body())
                    .contains(
                            "sightline_ingest_plan_unchecked_total{plan=\"shop\",service=\"ingest-gateway\",source=\"web\"} 15.0");
        }
    }

    private static HttpResponse<String> batch(String gateway, String writeKey, int events) throws Exception {
        String items = String.join(
                ",", Collections.nCopies(events, "{\"type\":\"track\",\"event\":\"Configured\",\"userId\":\"u\"}"));
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(gateway + "/v1/batch"))
                                .header(
                                        "Authorization",
                                        "Basic "
                                                + Base64.getEncoder()
                                                        .encodeToString(
                                                                (writeKey + ":").getBytes(StandardCharsets.UTF_8)))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"batch\":[" + items + "]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
