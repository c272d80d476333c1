package io.sightline.serving.query;

import com.fasterxml.jackson.databind.JavaType;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Asks another serving replica for data it owns. The request carries {@code local=true}
 * so the other replica answers from its own stores and never forwards again.
 */
public final class ReplicaClient {

    private final HttpClient http;
    private final Duration timeout;
    private final String authorization;

    /**
     * @param readToken the token replicas present to each other (one of the configured
     *                  read tokens), or null when the API is open
     */
    public ReplicaClient(Duration timeout, String readToken) {
        this.timeout = timeout;
        this.authorization = readToken == null ? null : "Bearer " + readToken;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public <T> T get(HostInfo host, String path, Map<String, String> query, JavaType type) {
        String params = query.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + path + "?"
                + (params.isEmpty() ? "" : params + "&") + "local=true");
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri).timeout(timeout).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 4) {
                // The owner's verdict on the request (unknown alert, bad parameter) is the answer.
                var error = Json.MAPPER.readTree(response.body());
                throw new ApiException(
                        response.statusCode(),
                        error.path("code").asText("error"),
                        error.path("message").asText());
            }
            if (response.statusCode() != 200) {
                throw ApiException.unavailable(
                        "Replica " + host + " answered " + response.statusCode() + "; retry shortly", 2);
            }
            return Json.MAPPER.readValue(response.body(), type);
        } catch (IOException e) {
            throw ApiException.unavailable(
                    "Replica " + host + " that owns the data is unreachable (" + e.getMessage() + "); retry shortly",
                    2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("Interrupted while asking replica " + host, 2);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
