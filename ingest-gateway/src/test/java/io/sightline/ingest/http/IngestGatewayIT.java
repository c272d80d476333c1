package io.sightline.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.ingest.GatewayConfig;
import io.sightline.ingest.IngestGateway;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.testkit.PipelineEnvironment;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway against a real broker and registry: 200 only after Kafka has the event,
 * every rejection answered with its reason and recorded as a dead letter, limits at and
 * just over their published values.
 */
class IngestGatewayIT {

    static final int MAX_EVENT_BYTES = 32 * 1024;
    static final int MAX_REQUEST_BYTES = 500 * 1024;
    static final int MAX_BATCH_ITEMS = 2500;

    @TempDir
    static Path dataDir;

    static PipelineEnvironment env;
    /** Default limits. */
    static IngestGateway gateway;
    /** Small batch limit, a rate limit of 1 event/s, one CORS origin, a trusted proxy. */
    static IngestGateway strict;

    static GatewayClient client;
    static GatewayClient strictClient;

    @BeforeAll
    static void start() {
        env = PipelineEnvironment.start(dataDir);
        gateway = IngestGateway.start(new GatewayConfig(
                env.serviceEnv(dataDir.resolve("state"), Map.of("SIGHTLINE_WRITE_KEYS", "key-web:web,key-ios:ios"))));
        strict = IngestGateway.start(new GatewayConfig(env.serviceEnv(
                dataDir.resolve("state-strict"),
                Map.of(
                        "SIGHTLINE_WRITE_KEYS", "key-strict:strict,key-proxied:proxied",
                        "SIGHTLINE_MAX_BATCH_ITEMS", "10",
                        "SIGHTLINE_RATE_LIMIT_EVENTS_PER_SECOND", "1",
                        "SIGHTLINE_RATE_LIMIT_BURST", "10",
                        "SIGHTLINE_CORS_ALLOWED_ORIGINS", "https://app.example.com",
                        "SIGHTLINE_TRUSTED_PROXIES", "127.0.0.0/8,::1"))));
        client = new GatewayClient(gateway.port());
        strictClient = new GatewayClient(strict.port());
    }

    @AfterAll
    static void stop() {
        strict.close();
        gateway.close();
        env.close();
    }

    // ---- endpoints and auth ----

    @Test
    void shouldStoreATrackedEventBeforeAnsweringOk() {
        HttpResponse<String> response = client.post(
                "/v1/track",
                "key-web",
                "{\"event\":\"Signed Up\",\"userId\":\"u-42\",\"messageId\":\"msg-ok-1\",\"properties\":{\"plan\":\"pro\"}}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"success\":true}");
        ConsumerRecord<String, TrackedEvent> stored = rawById("msg-ok-1");
        assertThat(stored.key()).isEqualTo("web:u-42");
        assertThat(stored.value().getEvent()).isEqualTo("Signed Up");
        assertThat(stored.value().getProperties()).isEqualTo("{\"plan\":\"pro\"}");
        assertThat(new String(stored.headers().lastHeader("messageId").value(), StandardCharsets.UTF_8))
                .isEqualTo("msg-ok-1");
        assertThat(new String(stored.headers().lastHeader("source").value(), StandardCharsets.UTF_8))
                .isEqualTo("web");
    }

