package io.sightline.bench;

import io.sightline.common.kafka.KafkaDefaults;
import io.sightline.common.kafka.TopicBootstrap;
import io.sightline.ingest.GatewayConfig;
import io.sightline.ingest.IngestGateway;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.SubjectType;
import io.sightline.schemas.serde.AvroSerializer;
import io.sightline.testkit.PipelineEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the benchmark runs against: a real single-node KRaft broker, the schema
 * registry and the ingest gateway, in this JVM, plus a topic with the same partition
 * count as {@code events.raw.v1} for Kafka's ProducerPerformance. Writes
 * {@code BOOTSTRAP=...} and {@code GATEWAY_URL=...} to the file named by the first
 * argument and runs until the process is stopped.
 *
 * <p>Usage: {@code BenchStack <env-file> <data-dir>}
 */
public final class BenchStack {

    public static final String PERF_TOPIC = "bench.producer-performance";
    private static final String ADMIN_TOKEN = "bench-admin-" + Long.toString(System.nanoTime(), 36);

    public static void main(String[] args) throws Exception {
        Path envFile = Path.of(args[0]);
        Path dataDir = Files.createDirectories(Path.of(args[1]));
        PipelineEnvironment env = PipelineEnvironment.start(dataDir);
        TopicBootstrap.ensureTopics(
                Map.of("bootstrap.servers", env.bootstrapServers()), List.of(PERF_TOPIC), List.of(), 3, (short) 1);
        Map<String, String> settings = new HashMap<>(Map.of(
                // bench-planned-key's events are checked against BenchPlan (see run-plan-benchmark.sh)
                "SIGHTLINE_WRITE_KEYS", "bench-key:bench,bench-planned-key:planned",
                "SIGHTLINE_TRACKING_PLANS", "planned=bench",
                "SIGHTLINE_ADMIN_TOKENS", ADMIN_TOKEN,
                "SIGHTLINE_HTTP_HOST", "127.0.0.1",
                // The benchmark measures throughput, not the per-key limit.
                "SIGHTLINE_RATE_LIMIT_EVENTS_PER_SECOND", "0"));
        // Tuning experiments: any SIGHTLINE_* variable of this process reaches the gateway (e.g.
        // SIGHTLINE_KAFKA_LINGER_MS).
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("SIGHTLINE_")) {
                settings.put(k, v);
            }
        });
        int suppressed = Integer.parseInt(System.getenv().getOrDefault("BENCH_SUPPRESSED", "0"));
        if (suppressed > 0) {
            suppress(env, suppressed);
        }
        long starting = System.nanoTime();
        IngestGateway gateway =
                IngestGateway.start(new GatewayConfig(env.serviceEnv(dataDir.resolve("state"), settings)));
        awaitReady(gateway.port());
        System.out.printf(
                "gateway ready in %.1f s with %d suppressed subjects%n",
                (System.nanoTime() - starting) / 1e9, suppressed);
        publishPlan(gateway.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            gateway.close();
                            env.close();
                            stopped.countDown();
                        },
                        "bench-stack-shutdown"));
        Files.writeString(
                envFile,
                "BOOTSTRAP=" + env.bootstrapServers() + "\nGATEWAY_URL=http://127.0.0.1:" + gateway.port()
                        + "\nPERF_TOPIC=" + PERF_TOPIC + "\n");
        System.out.println("bench stack ready: " + Files.readString(envFile).replace('\n', ' '));
        stopped.await();
    }

    /**
     * Writes {@code count} suppressed users to the regulations topic before the gateway
     * starts, as an imported suppression list would be (ids no generated event uses).
     */
    private static void suppress(PipelineEnvironment env, int count) throws Exception {
        Map<String, Object> props = KafkaDefaults.durableProducer(new HashMap<>(
                Map.of("bootstrap.servers", env.bootstrapServers(), "linger.ms", 20, "batch.size", 512 * 1024)));
        Instant now = Instant.now();
        try (KafkaProducer<String, SubjectRegulation> producer = new KafkaProducer<>(
                props, new StringSerializer(), new AvroSerializer<>(env.topics().registry()))) {
            for (int i = 0; i < count; i++) {
                String id = "suppressed-" + i;
                producer.send(new ProducerRecord<>(
                        Topics.PRIVACY_REGULATIONS,
                        Topics.subjectKey(SubjectType.USER_ID, id),
                        new SubjectRegulation("bench", RegulationType.SUPPRESS, SubjectType.USER_ID, id, now, null)));
            }
            producer.flush();
        }
    }

    private static void awaitReady(int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .build();
        while (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            Thread.sleep(100);
        }
    }

    private static void publishPlan(int port) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/tracking-plans/bench"))
                                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                                .PUT(HttpRequest.BodyPublishers.ofString(BenchPlan.document()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 201) {
            throw new IllegalStateException(
                    "benchmark plan not published: " + answer.statusCode() + " " + answer.body());
        }
    }
}
