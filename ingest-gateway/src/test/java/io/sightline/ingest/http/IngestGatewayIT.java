package io.sightline.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.ingest.GatewayConfig;
import io.sightline.ingest.IngestGateway;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.testkit.PipelineEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway against a real broker and registry: 200 only after Kafka has the event; rejects recorded. */
class IngestGatewayIT {

    @TempDir
    static Path dataDir;
    static PipelineEnvironment env;
    static IngestGateway gateway;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        env = PipelineEnvironment.start(dataDir);
        gateway = IngestGateway.start(new GatewayConfig(env.serviceEnv(dataDir.resolve("state"),
                Map.of("SIGHTLINE_WRITE_KEYS", "key-web:web"))));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        env.close();
    }

    @Test
    void shouldStoreATrackedEventBeforeAnsweringOk() throws Exception {
        HttpResponse<String> response = post("/v1/track", "key-web",
                "{\"event\":\"Signed Up\",\"userId\":\"u-42\",\"messageId\":\"msg-ok-1\",\"properties\":{\"plan\":\"pro\"}}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"success\":true}");
        List<ConsumerRecord<String, TrackedEvent>> raw = readUntil(Topics.EVENTS_RAW, TrackedEvent.class,
                r -> r.value().getMessageId().equals("msg-ok-1"));
        ConsumerRecord<String, TrackedEvent> stored = raw.stream().filter(r -> r.value().getMessageId().equals("msg-ok-1")).findFirst().orElseThrow();
        assertThat(stored.key()).isEqualTo("web:u-42");
        assertThat(stored.value().getEvent()).isEqualTo("Signed Up");
        assertThat(stored.value().getProperties()).isEqualTo("{\"plan\":\"pro\"}");
    }

    @Test
    void shouldAnswer400NamingTheFieldAndRecordADeadLetter() throws Exception {
        HttpResponse<String> response = post("/v1/track", "key-web", "{\"userId\":\"u-1\",\"messageId\":\"msg-bad-1\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"field\":\"event\"").contains("missing_field");
        List<ConsumerRecord<String, DeadLetter>> letters = readUntil(Topics.EVENTS_INVALID, DeadLetter.class,
                r -> "msg-bad-1".equals(r.value().getMessageId()));
        DeadLetter letter = letters.stream().filter(r -> "msg-bad-1".equals(r.value().getMessageId())).findFirst().orElseThrow().value();
        assertThat(letter.getReasonCode()).isEqualTo("missing_field");
        assertThat(letter.getSource()).isEqualTo("web");
        assertThat(StandardCharsets.UTF_8.decode(letter.getPayload()).toString()).contains("msg-bad-1");
    }

    @Test
    void shouldAcceptTheValidPartOfABatchAndReportEachRejectedItem() throws Exception {
        HttpResponse<String> response = post("/v1/batch", "key-web", """
                {"batch":[
                  {"type":"track","event":"Clicked","anonymousId":"a-1","messageId":"b-1"},
                  {"type":"track","anonymousId":"a-1","messageId":"b-2"},
                  {"type":"identify","userId":"u-7","traits":{"plan":"free"},"messageId":"b-3"}
                ]}""");

        assertThat(response.statusCode()).isEqualTo(207);
        assertThat(response.body()).contains("\"index\":1").contains("\"field\":\"batch[1].event\"").contains("\"accepted\":2");
        readUntil(Topics.EVENTS_RAW, TrackedEvent.class, r -> r.value().getMessageId().equals("b-3"));
    }

    @Test
    void shouldRejectUnparseableJsonWithItsPositionAndAnUnknownWriteKey() throws Exception {
        HttpResponse<String> broken = post("/v1/track", "key-web", "{\"event\": ");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(broken.body()).contains("invalid_json").contains("line 1");

        HttpResponse<String> unknown = post("/v1/track", "nope", "{\"event\":\"x\",\"userId\":\"u\"}");
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.body()).contains("unknown_write_key");
    }

    @Test
    void shouldServeHealthAndPrometheusMetrics() throws Exception {
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(uri("/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(uri("/metrics")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes");
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    private static HttpResponse<String> post(String path, String writeKey, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static <V extends SpecificRecord> List<ConsumerRecord<String, V>> readUntil(
            String topic, Class<V> type, java.util.function.Predicate<ConsumerRecord<String, V>> found) {
        return env.readUntil(topic, type, Duration.ofSeconds(30), found);
    }
}