    @Test
    void shouldAcceptEachCallTypeOnItsOwnEndpoint() {
        String run = UUID.randomUUID().toString();
        Map<EventType, String> bodies = Map.of(
                EventType.track, "{\"event\":\"Played\",\"userId\":\"u-1\"",
                EventType.identify, "{\"userId\":\"u-1\",\"traits\":{\"email\":\"a@example.com\"}",
                EventType.page, "{\"anonymousId\":\"a-1\",\"name\":\"Pricing\"",
                EventType.screen, "{\"anonymousId\":\"a-1\",\"name\":\"Home\"",
                EventType.group, "{\"userId\":\"u-1\",\"groupId\":\"g-1\",\"traits\":{\"plan\":\"team\"}",
                EventType.alias, "{\"userId\":\"u-1\",\"previousId\":\"a-1\"");

        bodies.forEach((type, body) -> {
            HttpResponse<String> response = client.post(
                    "/v1/" + type.name(), "key-web", body + ",\"messageId\":\"" + run + "-" + type.name() + "\"}");
            assertThat(response.statusCode()).as(type.name()).isEqualTo(200);
        });

        Map<String, TrackedEvent> stored = rawRecords().stream()
                .map(ConsumerRecord::value)
                .filter(e -> e.getMessageId().startsWith(run))
                .collect(Collectors.toMap(TrackedEvent::getMessageId, e -> e));
        assertThat(stored).hasSize(6);
        bodies.keySet()
                .forEach(type -> assertThat(stored.get(run + "-" + type.name()).getType())
                        .isEqualTo(type));
        assertThat(stored.get(run + "-group").getGroupId()).isEqualTo("g-1");
        assertThat(stored.get(run + "-alias").getPreviousId()).isEqualTo("a-1");
        assertThat(stored.get(run + "-page").getName()).isEqualTo("Pricing");
    }

