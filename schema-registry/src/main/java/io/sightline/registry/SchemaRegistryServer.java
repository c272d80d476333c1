package io.sightline.registry;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sightline.common.config.ConfigFile;
import io.sightline.common.health.HealthCheck;
import io.sightline.common.http.HttpService;
import io.sightline.common.metrics.ServiceMetrics;
import io.sightline.registry.http.RegistryRoutes;
import io.sightline.registry.storage.KafkaSchemaStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry speaking the Confluent REST API, durable in a compacted Kafka
 * topic. Used by the local stack and tests; production can point at any
 * Confluent-compatible registry instead.
 */
public final class SchemaRegistryServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SchemaRegistryServer.class);

    private final KafkaSchemaStore store;
    private final HttpService http;

    private SchemaRegistryServer(KafkaSchemaStore store, HttpService http) {
        this.store = store;
        this.http = http;
    }

    public static SchemaRegistryServer start(RegistryConfig config) {
        KafkaSchemaStore store =
                new KafkaSchemaStore(config.kafkaClientProperties(), config.topic(), config.topicReplicationFactor());
        PrometheusMeterRegistry metrics = ServiceMetrics.create("schema-registry");
        HealthCheck health = new HealthCheck() {
            @Override
            public boolean isLive() {
                return true;
            }

            @Override
            public boolean isReady() {
                return true;
            }
        };
        HttpService http =
                HttpService.start("schema-registry", config, metrics, health, new RegistryRoutes(store)::addTo);
        return new SchemaRegistryServer(store, http);
    }

    public int port() {
        return http.port();
    }

    public String url() {
        return "http://127.0.0.1:" + http.port();
    }

    @Override
    public void close() {
        http.close();
        store.close();
    }

    public static void main(String[] args) {
        SchemaRegistryServer server = start(new RegistryConfig(ConfigFile.withEnvironment(System.getenv())));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
        log.info("Schema registry ready at {}", server.url());
    }
}
