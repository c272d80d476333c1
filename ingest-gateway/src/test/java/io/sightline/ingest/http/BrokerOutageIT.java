package io.sightline.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sightline.ingest.GatewayConfig;
import io.sightline.ingest.IngestGateway;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.testkit.PipelineEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault tests: the broker stops under traffic, and the gateway itself shuts down under
 * traffic. Whatever happens, an event answered 2xx is in {@code events.raw.v1} exactly once.
 */
class BrokerOutageIT {

    private static final int SENDERS = 4;
    /** Every sender stops by itself after this many requests, whatever happens. */
    private static final int MAX_REQUESTS_PER_SENDER = 20_000;

    @TempDir
    static Path dataDir;

    static PipelineEnvironment env;

    @BeforeAll
    static void start() {
        env = PipelineEnvironment.start(dataDir);
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @Test
    void shouldAnswer503WhileTheBrokerIsDownAndStoreEveryAcknowledgedEventExactlyOnce() throws Exception {
        try (IngestGateway gateway = startGateway("outage")) {
            Traffic traffic = new Traffic(new GatewayClient(gateway.port()), "outage");
            // given traffic that Kafka acknowledges
            await().atMost(Duration.ofSeconds(60)).until(() -> traffic.count(200) >= 100);

            // when the broker stops
            env.kafka().stopBroker(1);
            await().atMost(Duration.ofSeconds(60)).until(() -> traffic.count(503) >= 8);
            int okBeforeRestart = traffic.count(200);
            env.kafka().restartBroker(1);
            // then, once it is back, events are acknowledged again
            await().atMost(Duration.ofSeconds(120)).until(() -> traffic.count(200) >= okBeforeRestart + 100);
            traffic.stop();

            assertThat(traffic.statuses())
                    .as("only 200 and 503, never a 500 or a hang")
                    .containsOnlyKeys(200, 503);
            assertThat(traffic.retryAfterOn503)
                    .as("every 503 says when to retry")
                    .containsOnly("2");
            assertEveryAcknowledgedEventStoredExactlyOnce(traffic);
        }
    }

    @Test
    void shouldFinishRequestsInFlightWhenShuttingDownAndThenRefuseConnections() throws Exception {
        IngestGateway gateway = startGateway("shutdown");
        GatewayClient client = new GatewayClient(gateway.port());
        Traffic traffic = new Traffic(client, "shutdown");
        await().atMost(Duration.ofSeconds(60)).until(() -> traffic.count(200) >= 100);

        gateway.close();
        traffic.stop();

        assertThat(traffic.statuses().keySet())
                .as("requests still served answered normally")
                .containsOnly(200);
        assertThat(catchConnectionError(() -> client.post("/v1/track", "key", "{\"event\":\"E\",\"userId\":\"u\"}")))
                .as("a stopped gateway accepts no connection")
                .isTrue();
        assertEveryAcknowledgedEventStoredExactlyOnce(traffic);
    }

    @Test
    void shouldAnswerEveryBatch503WithinTheBoundAndKeepTheBufferBoundedWhenKafkaCannotTakeEvents() throws Exception {
        try (IngestGateway gateway = startGateway(
                "buffer",
                Map.of(
                        "SIGHTLINE_KAFKA_BUFFER_MEMORY",
                        "65536",
                        "SIGHTLINE_KAFKA_BATCH_SIZE",
                        "16384",
                        "SIGHTLINE_KAFKA_MAX_BLOCK_MS",
                        "300"))) {
            GatewayClient client = new GatewayClient(gateway.port());
            assertThat(client.post("/v1/batch", "key", IngestGatewayIT.batchOfItems("buffer-warm", 10))
                            .statusCode())
                    .isEqualTo(200);
            env.kafka().stopBroker(1);
            try {
                // when batches of about 10 KB keep coming while nothing drains the 64 KB buffer
                ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    String body = IngestGatewayIT.batchOfItems("buffer-" + i, 100);
                    answers.add(pool.submit(() -> client.post("/v1/batch", "key", body)));
                }
                List<HttpResponse<String>> responses = new ArrayList<>();
                for (Future<HttpResponse<String>> answer : answers) {
                    responses.add(answer.get(120, TimeUnit.SECONDS));
                }
                pool.shutdown();

                // then every request is refused with 503 and Retry-After (none waits for each of its 100 sends to block
                // in turn, which would outlast the client's 30 s timeout), and the buffer stays within its bound
                assertThat(responses).allSatisfy(r -> {
                    assertThat(r.statusCode()).isEqualTo(503);
                    assertThat(r.headers().firstValue("Retry-After")).hasValue("2");
                });
                assertThat(responses)
                        .allSatisfy(r -> assertThat(r.body()).contains("Events not stored, please retry later"));
                String used = client.get("/metrics")
                        .body()
                        .lines()
                        .filter(l -> l.startsWith("sightline_ingest_producer_buffer_used_bytes"))
                        .findFirst()
                        .orElseThrow();
                assertThat(Double.parseDouble(used.substring(used.lastIndexOf(' ') + 1)))
                        .isLessThanOrEqualTo(65536);
            } finally {
                env.kafka().restartBroker(1);
            }
        }
    }