    @Test
    void shouldAcceptTheWriteKeyInTheXWriteKeyHeaderAndMapItToItsSource() {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(client.uri("/v1/track"))
                .header("X-Write-Key", "key-ios")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"event\":\"Opened\",\"userId\":\"u-9\",\"messageId\":\"hdr-key-1\"}"))
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
        ConsumerRecord<String, TrackedEvent> stored = rawById("hdr-key-1");
        assertThat(stored.value().getSource()).isEqualTo("ios");
        assertThat(stored.key()).isEqualTo("ios:u-9");
    }

    @Test
    void shouldAnswer401ForAMissingOrUnknownWriteKey() {
        HttpResponse<String> missing = client.post("/v1/track", null, "{\"event\":\"x\",\"userId\":\"u\"}");
        HttpResponse<String> unknown = client.post("/v1/track", "nope", "{\"event\":\"x\",\"userId\":\"u\"}");

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.body()).contains("missing_write_key");
        assertThat(missing.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.body()).contains("unknown_write_key");
    }

    // ---- rejections: each reason, answered and recorded ----

    @Test
    void shouldAnswer400NamingTheFieldAndRecordADeadLetter() {
        HttpResponse<String> response = client.post(
                "/v1/track",
                "key-web",
                "{\"userId\":\"u-1\",\"messageId\":\"msg-bad-1\",\"properties\":{\"contact\":{\"Email\":\"ann@example.com\"}},"
                        + "\"context\":{\"ip\":\"203.0.113.77\"}}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"field\":\"event\"").contains("missing_field");
        DeadLetter letter = deadLetterById("msg-bad-1");
        assertThat(letter.getReasonCode()).isEqualTo("missing_field");
        assertThat(letter.getSource()).isEqualTo("web");
        assertThat(letter.getComponent()).isEqualTo("ingest-gateway");
        // Kept for debugging, personal data masked as in enriched events.
        assertThat(StandardCharsets.UTF_8.decode(letter.getPayload()).toString())
                .contains("msg-bad-1", "\"Email\":\"hmac:", "\"ip\":\"203.0.113.0\"")
                .doesNotContain("ann@example.com", "203.0.113.77");
    }

    @Test
    void shouldRejectEachInvalidFieldWithItsOwnReasonCode() {
        Map<String, String> expected = Map.of(
                "{\"event\":\"E\",\"messageId\":\"rc-missing\"}",
                "missing_field",
                "{\"event\":\"E\",\"userId\":\"u\",\"properties\":[1],\"messageId\":\"rc-type\"}",
                "invalid_type",
                "{\"event\":\"E\",\"userId\":\"u\",\"timestamp\":\"yesterday\",\"messageId\":\"rc-time\"}",
                "invalid_timestamp",
                "{\"event\":\"E\",\"userId\":\"u\",\"messageId\":\"" + "m".repeat(101) + "\"}",
                "invalid_message_id");

        expected.forEach((body, code) -> {
            HttpResponse<String> response = client.post("/v1/track", "key-web", body);
            assertThat(response.statusCode()).as(code).isEqualTo(400);
            assertThat(response.body()).as(code).contains("\"code\":\"" + code + "\"");
        });
        assertThat(deadLetterById("rc-time").getReasonCode()).isEqualTo("invalid_timestamp");
        assertThat(deadLetterById("rc-type").getReasonCode()).isEqualTo("invalid_type");
    }

    @Test
    void shouldAcceptAMessageIdOfExactlyTheLimitAndRejectOneCharacterMore() {
        String atLimit = "k".repeat(100);

        assertThat(client.post(
                                "/v1/track",
                                "key-web",
                                "{\"event\":\"E\",\"userId\":\"u\",\"messageId\":\"" + atLimit + "\"}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(client.post(
                                "/v1/track",
                                "key-web",
                                "{\"event\":\"E\",\"userId\":\"u\",\"messageId\":\"" + atLimit + "k\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(rawById(atLimit).value().getMessageId()).hasSize(100);
    }

    @Test
    void shouldRejectUnparseableJsonWithItsPositionAndRecordTheRawBody() {
        String marker = "broken-" + UUID.randomUUID();
        HttpResponse<String> broken =
                client.post("/v1/track", "key-web", "{\"event\": \"" + marker + "\",\n \"userId\": }");

        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(broken.body()).contains("invalid_json").contains("line 2, column");
        DeadLetter letter = deadLetters(l -> StandardCharsets.UTF_8
                .decode(l.getPayload().duplicate())
                .toString()
                .contains(marker));
        assertThat(letter.getReasonCode()).isEqualTo("invalid_json");
        assertThat(StandardCharsets.UTF_8.decode(letter.getPayload()).toString())
                .isEqualTo("{\"event\": \"" + marker + "\",\n \"userId\": }");
    }

    @Test
    void shouldRejectABatchItemThatIsNotAnObjectOrHasAnUnknownType() {
        HttpResponse<String> response = client.post(
                "/v1/batch",
                "key-web",
                "{\"batch\":[42,{\"type\":\"purchase\",\"userId\":\"u\"},{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\"}]}");

        assertThat(response.statusCode()).isEqualTo(207);
        assertThat(response.body())
                .contains("not_an_object")
                .contains("\"field\":\"batch[1].type\"")
                .contains("invalid_value");
    }

    @Test
    void shouldAnswer400WhenEveryItemOfABatchIsRejected() {
        HttpResponse<String> response =
                client.post("/v1/batch", "key-web", "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\"}]}");
        HttpResponse<String> noArray = client.post("/v1/batch", "key-web", "{\"events\":[]}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("all_events_rejected").contains("batch[0].event");
        assertThat(noArray.statusCode()).isEqualTo(400);
        assertThat(noArray.body()).contains("missing_field");
    }

    // ---- batches ----

    @Test
    void shouldWriteGoodItemsToRawAndBadItemsToInvalidWithExactCounts() {
        String run = UUID.randomUUID().toString();
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 8; i++) {
            boolean good = i % 3 != 1; // indexes 1, 4, 7 are bad: 5 good, 3 bad
            batch.append(i == 0 ? "" : ",")
                    .append("{\"type\":\"track\",\"anonymousId\":\"a-")
                    .append(i)
                    .append("\",\"messageId\":\"")
                    .append(run)
                    .append('-')
                    .append(i)
                    .append('"')
                    .append(good ? ",\"event\":\"Clicked\"" : "")
                    .append('}');
        }
        batch.append("]}");

        HttpResponse<String> response = client.post("/v1/batch", "key-web", batch.toString());

        assertThat(response.statusCode()).isEqualTo(207);
        assertThat(response.body())
                .contains("\"accepted\":5")
                .contains("\"rejected\":3")
                .contains("\"field\":\"batch[4].event\"");
        assertThat(rawRecords().stream().filter(r -> r.value().getMessageId().startsWith(run)))
                .hasSize(5);
        List<DeadLetter> letters = invalidRecords().stream()
                .map(ConsumerRecord::value)
                .filter(l -> l.getMessageId() != null && l.getMessageId().startsWith(run))
                .toList();
        assertThat(letters).hasSize(3).allMatch(l -> l.getReasonCode().equals("missing_field"));
        assertThat(letters)
                .extracting(DeadLetter::getMessageId)
                .containsExactlyInAnyOrder(run + "-1", run + "-4", run + "-7");
    }

    @Test
    void shouldMergeTheBatchContextUnderEachItemsOwnContext() {
        String run = UUID.randomUUID().toString();
        HttpResponse<String> response = client.post(
                "/v1/batch",
                "key-web",
                "{\"context\":{\"locale\":\"de-DE\",\"library\":{\"name\":\"sdk\",\"version\":\"1\"}},"
                        + "\"batch\":[{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"messageId\":\"" + run
                        + "-a\"},"
                        + "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"messageId\":\"" + run
                        + "-b\",\"context\":{\"locale\":\"fr-FR\"}}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(rawById(run + "-a").value().getContext().getLocale()).isEqualTo("de-DE");
        assertThat(rawById(run + "-b").value().getContext().getLocale()).isEqualTo("fr-FR");
        assertThat(rawById(run + "-b").value().getContext().getLibraryName()).isEqualTo("sdk");
    }

    // ---- limits, at and just over ----

    @Test
    void shouldAcceptAnEventOfExactlyTheEventLimitAndRejectOneByteMore() {
        String atLimit = eventOfSize("size-event-ok", MAX_EVENT_BYTES);
        String over = eventOfSize("size-event-over", MAX_EVENT_BYTES + 1);

        HttpResponse<String> ok = client.post("/v1/track", "key-web", atLimit);
        HttpResponse<String> tooLarge = client.post("/v1/track", "key-web", over);

        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).contains("event_too_large").contains("\"limit\":" + MAX_EVENT_BYTES);
        assertThat(deadLetterById("size-event-over").getReasonCode()).isEqualTo("event_too_large");
    }

    @Test
    void shouldAcceptARequestOfExactlyTheRequestLimitAndRejectOneByteMore() {
        String atLimit = batchOfSize("size-req-ok", MAX_REQUEST_BYTES);
        String over = batchOfSize("size-req-over", MAX_REQUEST_BYTES + 1);
        assertThat(atLimit.getBytes(StandardCharsets.UTF_8)).hasSize(MAX_REQUEST_BYTES);

        HttpResponse<String> ok = client.post("/v1/batch", "key-web", atLimit);
        HttpResponse<String> tooLarge = client.post("/v1/batch", "key-web", over);

        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).contains("request_too_large").contains("\"limit\":" + MAX_REQUEST_BYTES);
    }

    @Test
    void shouldAcceptABatchOfExactlyTheItemLimitAndRejectOneItemMore() {
        HttpResponse<String> ok = client.post("/v1/batch", "key-web", batchOfItems("items-ok", MAX_BATCH_ITEMS));
        HttpResponse<String> tooMany =
                client.post("/v1/batch", "key-web", batchOfItems("items-over", MAX_BATCH_ITEMS + 1));

        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(tooMany.statusCode()).isEqualTo(413);
        assertThat(tooMany.body()).contains("batch_too_large").contains("\"limit\":" + MAX_BATCH_ITEMS);
    }

    @Test
    void shouldRejectAnItemOverTheEventLimitInsideABatchAndKeepTheOthers() {
        String big = eventOfSize("size-batch-big", MAX_EVENT_BYTES + 100)
                .replace("{\"event\"", "{\"type\":\"track\",\"event\"");
        HttpResponse<String> response = client.post(
                "/v1/batch",
                "key-web",
                "{\"batch\":[" + big
                        + ",{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"messageId\":\"size-batch-small\"}]}");

        assertThat(response.statusCode()).isEqualTo(207);
        assertThat(response.body()).contains("event_too_large");
        assertThat(rawById("size-batch-small")).isNotNull();
    }

    // ---- gzip ----

    @Test
    void shouldAcceptAGzippedBody() {
        HttpResponse<String> response = client.postGzip(
                "/v1/batch",
                "key-web",
                "{\"batch\":[{\"type\":\"track\",\"event\":\"Zipped\",\"userId\":\"u\",\"messageId\":\"gzip-1\"}]}"
                        .getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(rawById("gzip-1").value().getEvent()).isEqualTo("Zipped");
    }

    @Test
    void shouldApplyTheRequestLimitToTheDecompressedSizeOfAGzippedBody() {
        byte[] atLimit = batchOfSize("gzip-size-ok", MAX_REQUEST_BYTES).getBytes(StandardCharsets.UTF_8);
        byte[] over = batchOfSize("gzip-size-over", MAX_REQUEST_BYTES + 1).getBytes(StandardCharsets.UTF_8);

        assertThat(client.postGzip("/v1/batch", "key-web", atLimit).statusCode())
                .isEqualTo(200);
        HttpResponse<String> tooLarge = client.postGzip("/v1/batch", "key-web", over);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).contains("request_too_large");
    }

    @Test
    void shouldStopInflatingAZipBombAtTheLimit() {
        byte[] bomb = GatewayClient.gzip(new byte[64 * 1024 * 1024]); // 64 MB of zeros in about 64 KB

        HttpResponse<String> response = client.send(client.request("/v1/batch", "key-web")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bomb))
                .build());

        assertThat(bomb.length).isLessThan(MAX_REQUEST_BYTES);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("\"limit\":" + MAX_REQUEST_BYTES);
    }

    @Test
    void shouldRejectABodyThatIsNotGzipDespiteItsHeaderAndAnUnknownEncoding() {
        HttpResponse<String> notGzip = client.send(client.request("/v1/track", "key-web")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"E\",\"userId\":\"u\"}"))
                .build());
        HttpResponse<String> brotli = client.send(client.request("/v1/track", "key-web")
                .header("Content-Encoding", "br")
                .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"E\",\"userId\":\"u\"}"))
                .build());

        assertThat(notGzip.statusCode()).isEqualTo(400);
        assertThat(notGzip.body()).contains("invalid_gzip");
        assertThat(brotli.statusCode()).isEqualTo(415);
        assertThat(brotli.body()).contains("unsupported_encoding");
    }

    // ---- CORS ----

    @Test
    void shouldAnswerACorsPreflightForAnAllowedOrigin() {
        HttpResponse<String> preflight = strictClient.send(HttpRequest.newBuilder(strictClient.uri("/v1/track"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .build());

        assertThat(preflight.statusCode()).isBetween(200, 204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                .hasValue("https://app.example.com");
        assertThat(preflight
                        .headers()
                        .firstValue("Access-Control-Allow-Methods")
                        .orElse(""))
                .containsIgnoringCase("POST");
        assertThat(preflight
                        .headers()
                        .firstValue("Access-Control-Allow-Headers")
                        .orElse("")
                        .toLowerCase())
                .contains("authorization");
    }

    @Test
    void shouldNotAllowAnOriginThatIsNotConfigured() {
        HttpResponse<String> preflight = strictClient.send(HttpRequest.newBuilder(strictClient.uri("/v1/track"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example.net")
                .header("Access-Control-Request-Method", "POST")
                .build());

        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                .isEmpty();
    }

    @Test
    void shouldAllowAnyOriginByDefaultAndExposeRetryAfter() {
        HttpResponse<String> response = client.send(client.request("/v1/track", "key-web")
                .header("Origin", "https://shop.example.org")
                .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"E\",\"userId\":\"u\"}"))
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isPresent();
        assertThat(response.headers()
                        .firstValue("Access-Control-Expose-Headers")
                        .orElse(""))
                .containsIgnoringCase("Retry-After");
    }

    // ---- rate limit ----

    @Test
    void shouldAnswer429WithRetryAfterOnceAWriteKeyUsedItsBurst() {
        String batch = batchOfItems("rate-" + UUID.randomUUID(), 10);

        HttpResponse<String> first = strictClient.post("/v1/batch", "key-strict", batch);
        HttpResponse<String> second = strictClient.post("/v1/batch", "key-strict", batch);
        HttpResponse<String> otherKey =
                strictClient.post("/v1/track", "key-proxied", "{\"event\":\"E\",\"userId\":\"u\"}");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.body()).contains("rate_limited");
        assertThat(Long.parseLong(second.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(1L, 10L);
        assertThat(otherKey.statusCode()).as("buckets are per write key").isEqualTo(200);
    }

    // ---- client address ----

    @Test
    void shouldTakeTheClientAddressFromXForwardedForOnlyBehindATrustedProxy() {
        String forwarded = "198.51.100.7, 203.0.113.9";
        HttpResponse<String> viaProxy = strictClient.send(strictClient
                .request("/v1/track", "key-proxied")
                .header("X-Forwarded-For", forwarded)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"event\":\"E\",\"userId\":\"u\",\"messageId\":\"xff-trusted\"}"))
                .build());
        HttpResponse<String> direct = client.send(client.request("/v1/track", "key-web")
                .header("X-Forwarded-For", forwarded)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"event\":\"E\",\"userId\":\"u\",\"messageId\":\"xff-untrusted\"}"))
                .build());

        assertThat(viaProxy.statusCode()).isEqualTo(200);
        assertThat(direct.statusCode()).isEqualTo(200);
        // 127.0.0.1 is trusted, 203.0.113.9 is not: it is the client, whatever it says came before it.
        assertThat(rawById("xff-trusted").value().getContext().getIp()).isEqualTo("203.0.113.9");
        assertThat(rawById("xff-untrusted").value().getContext().getIp()).isEqualTo("127.0.0.1");
    }

    // ---- what Segment's and RudderStack's libraries send ----

    @Test
    void shouldAcceptTheOneLetterPathsOfSegmentsLibrariesAsAliasesOfTheFullOnes() {
        String run = UUID.randomUUID().toString();
        Map<String, String> bodies = Map.of(
                "t", "{\"event\":\"Played\",\"userId\":\"u-1\"",
                "i", "{\"userId\":\"u-1\",\"traits\":{\"plan\":\"pro\"}",
                "p", "{\"anonymousId\":\"a-1\",\"name\":\"Pricing\"",
                "s", "{\"anonymousId\":\"a-1\",\"name\":\"Home\"",
                "g", "{\"userId\":\"u-1\",\"groupId\":\"g-1\"",
                "a", "{\"userId\":\"u-1\",\"previousId\":\"a-1\"");

        bodies.forEach((letter, body) -> assertThat(
                        client.post("/v1/" + letter, "key-web", body + ",\"messageId\":\"" + run + "-" + letter + "\"}")
                                .statusCode())
                .as(letter)
                .isEqualTo(200));
        HttpResponse<String> batch = client.post(
                "/v1/b",
                "key-web",
                "{\"batch\":[{\"type\":\"track\",\"event\":\"Played\",\"userId\":\"u-1\",\"messageId\":\"" + run
                        + "-b\"}]}");

        assertThat(batch.statusCode()).isEqualTo(200);
        Map<String, EventType> stored = rawRecords().stream()
                .map(ConsumerRecord::value)
                .filter(e -> e.getMessageId().startsWith(run))
                .collect(Collectors.toMap(e -> e.getMessageId().substring(run.length() + 1), TrackedEvent::getType));
        assertThat(stored)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "t",
                        EventType.track,
                        "i",
                        EventType.identify,
                        "p",
                        EventType.page,
                        "s",
                        EventType.screen,
                        "g",
                        EventType.group,
                        "a",
                        EventType.alias,
                        "b",
                        EventType.track));
    }

    @Test
    void shouldTakeTheWriteKeyFromTheBodyOfATextPlainRequestAsBrowserLibrariesSendIt() {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(client.uri("/v1/t"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"event\":\"Played\",\"userId\":\"u-1\",\"messageId\":\"body-key-1\","
                                + "\"writeKey\":\"key-ios\"}"))
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(rawById("body-key-1").value().getSource()).isEqualTo("ios");
    }

    @Test
    void shouldRefuseABodyWriteKeyItDoesNotKnowAndRecordNothingUnauthenticated() {
        String marker = "unauthenticated-" + UUID.randomUUID();
        HttpResponse<String> unknown = client.send(HttpRequest.newBuilder(client.uri("/v1/track"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"E\",\"userId\":\"u\",\"writeKey\":\"nope\"}"))
                .build());
        HttpResponse<String> unreadable = client.send(HttpRequest.newBuilder(client.uri("/v1/track"))
                .POST(HttpRequest.BodyPublishers.ofString("{not json " + marker))
                .build());

        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.body()).contains("\"code\":\"unknown_write_key\"");
        assertThat(unreadable.statusCode()).isEqualTo(401);
        assertThat(unreadable.body()).contains("\"code\":\"missing_write_key\"").contains("writeKey");
        assertThat(invalidRecords())
                .noneMatch(r -> StandardCharsets.UTF_8
                        .decode(r.value().getPayload().duplicate())
                        .toString()
                        .contains(marker));
    }

    @Test
    void shouldCorrectEachBatchItemsClockSkewWithTheBatchsSentAt() {
        // Segment's browser batching: items carry the device's timestamp, the batch one sentAt
        HttpResponse<String> response = client.post(
                "/v1/b",
                "key-web",
                "{\"sentAt\":\"2020-01-01T00:01:00.000Z\",\"batch\":["
                        + "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"messageId\":\"batch-skew-1\",\"timestamp\":\"2020-01-01T00:00:30.000Z\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        TrackedEvent event = rawById("batch-skew-1").value();
        assertThat(Duration.between(event.getTimestamp(), event.getReceivedAt()))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(event.getOriginalTimestamp()).isEqualTo(Instant.parse("2020-01-01T00:00:30Z"));
    }

    @Test
    void shouldServeASourcesSettingsNamingItselfAsTheApiHostForLibrariesThatFetchThem() {
        HttpResponse<String> known = client.get("/v1/projects/key-ios/settings");
        HttpResponse<String> unknown = client.get("/v1/projects/nope/settings");

        assertThat(known.statusCode()).isEqualTo(200);
        assertThat(known.body())
                .contains("\"Segment.io\":{")
                .contains("\"apiKey\":\"key-ios\"")
                .contains("\"apiHost\":\"127.0.0.1:" + gateway.port() + "/v1\"");
        assertThat(unknown.statusCode()).isEqualTo(401);
    }

    @Test
    void shouldAnswerAnUnknownRouteWithTheJsonErrorEnvelope() {
        HttpResponse<String> response = client.post("/v1/x", "key-web", "{}");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body()).isEqualTo("{\"code\":\"not_found\",\"message\":\"No route for POST /v1/x\"}");
    }

    // ---- time ----

    @Test
    void shouldCorrectTheDeviceClockSkewFromSentAtAndOriginalTimestamp() {
        HttpResponse<String> response = client.post(
                "/v1/track",
                "key-web",
                "{\"event\":\"E\",\"userId\":\"u\",\"messageId\":\"skew-1\","
                        + "\"originalTimestamp\":\"2020-01-01T00:00:00.000Z\",\"sentAt\":\"2020-01-01T00:00:10.250Z\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        TrackedEvent event = rawById("skew-1").value();
        // The device's clock is years off; only the 10.25 s it held the event count.
        assertThat(Duration.between(event.getTimestamp(), event.getReceivedAt()))
                .isEqualTo(Duration.ofMillis(10_250));
        assertThat(event.getReceivedAt()).isAfter(Instant.now().minusSeconds(60));
        assertThat(event.getOriginalTimestamp()).isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
    }

    // ---- observability ----

    @Test
    void shouldServeHealthAndPrometheusMetrics() {
        client.post("/v1/track", "key-web", "{\"event\":\"E\",\"userId\":\"u\"}");
        client.post("/v1/track", "key-web", "{\"userId\":\"u\"}");

        HttpResponse<String> ready = client.get("/health/ready");
        String metrics = client.get("/metrics").body();

        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(metrics)
                .contains("jvm_memory_used_bytes")
                .contains("sightline_ingest_requests_seconds_bucket{endpoint=\"track\"")
                .containsPattern(
                        "sightline_ingest_requests_seconds_count\\{endpoint=\"track\",service=\"ingest-gateway\",status=\"400\"}")
                .contains("sightline_ingest_kafka_ack_seconds_bucket")
                .contains("sightline_ingest_request_bytes_sum")
                .contains("sightline_ingest_producer_buffer_used_bytes")
                .containsPattern("sightline_ingest_events_total\\{outcome=\"rejected\",reason=\"missing_field\"");
    }

    // ---- helpers ----

    /** A track event whose JSON is exactly {@code size} bytes, padded in a property. */
    static String eventOfSize(String messageId, int size) {
        String shell =
                "{\"event\":\"E\",\"userId\":\"u\",\"messageId\":\"" + messageId + "\",\"properties\":{\"pad\":\"\"}}";
        return shell.replace("\"pad\":\"\"", "\"pad\":\"" + "x".repeat(size - shell.length()) + "\"");
    }

    /** A valid batch whose body is exactly {@code size} bytes: items of 16 KB, the last one padded to fit. */
    static String batchOfSize(String prefix, int size) {
        String head = "{\"batch\":[";
        String tail = "]}";
        StringBuilder sb = new StringBuilder(head);
        int i = 0;
        while (true) {
            String item = eventOfSize(prefix + "-" + i, 16_000).replace("{\"event\"", "{\"type\":\"track\",\"event\"");
            int remaining = size - sb.length() - tail.length() - (i == 0 ? 0 : 1);
            if (remaining < 2 * 16_000) {
                String last = eventOfSize(prefix + "-" + i, remaining - "\"type\":\"track\",".length())
                        .replace("{\"event\"", "{\"type\":\"track\",\"event\"");
                sb.append(i == 0 ? "" : ",").append(last);
                break;
            }
            sb.append(i == 0 ? "" : ",").append(item);
            i++;
        }
        return sb.append(tail).toString();
    }

    static String batchOfItems(String prefix, int items) {
        return IntStream.range(0, items)
                .mapToObj(i -> "{\"type\":\"track\",\"event\":\"E\",\"anonymousId\":\"a\",\"messageId\":\"" + prefix
                        + "-" + i + "\"}")
                .collect(Collectors.joining(",", "{\"batch\":[", "]}"));
    }

    static List<ConsumerRecord<String, TrackedEvent>> rawRecords() {
        return TopicSnapshot.read(
                env.bootstrapServers(), env.topics().registry(), Topics.EVENTS_RAW, TrackedEvent.class);
    }

    static List<ConsumerRecord<String, DeadLetter>> invalidRecords() {
        return TopicSnapshot.read(
                env.bootstrapServers(), env.topics().registry(), Topics.EVENTS_INVALID, DeadLetter.class);
    }

    static ConsumerRecord<String, TrackedEvent> rawById(String messageId) {
        return rawRecords().stream()
                .filter(r -> r.value().getMessageId().equals(messageId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no event " + messageId + " in " + Topics.EVENTS_RAW));
    }

    static DeadLetter deadLetterById(String messageId) {
        return deadLetters(l -> messageId.equals(l.getMessageId()));
    }

    static DeadLetter deadLetters(Predicate<DeadLetter> which) {
        return invalidRecords().stream()
                .map(ConsumerRecord::value)
                .filter(which)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no matching dead letter in " + Topics.EVENTS_INVALID));
    }
}
