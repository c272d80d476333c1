package io.sightline.archive;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sightline.common.config.ConfigFile;
import io.sightline.common.health.HealthCheck;
import io.sightline.common.http.HttpService;
import io.sightline.common.metrics.ServiceMetrics;
import io.sightline.schemas.Topics;
import io.sightline.schemas.registry.RestSchemaRegistryClient;
import io.sightline.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archiver as a service: the {@link Archiver} on its own thread, with {@code /metrics}
 * and health. Ready once it has its partitions and knows where the archive stands.
 */
public final class ArchiverService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ArchiverService.class);

    private final Archiver archiver;
    private final Thread thread;
    private final HttpService http;
    private final ArchiveStore store;

    private ArchiverService(Archiver archiver, Thread thread, HttpService http, ArchiveStore store) {
        this.archiver = archiver;
        this.thread = thread;
        this.http = http;
        this.store = store;
    }

    public static ArchiverService start(ArchiveConfig config) {
        try {
            SchemaRegistryClient registry = new RestSchemaRegistryClient(
                    config.schemaRegistryUrl(), config.schemaRegistryUserInfo(), java.time.Duration.ofSeconds(10));
            ArchiveStore store = config.store();
            PrometheusMeterRegistry metrics = ServiceMetrics.create(Archiver.APPLICATION);
            Archiver archiver = new Archiver(config, store, new Topics(registry), metrics);
            Thread thread = new Thread(archiver, "archiver");
            thread.start();
            HealthCheck health = new HealthCheck() {
                @Override
                public boolean isLive() {
                    return thread.isAlive();
                }

                @Override
                public boolean isReady() {
                    return thread.isAlive() && archiver.isReady();
                }

                @Override
                public Map<String, Object> details() {
                    return Map.of("archive", store.location());
                }
            };
            HttpService http = HttpService.start(Archiver.APPLICATION, config, metrics, health, routes -> {});
            return new ArchiverService(archiver, thread, http, store);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the archive: " + e.getMessage(), e);
        }
    }

    public int port() {
        return http.port();
    }

    public boolean isReady() {
        return archiver.isReady();
    }

    @Override
    public void close() {
        archiver.close();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
        if (store instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("Closing the archive store: {}", e.toString());
            }
        }
    }

    public static void main(String[] args) {
        ArchiverService service = start(new ArchiveConfig(ConfigFile.withEnvironment(System.getenv())));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "shutdown"));
        log.info("Archiver ready on port {}", service.port());
    }
}
