package io.sightline.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.ingest.GatewayConfig;
import io.sightline.ingest.IngestGateway;
import io.sightline.testkit.PipelineEnvironment;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based: whatever bytes a client sends, the gateway answers with a 2xx or a
 * 4xx naming the problem, never a 500 (which would mean an exception we did not
 * foresee, and possibly an event neither stored nor dead-lettered).
 */
class TrackingApiPropertiesIT {

    static final List<String> ENDPOINTS =
            List.of("/v1/track", "/v1/identify", "/v1/page", "/v1/screen", "/v1/group", "/v1/alias", "/v1/batch");
    static final String VALID_EVENT =
            "{\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"u-1\",\"anonymousId\":\"a-1\","
                    + "\"messageId\":\"m-1\",\"groupId\":\"g-1\",\"previousId\":\"p-1\",\"name\":\"Home\","
                    + "\"properties\":{\"plan\":\"pro\",\"amount\":12.5},\"traits\":{\"email\":\"x@example.com\"},"
                    + "\"context\":{\"ip\":\"1.2.3.4\",\"library\":{\"name\":\"sdk\",\"version\":\"1.0\"},\"page\":{\"url\":\"https://x\"}},"
                    + "\"originalTimestamp\":\"2024-05-01T12:00:00.000Z\",\"sentAt\":\"2024-05-01T12:00:01.000Z\",\"timestamp\":\"2024-05-01T12:00:00Z\"}";
    static final List<String> FIELDS = List.of(
            "type",
            "event",
            "userId",
            "anonymousId",
            "messageId",
            "groupId",
            "previousId",
            "name",
            "properties",
            "traits",
            "context",
            "originalTimestamp",
            "sentAt",
            "timestamp",
            "batch");

    static Path dataDir;
    static PipelineEnvironment env;
    static IngestGateway gateway;
    static GatewayClient client;

