package io.sightline.aggregate;

import io.sightline.common.config.ServiceConfig;
import io.sightline.common.streams.StreamsConfigs;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the aggregate processor. */
public final class AggregateConfig extends ServiceConfig {

    public static final String WINDOW_GRACE_MS_CONFIG = "window.grace.ms";
    private static final String WINDOW_GRACE_MS_DOC = "How long after a window ends late events still count in it; later ones are dropped and counted in Streams' dropped-records metric.";

    public static final String WINDOW_RETENTION_MS_CONFIG = "window.retention.ms";
    private static final String WINDOW_RETENTION_MS_DOC = "How long the processor keeps window aggregates in its store (at least window size + grace).";

    public static final ConfigDef DEFINITION = StreamsConfigs.define(baseDefinition(8083), "sightline-aggregate")
            .define(WINDOW_GRACE_MS_CONFIG, Type.LONG, Duration.ofMinutes(1).toMillis(), ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM, WINDOW_GRACE_MS_DOC)
            .define(WINDOW_RETENTION_MS_CONFIG, Type.LONG, Duration.ofHours(2).toMillis(), ConfigDef.Range.atLeast(60_000),
                    Importance.LOW, WINDOW_RETENTION_MS_DOC);

    public AggregateConfig(Map<String, String> env) {
        super(DEFINITION, env);
    }

    public Duration windowGrace() {
        return Duration.ofMillis(getLong(WINDOW_GRACE_MS_CONFIG));
    }

    public Duration windowRetention() {
        return Duration.ofMillis(getLong(WINDOW_RETENTION_MS_CONFIG));
    }
}
