package io.sightline.aggregate.topology;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.aggregate.AggregateConfig;
import io.sightline.aggregate.definition.LatenessHorizons;
import io.sightline.aggregate.definition.MetricDefinitions;
import io.sightline.common.streams.StreamsAppSettings;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.TopologyTestDriver;

/** The aggregate topology in a test driver, configured as the service configures it, publishing every update. */
final class AggregateTestDriver {

    private AggregateTestDriver() {}

    static TopologyTestDriver start(
            Topics topics, Path stateDir, MetricDefinitions definitions, Duration grace, LatenessHorizons horizons) {
        AggregateConfig config = new AggregateConfig(Map.of("SIGHTLINE_STATE_DIR", stateDir.toString()));
        Properties props = new Properties();
        props.putAll(StreamsAppSettings.properties(
                config,
                "aggregate-processor",
                topics.valueSerde(DeadLetter.class).serializer(),
                new SimpleMeterRegistry()));
        props.putAll(config.streamsProperties());
        return new TopologyTestDriver(
                AggregateTopology.build(
                        topics, new AggregateSettings(definitions, grace, horizons, Duration.ZERO, 1000)),
                props);
    }
}
