package io.sightline.common.service;

import io.javalin.config.JavalinConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sightline.common.config.ServiceConfig;
import io.sightline.common.http.HttpService;
import io.sightline.common.kafka.HangingTransactionGuard;
import io.sightline.common.metrics.ServiceMetrics;
import io.sightline.common.streams.StreamsApp;
import io.sightline.common.streams.StreamsAppSettings;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.registry.RestSchemaRegistryClient;
import io.sightline.schemas.registry.SchemaRegistryClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.state.HostInfo;

/**
 * A Streams app with its HTTP server: the shape every Sightline processor shares.
 * The topology comes from the service's own pure {@code build} method.
 */
public final class StreamsService implements AutoCloseable {

    private final StreamsApp app;
    private final HttpService http;
    private final PrometheusMeterRegistry metrics;
    private final java.util.List<AutoCloseable> companions = new java.util.concurrent.CopyOnWriteArrayList<>();

    private StreamsService(StreamsApp app, HttpService http, PrometheusMeterRegistry metrics) {
        this.app = app;
        this.http = http;
        this.metrics = metrics;
    }

    /** The topic registry backed by the configured schema registry. */
    public static Topics topics(ServiceConfig config) {
        SchemaRegistryClient registry = new RestSchemaRegistryClient(
                config.schemaRegistryUrl(), config.schemaRegistryUserInfo(), Duration.ofSeconds(10));
        return new Topics(registry);
    }

    /**
     * Starts {@code topology} and an HTTP server with health, metrics and the routes
     * that {@code routes} adds for the running streams (none for plain processors).
     *
     * @param extraProperties Streams properties on top of the shared defaults
     */
    public static StreamsService start(
            String name,
            ServiceConfig config,
            Topics topics,
            Topology topology,
            Map<String, Object> extraProperties,
            Function<KafkaStreams, Consumer<JavalinConfig>> routes) {
        PrometheusMeterRegistry metrics = ServiceMetrics.create(name);
        Map<String, Object> props = new HashMap<>(StreamsAppSettings.properties(
                config, name, topics.valueSerde(DeadLetter.class).serializer(), metrics));
        props.putAll(extraProperties);
        StreamsApp app = new StreamsApp(name, topology, props, metrics);
        HttpService http = HttpService.start(name, config, metrics, app.health(), routes.apply(app.streams()));
        app.start();
        StreamsService service = new StreamsService(app, http, metrics);
        long abortAfter = config.getLong(StreamsAppSettings.HANGING_TRANSACTIONS_ABORT_AFTER_MS_CONFIG);
        if (abortAfter > 0) {
            service.closeWith(new HangingTransactionGuard(
                            config.kafkaClientProperties(),
                            readOrRestored(topology, config.getString(StreamsAppSettings.APPLICATION_ID_CONFIG)),
                            Duration.ofMillis(abortAfter),
                            name,
                            metrics,
                            Clock.systemUTC())
                    .start(Duration.ofMillis(Math.max(1_000, abortAfter / 4))));
        }
        return service;
    }

    /**
     * The topics whose hanging transactions would stop this application: its sources and its
     * internal topics (changelogs it restores, repartition topics), named after its application id.
     */
    private static Predicate<String> readOrRestored(Topology topology, String applicationId) {
        Set<String> sources = new TreeSet<>();
        for (TopologyDescription.Subtopology sub : topology.describe().subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
                    sources.addAll(source.topicSet());
                }
            }
        }
        for (TopologyDescription.GlobalStore global : topology.describe().globalStores()) {
            if (global.source().topicSet() != null) {
                sources.addAll(global.source().topicSet());
            }
        }
        // Internal topics appear in the description without the application id: matched by prefix instead.
        return topic -> sources.contains(topic) || topic.startsWith(applicationId + "-");
    }

    /** Streams' {@code application.server}: where the other instances reach this one for interactive queries. */
    public static Map<String, Object> advertising(HostInfo self) {
        return Map.of(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
    }

    /** Starts a processor that has no routes of its own. */
    public static StreamsService start(String name, ServiceConfig config, Topics topics, Topology topology) {
        return start(name, config, topics, topology, Map.of(), streams -> javalin -> {});
    }

    public StreamsApp app() {
        return app;
    }

    /** The service's meter registry, for metrics of parts outside the topology. */
    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    public int httpPort() {
        return http.port();
    }

    /** Closes {@code part} (a helper thread of the service, say) when the service closes, before the streams. */
    public <T extends AutoCloseable> T closeWith(T part) {
        companions.add(0, part);
        return part;
    }

    @Override
    public void close() {
        http.close();
        for (AutoCloseable part : companions) {
            try {
                part.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(StreamsService.class)
                        .warn("Closing {} failed: {}", part, e.toString());
            }
        }
        app.close();
    }
}
