package io.sightline.local;

import io.sightline.aggregate.AggregateConfig;
import io.sightline.aggregate.AggregateService;
import io.sightline.anomaly.AnomalyConfig;
import io.sightline.anomaly.AnomalyService;
import io.sightline.archive.ArchiveConfig;
import io.sightline.archive.ArchiverService;
import io.sightline.common.config.Settings;
import io.sightline.enrich.EnrichConfig;
import io.sightline.enrich.EnrichService;
import io.sightline.ingest.GatewayConfig;
import io.sightline.ingest.IngestGateway;
import io.sightline.serving.ServingApi;
import io.sightline.serving.ServingConfig;
import io.sightline.testkit.HttpChecks;
import io.sightline.testkit.PipelineEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The whole pipeline in one process: a real KRaft broker, the schema registry and the
 * five services, each with its own port and state directory under one data directory.
 */
public final class Stack implements AutoCloseable {

    /** Set by the stack for each service: one value for all would make the services collide. */
    private static final Set<String> STACK_OWNED = Set.of(
            "SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS",
            "SIGHTLINE_SCHEMA_REGISTRY_URL",
            "SIGHTLINE_HTTP_PORT",
            "SIGHTLINE_HTTP_HOST",
            "SIGHTLINE_STATE_DIR",
            "SIGHTLINE_APPLICATION_ID");

    /** Ports of every part; 0 picks a free one. */
    public record Ports(
            int kafka, int registry, int gateway, int serving, int enrich, int aggregate, int anomaly, int archiver) {

        public static final Ports DEFAULT = new Ports(9092, 8090, 8080, 8081, 8082, 8083, 8084, 8085);
        /** Every port free, for tests. */
        public static final Ports ANY_FREE = new Ports(0, 0, 0, 0, 0, 0, 0, 0);

        /** The same ports with every 0 replaced by a free port. */
        Ports resolved() {
            return new Ports(
                    kafka,
                    free(registry),
                    free(gateway),
                    free(serving),
                    free(enrich),
                    free(aggregate),
                    free(anomaly),
                    free(archiver));
        }
    }

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Map<String, Integer> httpPorts = new LinkedHashMap<>();
    private PipelineEnvironment environment;

    private Stack() {}

    /**
     * Starts everything and returns once every service answers {@code /health/ready}.
     *
     * @param progress receives one line per step, and the services still starting while waiting
     */
    public static Stack start(
            Path dataDir, Ports requested, String writeKey, Duration readyTimeout, Consumer<String> progress) {
        return start(dataDir, requested, writeKey, System.getenv(), readyTimeout, progress);
    }

