package io.sightline.serving;

import io.sightline.common.config.ServiceConfig;
import io.sightline.common.streams.StreamsAppSettings;
import io.sightline.serving.topology.ServingSettings;
import io.sightline.serving.topology.ServingTopology;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Settings of the serving API. */
public final class ServingConfig extends ServiceConfig {

    /** The setting of the warm tier for windows of {@code size}: {@code metrics.retention.1m.ms}, ... */
    public static String retentionSetting(Duration size) {
        return "metrics.retention." + ServingTopology.label(size) + ".ms";
    }

    public static final String FORWARD_TIMEOUT_MS_CONFIG = "forward.timeout.ms";
    private static final String FORWARD_TIMEOUT_MS_DOC =
            "How long a replica waits for another replica that owns the data before answering 503.";

    public static final String READ_TOKENS_CONFIG = tokensSetting("read");

    public static final String STREAM_MAX_CLIENTS_CONFIG = "stream.max.clients";
    private static final String STREAM_MAX_CLIENTS_DOC =
            "Most concurrent /v1/stream clients per replica; more get 503.";

    public static final String STREAM_HEARTBEAT_MS_CONFIG = "stream.heartbeat.ms";
    private static final String STREAM_HEARTBEAT_MS_DOC =
            "Interval of heartbeat comments on /v1/stream, so proxies keep idle streams open.";

    public static final ConfigDef DEFINITION = defineRetention(StreamsAppSettings.define(
                    withTokens(
                            withAdvertisedEndpoint(withCors(baseDefinition(8081), "")),
                            "read",
                            Importance.HIGH,
                            "Tokens with the scopes metrics:read and quality:read, named read; with these and access.tokens empty"
                                    + " the API is open (local use only)."),
                    "sightline-serving")
            .define(
                    STREAM_MAX_CLIENTS_CONFIG,
                    Type.INT,
                    100,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    STREAM_MAX_CLIENTS_DOC)
            .define(
                    STREAM_HEARTBEAT_MS_CONFIG,
                    Type.LONG,
                    15_000L,
                    ConfigDef.Range.atLeast(100),
                    Importance.LOW,
                    STREAM_HEARTBEAT_MS_DOC)
            .define(
                    FORWARD_TIMEOUT_MS_CONFIG,
                    Type.LONG,
                    5_000L,
                    ConfigDef.Range.atLeast(100),
                    Importance.LOW,
                    FORWARD_TIMEOUT_MS_DOC));

    public ServingConfig(Map<String, String> env) {
        super(DEFINITION, env);
        if (httpPort() == 0 && getString(ADVERTISED_ENDPOINT_CONFIG).isBlank()) {
            // Other replicas must know where to forward; a random port cannot be advertised before it is bound.
            throw new ConfigException("SIGHTLINE_HTTP_PORT 0 needs SIGHTLINE_ADVERTISED_ENDPOINT, or set a fixed port");
        }
    }

    /** Accepted read tokens; empty when the API is open. */
    public java.util.Set<String> readTokens() {
        return tokens("read");
    }

    public int streamMaxClients() {
        return getInt(STREAM_MAX_CLIENTS_CONFIG);
    }

    public Duration streamHeartbeat() {
        return Duration.ofMillis(getLong(STREAM_HEARTBEAT_MS_CONFIG));
    }

    /** What the topology needs from these settings. */
    public ServingSettings topologySettings() {
        Map<Duration, Duration> retention = new LinkedHashMap<>();
        for (Duration size : ServingTopology.WINDOW_SIZES) {
            retention.put(size, Duration.ofMillis(getLong(retentionSetting(size))));
        }
        return new ServingSettings(retention);
    }

    /** The warm tier: a retention per window size, expired by the window stores. */
    private static ConfigDef defineRetention(ConfigDef definition) {
        for (Duration size : ServingTopology.WINDOW_SIZES) {
            definition.define(
                    retentionSetting(size),
                    Type.LONG,
                    ServingTopology.DEFAULT_RETENTION.get(size).toMillis(),
                    ConfigDef.Range.atLeast(size.toMillis()),
                    Importance.MEDIUM,
                    "How far back metric windows of " + ServingTopology.label(size)
                            + " stay queryable; a query beyond it is answered 400 beyond_retention.");
        }
        return definition;
    }

    public Duration forwardTimeout() {
        return Duration.ofMillis(getLong(FORWARD_TIMEOUT_MS_CONFIG));
    }
}