    private static IngestGateway startGateway(String name) {
        return startGateway(name, Map.of());
    }

    private static IngestGateway startGateway(String name, Map<String, String> extra) {
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "SIGHTLINE_WRITE_KEYS", "key:" + name,
                "SIGHTLINE_ACK_TIMEOUT_MS", "1500",
                "SIGHTLINE_RETRY_AFTER_SECONDS", "2",
                "SIGHTLINE_RATE_LIMIT_EVENTS_PER_SECOND", "0",
                "SIGHTLINE_SHUTDOWN_DRAIN_MS", "20000",
                "SIGHTLINE_KAFKA_RECONNECT_BACKOFF_MAX_MS", "500"));
        settings.putAll(extra);
        return IngestGateway.start(new GatewayConfig(env.serviceEnv(dataDir.resolve("state-" + name), settings)));
    }

    private static void assertEveryAcknowledgedEventStoredExactlyOnce(Traffic traffic) {
        Set<String> acknowledged = traffic.acknowledgedIds();
        Map<String, Long> stored =
                TopicSnapshot.read(
                                env.bootstrapServers(), env.topics().registry(), Topics.EVENTS_RAW, TrackedEvent.class)
                        .stream()
                        .map(ConsumerRecord::value)
                        .map(TrackedEvent::getMessageId)
                        .filter(id -> id.startsWith(traffic.prefix))
                        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(acknowledged).isNotEmpty();
        assertThat(stored.keySet()).containsAll(acknowledged);
        assertThat(acknowledged.stream().filter(id -> stored.get(id) != 1).toList())
                .as("acknowledged events stored more than once")
                .isEmpty();
    }

    private static boolean catchConnectionError(Runnable call) {
        try {
            call.run();
            return false;
        } catch (UncheckedIOException e) {
            return true;
        }
    }

    /** {@link #SENDERS} threads posting single events with unique ids until stopped (or a bounded count). */
    private static final class Traffic {
        final String prefix;
        final Map<String, Integer> statusById = new ConcurrentHashMap<>();
        final List<String> retryAfterOn503 = new CopyOnWriteArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
        final List<Future<?>> senders = new ArrayList<>();

        Traffic(GatewayClient client, String prefix) {
            this.prefix = prefix + "-" + System.nanoTime();
            for (int t = 0; t < SENDERS; t++) {
                int thread = t;
                senders.add(pool.submit(() -> {
                    for (int n = 0; n < MAX_REQUESTS_PER_SENDER && running.get(); n++) {
                        String id = this.prefix + "-" + thread + "-" + n;
                        try {
                            HttpResponse<String> r = client.post(
                                    "/v1/track",
                                    "key",
                                    "{\"event\":\"Tick\",\"userId\":\"u-" + thread + "\",\"messageId\":\"" + id
                                            + "\"}");
                            statusById.put(id, r.statusCode());
                            if (r.statusCode() == 503) {
                                retryAfterOn503.add(
                                        r.headers().firstValue("Retry-After").orElse("missing"));
                            }
                        } catch (UncheckedIOException e) {
                            // Connection refused or cut while shutting down: the sender got no answer, so no promise
                            // was made.
                            if (!(e.getCause() instanceof IOException)) {
                                throw e;
                            }
                        }
                    }
                }));
            }
        }

        int count(int status) {
            return (int) statusById.values().stream().filter(s -> s == status).count();
        }

        Map<Integer, Long> statuses() {
            return statusById.values().stream()
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        }

        Set<String> acknowledgedIds() {
            return statusById.entrySet().stream()
                    .filter(e -> e.getValue() / 100 == 2)
                    .map(Map.Entry::getKey)
                    .collect(Collectors.toSet());
        }

        void stop() throws Exception {
            running.set(false);
            for (Future<?> f : senders) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
        }
    }
}