    @BeforeContainer
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("sightline-properties");
        env = PipelineEnvironment.start(dataDir);
        gateway = IngestGateway.start(new GatewayConfig(env.serviceEnv(
                dataDir.resolve("state"),
                Map.of("SIGHTLINE_WRITE_KEYS", "key:fuzz", "SIGHTLINE_RATE_LIMIT_EVENTS_PER_SECOND", "0"))));
        client = new GatewayClient(gateway.port());
    }

    @AfterContainer
    static void stop() {
        gateway.close();
        env.close();
    }

    @Property(tries = 150)
    void shouldNeverAnswer5xxToRandomText(@ForAll("endpoints") String endpoint, @ForAll("anyText") String body) {
        assertNoServerError(client.post(endpoint, "key", body));
    }

    @Property(tries = 150)
    void shouldNeverAnswer5xxToRandomBytesDeclaredAsGzip(
            @ForAll("endpoints") String endpoint, @ForAll("anyBytes") byte[] body, @ForAll boolean reallyGzipped) {
        byte[] sent = reallyGzipped ? GatewayClient.gzip(body) : body;
        HttpResponse<String> response = client.send(client.request(endpoint, "key")
                .header("Content-Encoding", "gzip")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(sent))
                .build());
        assertNoServerError(response);
    }

    @Property(tries = 200)
    void shouldNeverAnswer5xxToAMutatedValidEvent(
            @ForAll("endpoints") String endpoint, @ForAll("mutatedEvents") String body) {
        String sent = endpoint.equals("/v1/batch") ? "{\"batch\":[" + body + "," + VALID_EVENT + "]}" : body;
        assertNoServerError(client.post(endpoint, "key", sent));
    }

    @Property(tries = 200)
    void shouldNeverAnswer5xxWhenAFieldHoldsAnyJsonValue(
            @ForAll("endpoints") String endpoint,
            @ForAll("fields") String field,
            @ForAll("jsonValues") String value,
            @ForAll boolean inBatch) {
        String event = VALID_EVENT.substring(0, VALID_EVENT.length() - 1) + ",\"" + field + "\":" + value + "}";
        String sent = inBatch ? "{\"context\":" + value + ",\"batch\":[" + event + "]}" : event;
        assertNoServerError(client.post(inBatch ? "/v1/batch" : endpoint, "key", sent));
    }

    private static void assertNoServerError(HttpResponse<String> response) {
        assertThat(response.statusCode())
                .as("status for a client's mistake, body %s", response.body())
                .isBetween(200, 499);
        if (response.statusCode() >= 400) {
            assertThat(response.body()).as("every error names a code").contains("\"code\":");
        }
    }

    @Provide
    Arbitrary<String> endpoints() {
        return Arbitraries.of(ENDPOINTS);
    }

    @Provide
    Arbitrary<String> fields() {
        return Arbitraries.of(FIELDS);
    }

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(300),
                Arbitraries.strings()
                        .withChars("{}[]\":,0123456789.eE+-truefalsn\\ \n")
                        .ofMaxLength(300));
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(500);
    }

    @Provide
    Arbitrary<String> jsonValues() {
        return Arbitraries.recursive(this::jsonScalar, this::jsonContainer, 0, 3);
    }

    private Arbitrary<String> jsonScalar() {
        return Arbitraries.oneOf(
                Arbitraries.of(
                        "null",
                        "true",
                        "false",
                        "0",
                        "-1",
                        "1e309",
                        "123456789012345678901234567890",
                        "-0.0",
                        "\"\"",
                        "\" \"",
                        "\"2024-05-01T12:00:00Z\"",
                        "\"2024-13-45T99:00:00Z\"",
                        "\"track\"",
                        "\"\\u0000\"",
                        "\"\\ud800\""),
                Arbitraries.strings().all().ofMaxLength(120).map(TrackingApiPropertiesIT::jsonString),
                Arbitraries.longs().map(Object::toString),
                Arbitraries.doubles().map(Object::toString).filter(s -> !s.contains("Infinity") && !s.contains("NaN")));
    }

    private Arbitrary<String> jsonContainer(Arbitrary<String> inner) {
        return Arbitraries.oneOf(
                inner.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]"),
                Combinators.combine(
                                Arbitraries.oneOf(
                                        Arbitraries.of(FIELDS),
                                        Arbitraries.strings().alpha().ofMaxLength(8)),
                                inner)
                        .as(Tuple::of)
                        .list()
                        .ofMaxSize(4)
                        .map(l -> "{"
                                + String.join(
                                        ",",
                                        l.stream()
                                                .map(t -> jsonString(t.get1()) + ":" + t.get2())
                                                .toList()) + "}"));
    }

    @Provide
    Arbitrary<String> mutatedEvents() {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, VALID_EVENT.length());
        Arbitrary<String> deleteRange = Combinators.combine(
                        position, Arbitraries.integers().between(1, 20))
                .as((p, n) ->
                        VALID_EVENT.substring(0, p) + VALID_EVENT.substring(Math.min(VALID_EVENT.length(), p + n)));
        Arbitrary<String> insert = Combinators.combine(
                        position, Arbitraries.strings().all().ofMinLength(1).ofMaxLength(5))
                .as((p, s) -> VALID_EVENT.substring(0, p) + s + VALID_EVENT.substring(p));
        Arbitrary<String> truncate = position.map(p -> VALID_EVENT.substring(0, p));
        Arbitrary<String> replaceChar = Combinators.combine(
                        Arbitraries.integers().between(0, VALID_EVENT.length() - 1),
                        Arbitraries.of('{', '}', '[', ']', '"', ':', ',', '\\', '0', 'x', ' ', '\u0000'))
                .as((p, c) -> VALID_EVENT.substring(0, p) + c + VALID_EVENT.substring(p + 1));
        return Arbitraries.oneOf(deleteRange, insert, truncate, replaceChar);
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
