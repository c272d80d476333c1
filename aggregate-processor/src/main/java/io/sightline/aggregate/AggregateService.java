package io.sightline.aggregate;

import io.sightline.aggregate.topology.AggregateTopology;
import io.sightline.common.config.ConfigFile;
import io.sightline.common.service.StreamsService;
import io.sightline.schemas.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The aggregate processor service: {@code events.enriched.v1} to {@code metrics.windowed.v1}. */
public final class AggregateService {

    private static final Logger log = LoggerFactory.getLogger(AggregateService.class);

    private AggregateService() {}

    public static StreamsService start(AggregateConfig config) {
        Topics topics = StreamsService.topics(config);
        return StreamsService.start(
                "aggregate-processor",
                config,
                topics,
                AggregateTopology.build(topics, config.topologySettings()),
                config.streamsProperties(),
                streams -> javalin -> {});
    }

    public static void main(String[] args) {
        StreamsService service = start(new AggregateConfig(ConfigFile.withEnvironment(System.getenv())));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "shutdown"));
        log.info("Aggregate processor started; health on port {}", service.httpPort());
    }
}
