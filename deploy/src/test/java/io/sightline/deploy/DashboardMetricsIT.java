package io.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sightline.local.Stack;
import io.sightline.schemas.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard queries metrics that the services really expose: the whole pipeline
 * runs (in one JVM), takes an event and a broken record, and every metric name in the
 * dashboard's queries turns up in some service's /metrics.
 */
class DashboardMetricsIT {

    private static final Pattern METRIC = Pattern.compile("\\b((?:sightline|kafka|jvm)_[a-z0-9_]+)\\b");

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldFindEveryDashboardMetricInTheServicesScrapes() throws Exception {
        Set<String> queried = new TreeSet<>();
        Matcher matcher = METRIC.matcher(
                Files.readString(Manifests.REPO.resolve("deploy/compose/grafana/dashboards/sightline.json")));
        while (matcher.find()) {
            queried.add(matcher.group(1));
        }
        assertThat(queried).hasSizeGreaterThan(5);

        try (Stack stack = Stack.start(dataDir, Stack.Ports.ANY_FREE, "it-key", Duration.ofMinutes(2), line -> {})) {
            HttpResponse<String> posted = http.send(
                    HttpRequest.newBuilder(URI.create(stack.url("ingest-gateway") + "/v1/track"))
                            .header("Content-Type", "application/json")
                            .header("X-Write-Key", "it-key")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"event\":\"Signed Up\",\"userId\":\"u-dash\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).isEqualTo(200);
            // Not Avro: enrich-processor dead-letters it, so the dead-letter counter exists.
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", stack.bootstrapServers()),
                    new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.EVENTS_RAW, "k".getBytes(), "not avro".getBytes()))
                        .get();
            }

            // Micrometer binds Kafka's per-topic metrics on its refresh, once a minute: allow a few.
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        String scrapes = scrapeAll(stack);
                        assertThat(queried)
                                .allSatisfy(metric -> assertThat(scrapes)
                                        .as("a series named %s", metric)
                                        .containsPattern("(?m)^" + metric + "[{ ]"));
                    });
        }
    }

    private String scrapeAll(Stack stack) throws Exception {
        StringBuilder all = new StringBuilder();
        for (String service : stack.httpPorts().keySet()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(stack.url(service) + HealthEndpointsTest.METRICS))
                    .build();
            all.append(http.send(request, HttpResponse.BodyHandlers.ofString()).body())
                    .append('\n');
        }
        return all.toString();
    }
}
