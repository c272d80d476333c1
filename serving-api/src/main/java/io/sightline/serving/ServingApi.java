package io.sightline.serving;

import io.sightline.common.config.ConfigFile;
import io.sightline.common.http.AccessTokens;
import io.sightline.common.http.Scope;
import io.sightline.common.service.StreamsService;
import io.sightline.common.streams.StreamsAppSettings;
import io.sightline.plans.TrackingPlanFeed;
import io.sightline.plans.TrackingPlanStore;
import io.sightline.schemas.Topics;
import io.sightline.serving.http.EventCatalogRoutes;
import io.sightline.serving.http.ServingRoutes;
import io.sightline.serving.live.LiveUpdates;
import io.sightline.serving.query.AlertQueries;
import io.sightline.serving.query.CatalogQueries;
import io.sightline.serving.query.EventCatalogQueries;
import io.sightline.serving.query.MetricQueries;
import io.sightline.serving.query.QualityQueries;
import io.sightline.serving.query.ReplicaClient;
import io.sightline.serving.query.StoreRouter;
import io.sightline.serving.topology.ServingTopology;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The serving API: metrics and alerts materialized from Kafka and answered over HTTP, live. */
public final class ServingApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServingApi.class);

    private final StreamsService service;
    private final LiveUpdates live;
    private final TrackingPlanFeed plans;

    private ServingApi(StreamsService service, LiveUpdates live, TrackingPlanFeed plans) {
        this.service = service;
        this.live = live;
        this.plans = plans;
    }

    public static ServingApi start(ServingConfig config) {
        Topics topics = StreamsService.topics(config);
        // The configuration refuses port 0 without an advertised endpoint, so there is one.
        HostInfo self = config.advertisedEndpoint().orElseThrow();
        ReplicaClient replicas = new ReplicaClient(
                config.forwardTimeout(),
                config.readTokens().stream().sorted().findFirst().orElse(null));
        Map<String, Object> props = new HashMap<>();
        props.putAll(StreamsService.advertising(self));
        // A standby per store, so a replica can answer (marked stale) while another restores.
        if (!config.kafkaClientProperties().containsKey(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)) {
            props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        }
        LiveUpdates live = new LiveUpdates(config.kafkaClientProperties(), topics.registry());
        TrackingPlanStore planStore = new TrackingPlanStore();
        TrackingPlanFeed plans =
                new TrackingPlanFeed(config.kafkaClientProperties(), topics.registry(), planStore, "serving-api");
        AccessTokens tokens = AccessTokens.parse(
                config.accessTokens(),
                Map.of(
                        "read",
                        new AccessTokens.LegacyTokens(
                                config.readTokens(), Set.of(Scope.METRICS_READ, Scope.QUALITY_READ))),
                true);
        Topology topology = ServingTopology.build(topics, config.topologySettings());
        Map<String, Set<String>> sourcesByStore = StoreRouter.sourcesByStore(
                topology.describe(), config.getString(StreamsAppSettings.APPLICATION_ID_CONFIG));
        StreamsService service = StreamsService.start("serving-api", config, topics, topology, props, streams -> {
            StoreRouter router = new StoreRouter(streams, self, sourcesByStore);
            CatalogQueries catalog = new CatalogQueries(router, replicas);
            ServingRoutes routes = new ServingRoutes(
                    new MetricQueries(router, catalog, replicas, config.topologySettings()),
                    catalog,
                    new AlertQueries(router, replicas),
                    new QualityQueries(router, replicas),
                    live,
                    tokens,
                    config.streamMaxClients(),
                    config.streamHeartbeat());
            EventCatalogRoutes events = new EventCatalogRoutes(new EventCatalogQueries(router, planStore));
            return javalin -> {
                routes.addTo(javalin);
                events.addTo(javalin);
            };
        });
        live.bindTo(service.metrics());
        live.start();
        if (!tokens.grants(Scope.METRICS_READ)) {
            log.warn("serving-api: no token has metrics:read (SIGHTLINE_ACCESS_TOKENS, SIGHTLINE_READ_TOKENS);"
                    + " the metrics API is open to anyone who can reach it");
        }
        return new ServingApi(service, live, plans);
    }

    public StreamsService service() {
        return service;
    }

    public int httpPort() {
        return service.httpPort();
    }

    @Override
    public void close() {
        live.close();
        plans.close();
        service.close();
    }

    public static void main(String[] args) {
        ServingApi api = start(new ServingConfig(ConfigFile.withEnvironment(System.getenv())));
        Runtime.getRuntime().addShutdownHook(new Thread(api::close, "shutdown"));
        log.info("Serving API listening on port {}", api.httpPort());
    }
}