    /**
     * @param settings the settings of every service as environment variables ({@code SIGHTLINE_*}): the
     *                 process's environment, or a configuration file's under it
     */
    public static Stack start(
            Path dataDir,
            Ports requested,
            String writeKey,
            Map<String, String> settings,
            Duration readyTimeout,
            Consumer<String> progress) {
        Ports ports = requested.resolved();
        Map<String, String> processEnv = settings;
        Stack stack = new Stack();
        try {
            progress.accept("Starting Kafka (KRaft, single node) with data in " + dataDir.resolve("kafka")
                    + " and the schema registry on port " + ports.registry());
            stack.environment = PipelineEnvironment.start(dataDir.resolve("kafka"), ports.kafka(), ports.registry());
            stack.started.push(stack.environment);
            String bootstrap = stack.environment.bootstrapServers();
            String registryUrl = stack.environment.registryUrl();
            stack.httpPorts.put("schema-registry", ports.registry());

            progress.accept("Starting the six services");
            stack.started.push(IngestGateway.start(new GatewayConfig(serviceEnv(
                    processEnv,
                    bootstrap,
                    registryUrl,
                    ports.gateway(),
                    dataDir,
                    "ingest-gateway",
                    Map.of("SIGHTLINE_WRITE_KEYS", writeKey + ":local")))));
            stack.httpPorts.put("ingest-gateway", ports.gateway());
            stack.started.push(EnrichService.start(new EnrichConfig(serviceEnv(
                    processEnv, bootstrap, registryUrl, ports.enrich(), dataDir, "enrich-processor", Map.of()))));
            stack.httpPorts.put("enrich-processor", ports.enrich());
            stack.started.push(AggregateService.start(new AggregateConfig(serviceEnv(
                    processEnv, bootstrap, registryUrl, ports.aggregate(), dataDir, "aggregate-processor", Map.of()))));
            stack.httpPorts.put("aggregate-processor", ports.aggregate());
            stack.started.push(AnomalyService.start(new AnomalyConfig(serviceEnv(
                    processEnv, bootstrap, registryUrl, ports.anomaly(), dataDir, "anomaly-processor", Map.of()))));
            stack.httpPorts.put("anomaly-processor", ports.anomaly());
            stack.started.push(ServingApi.start(new ServingConfig(serviceEnv(
                    processEnv,
                    bootstrap,
                    registryUrl,
                    ports.serving(),
                    dataDir,
                    "serving-api",
                    Map.of("SIGHTLINE_ADVERTISED_ENDPOINT", "localhost:" + ports.serving())))));
            stack.httpPorts.put("serving-api", ports.serving());
            // The cold tier under the data directory: Parquet files by date and hour.
            stack.started.push(ArchiverService.start(new ArchiveConfig(serviceEnv(
                    processEnv,
                    bootstrap,
                    registryUrl,
                    ports.archiver(),
                    dataDir,
                    "archiver",
                    Map.of(
                            "SIGHTLINE_ARCHIVE_DIR",
                            dataDir.resolve("archive").toString(),
                            "SIGHTLINE_ARCHIVE_SPOOL_DIR",
                            dataDir.resolve("state").resolve("archiver-spool").toString(),
                            // Files every 10 s, so a walk-through sees its events archived (a deployment: 5 min).
                            "SIGHTLINE_ARCHIVE_FILE_MAX_AGE_MS",
                            "10000")))));
            stack.httpPorts.put("archiver", ports.archiver());

            stack.awaitReady(readyTimeout, progress);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /**
     * The environment of one service of the stack. Every {@code SIGHTLINE_*} variable of
     * the process reaches every service, and each service reads the settings it declares,
     * so {@code bin/sightline-local} is configured like a deployment: metric definitions,
     * detector rules, write keys, rate limits, Kafka client settings. Only what the stack
     * decides per service (its port, interface, state directory, application id) and
     * where the broker and registry are cannot be set that way.
     */
    static Map<String, String> serviceEnv(
            Map<String, String> processEnv,
            String bootstrap,
            String registryUrl,
            int port,
            Path dataDir,
            String service,
            Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>();
        // Short commits: an event shows on the dashboard within about a second.
        settings.put("SIGHTLINE_KAFKA_COMMIT_INTERVAL_MS", "200");
        settings.putAll(extra);
        // Environment variables win over the stack's defaults, as in a deployment.
        processEnv.forEach((k, v) -> {
            if (k.startsWith(Settings.ENV_PREFIX) && !STACK_OWNED.contains(k)) {
                settings.put(k, v);
            }
        });
        settings.put("SIGHTLINE_HTTP_HOST", "127.0.0.1");
        return PipelineEnvironment.serviceEnv(
                bootstrap, registryUrl, dataDir.resolve("state").resolve(service), port, settings);
    }

    private void awaitReady(Duration timeout, Consumer<String> progress) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextReport = System.nanoTime();
        while (true) {
            List<String> waiting = httpPorts.entrySet().stream()
                    .filter(e -> !ready(http, e.getValue()))
                    .map(Map.Entry::getKey)
                    .toList();
            if (waiting.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Not ready after " + timeout.toSeconds() + " s: " + waiting + "; see the log above");
            }
            if (System.nanoTime() >= nextReport) {
                progress.accept("Waiting for " + String.join(", ", waiting) + " to be ready");
                nextReport = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for services", e);
            }
        }
    }

    private static boolean ready(HttpClient http, int port) {
        return answersOk(http, URI.create("http://127.0.0.1:" + port + "/health/ready"));
    }

    /** Whether {@code uri} answers 200 within two seconds; false when nothing listens there yet. */
    static boolean answersOk(HttpClient http, URI uri) {
        return HttpChecks.answersOk(http, uri, Duration.ofSeconds(2));
    }

    public String bootstrapServers() {
        return environment.bootstrapServers();
    }

    public String url(String service) {
        Integer port = httpPorts.get(service);
        if (port == null) {
            throw new IllegalArgumentException("no service " + service);
        }
        return "http://localhost:" + port;
    }

    public Map<String, Integer> httpPorts() {
        return Map.copyOf(httpPorts);
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                System.err.println("Error while stopping: " + e);
            }
        }
    }

    private static int free(int port) {
        if (port != 0) {
            return port;
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
