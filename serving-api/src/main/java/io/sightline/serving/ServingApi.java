package io.sightline.serving;

import io.sightline.common.streams.StreamsService;
import io.sightline.schemas.Topics;
import io.sightline.serving.http.ServingRoutes;
import io.sightline.serving.query.AlertQueries;
import io.sightline.serving.query.MetricQueries;
import io.sightline.serving.query.ReplicaClient;
import io.sightline.serving.topology.ServingTopology;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The serving API: metrics and alerts materialized from Kafka and answered over HTTP. */
public final class ServingApi {

    private static final Logger log = LoggerFactory.getLogger(ServingApi.class);

    private ServingApi() {
    }

    public static StreamsService start(ServingConfig config) {
        Topics topics = StreamsService.topics(config);
        HostInfo self = config.advertisedEndpoint();
        ReplicaClient replicas = new ReplicaClient(config.forwardTimeout());
        return StreamsService.start("serving-api", config, topics, ServingTopology.build(topics, config.metricsRetention()),
                Map.of(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port()),
                streams -> new ServingRoutes(new MetricQueries(streams, self, replicas), new AlertQueries(streams, self, replicas))::addTo);
    }

    public static void main(String[] args) {
        StreamsService service = start(new ServingConfig(System.getenv()));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "shutdown"));
        log.info("Serving API listening on port {}", service.httpPort());
    }
}
