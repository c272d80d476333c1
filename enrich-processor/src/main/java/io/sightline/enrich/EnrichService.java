package io.sightline.enrich;

import io.sightline.common.config.ConfigFile;
import io.sightline.common.service.StreamsService;
import io.sightline.enrich.context.UserAgentParser;
import io.sightline.enrich.topology.EnrichTopology;
import io.sightline.schemas.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The enrich processor service: {@code events.raw.v1} to {@code events.enriched.v1}. */
public final class EnrichService {

    private static final Logger log = LoggerFactory.getLogger(EnrichService.class);

    private EnrichService() {}

    public static StreamsService start(EnrichConfig config) {
        // Yauaa loads thousands of rules (seconds): before the stream thread runs, not on its first event.
        long t0 = System.nanoTime();
        UserAgentParser.load();
        log.info("User-agent rules loaded in {} ms", (System.nanoTime() - t0) / 1_000_000);
        Topics topics = StreamsService.topics(config);
        return StreamsService.start(
                "enrich-processor", config, topics, EnrichTopology.build(topics, config.topologySettings()));
    }

    public static void main(String[] args) {
        StreamsService service = start(new EnrichConfig(ConfigFile.withEnvironment(System.getenv())));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "shutdown"));
        log.info("Enrich processor started; health on port {}", service.httpPort());
    }
}
