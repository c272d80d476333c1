package io.sightline.enrich;

import io.sightline.common.audit.AuditLog;
import io.sightline.common.config.ConfigFile;
import io.sightline.common.http.AccessTokens;
import io.sightline.common.service.StreamsService;
import io.sightline.enrich.context.UserAgentParser;
import io.sightline.enrich.topology.EnrichTopology;
import io.sightline.enrich.users.UserRoutes;
import io.sightline.schemas.Topics;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.state.HostInfo;
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
        Optional<HostInfo> self = config.advertisedEndpoint();
        AccessTokens tokens = AccessTokens.parse(config.accessTokens(), Map.of(), false);
        AuditLog audit = new AuditLog("enrich-processor", topics, config.kafkaClientProperties());
        // Other instances forward user lookups here when this one owns the user's partition.
        Map<String, Object> props = self.map(StreamsService::advertising).orElse(Map.of());
        StreamsService service = StreamsService.start(
                "enrich-processor",
                config,
                topics,
                EnrichTopology.build(topics, config.topologySettings()),
                props,
                streams -> new UserRoutes(streams, self, tokens, audit)::addTo);
        service.closeWith(audit);
        return service;
    }

    public static void main(String[] args) {
        StreamsService service = start(new EnrichConfig(ConfigFile.withEnvironment(System.getenv())));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "shutdown"));
        log.info("Enrich processor started; health on port {}", service.httpPort());
    }
}
