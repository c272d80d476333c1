package io.sightline.ingest;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sightline.common.health.HealthCheck;
import io.sightline.common.http.HttpService;
import io.sightline.common.metrics.ServiceMetrics;
import io.sightline.ingest.http.SourceSettingsRoute;
import io.sightline.ingest.http.TrackingRoutes;
import io.sightline.ingest.http.WriteKeyAuth;
import io.sightline.ingest.kafka.EventProducer;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.schemas.registry.RestSchemaRegistryClient;
import io.sightline.schemas.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The ingest gateway service: the tracking API in front of {@code events.raw.v1}. */
public final class IngestGateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IngestGateway.class);

    private final EventProducer producer;
    private final HttpService http;
    private final TrackingRoutes routes;
    private final Duration drainTimeout;

    private IngestGateway(EventProducer producer, HttpService http, TrackingRoutes routes, Duration drainTimeout) {
        this.producer = producer;
        this.http = http;
        this.routes = routes;
        this.drainTimeout = drainTimeout;
    }

    public static IngestGateway start(GatewayConfig config) {
        SchemaRegistryClient registry = new RestSchemaRegistryClient(config.schemaRegistryUrl(), config.schemaRegistryUserInfo(),
                Duration.ofSeconds(10));
        // Register up front: a registry that is missing or refuses our schemas fails start-up, not the first request.
        registry.register(SchemaRegistryClient.valueSubject(Topics.EVENTS_RAW), TrackedEvent.getClassSchema());
        registry.register(SchemaRegistryClient.valueSubject(Topics.EVENTS_INVALID), DeadLetter.getClassSchema());

        PrometheusMeterRegistry metrics = ServiceMetrics.create("ingest-gateway");
        EventProducer producer = new EventProducer(config.kafkaClientProperties(), registry,
                Duration.ofMillis(config.ackTimeoutMs()), metrics);
        HealthCheck health = new HealthCheck() {
            @Override
            public boolean isLive() {
                return true;
            }

            @Override
            public boolean isReady() {
                return producer.isHealthy();
            }

            @Override
            public Map<String, Object> details() {
                return Map.of("kafkaWrites", producer.isHealthy() ? "ok" : "failing");
            }
        };
        TrackingRoutes routes = new TrackingRoutes(config, producer, metrics);
        SourceSettingsRoute settings = new SourceSettingsRoute(new WriteKeyAuth(config.sourcesByWriteKey()));
        HttpService http = HttpService.start("ingest-gateway", config.httpHost(), config.httpPort(), metrics, health, javalin -> {
            routes.addTo(javalin);
            settings.addTo(javalin);
        });
        return new IngestGateway(producer, http, routes, Duration.ofMillis(config.shutdownDrainMs()));
    }

    public int port() {
        return http.port();
    }

    @Override
    public void close() {
        // Graceful: refuse new connections, let requests being served get their acknowledgement, then stop.
        http.stopAccepting();
        if (!routes.drain(drainTimeout)) {
            log.warn("Requests still running after {} ms of draining; stopping anyway (see SIGHTLINE_SHUTDOWN_DRAIN_MS)", drainTimeout.toMillis());
        }
        http.close();
        producer.close();
    }

    public static void main(String[] args) {
        IngestGateway gateway = start(new GatewayConfig(System.getenv()));
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "shutdown"));
        log.info("Ingest gateway ready on port {}", gateway.port());
    }
}
