package io.sightline.anomaly;

import io.sightline.anomaly.forwarding.AlertForwarder;
import io.sightline.anomaly.http.SeriesRoutes;
import io.sightline.anomaly.quality.PipelineLagProbe;
import io.sightline.anomaly.topology.AnomalyTopology;
import io.sightline.common.config.ConfigFile;
import io.sightline.common.service.StreamsService;
import io.sightline.common.streams.StreamsAppSettings;
import io.sightline.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The anomaly processor service: {@code metrics.windowed.v1} to {@code alerts.v1}, plus
 * the pipeline lag probe that feeds the {@code pipeline_lag_seconds} series.
 */
public final class AnomalyService {

    private static final Logger log = LoggerFactory.getLogger(AnomalyService.class);

    private AnomalyService() {}

    public static StreamsService start(AnomalyConfig config) {
        Topics topics = StreamsService.topics(config);
        AlertForwarder forwarder = config.forwarder();
        if (forwarder != null) {
            forwarder.start();
        }
        // The lag probe starts after the service (it reports into its meters): the topology asks it through this.
        AtomicReference<PipelineLagProbe> probe = new AtomicReference<>();
        double maxLagSeconds = config.getDouble(AnomalyConfig.LAG_MAX_SECONDS_CONFIG);
        String self = config.getString(StreamsAppSettings.APPLICATION_ID_CONFIG);
        StreamsService service = StreamsService.start(
                "anomaly-processor",
                config,
                topics,
                AnomalyTopology.build(
                        topics,
                        config.topologySettings()
                                .withForwarder(forwarder)
                                .withUpstream(
                                        () -> probe.get() == null || probe.get().othersCaughtUp(self, maxLagSeconds))),
                Map.of(),
                streams -> javalin -> new SeriesRoutes(streams).addTo(javalin));
        if (forwarder != null) {
            // Closed with the service, not only with the process: several services share a JVM on the local stack.
            service.closeWith(forwarder);
        }
        Duration lagInterval = Duration.ofMillis(config.getLong(AnomalyConfig.LAG_INTERVAL_MS_CONFIG));
        if (!lagInterval.isZero()) {
            probe.set(service.closeWith(new PipelineLagProbe(
                            config.kafkaClientProperties(),
                            topics.metricsWindowed(),
                            config.getList(AnomalyConfig.LAG_GROUPS_CONFIG),
                            lagInterval,
                            service.metrics(),
                            Clock.systemUTC())
                    .start()));
        }
        return service;
    }

    public static void main(String[] args) {
        StreamsService service = start(new AnomalyConfig(ConfigFile.withEnvironment(System.getenv())));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "shutdown"));
        log.info("Anomaly processor started; health on port {}", service.httpPort());
    }
}
