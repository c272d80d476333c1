package io.sightline.deploy;

import io.sightline.common.config.Settings;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of {@code sightline create-topics}, the one-shot job that creates the
 * pipeline's topics before the services start. Kafka security settings pass through
 * as {@code SIGHTLINE_KAFKA_*}, exactly as for the services, so the job reuses their Secrets.
 */
public final class TopicsConfig extends AbstractConfig {

    public static final String KAFKA_BOOTSTRAP_SERVERS_CONFIG = "kafka.bootstrap.servers";
    private static final String KAFKA_BOOTSTRAP_SERVERS_DOC =
            "Kafka brokers to bootstrap from (host:port, comma-separated).";

    public static final String PARTITIONS_CONFIG = "topics.partitions";
    private static final String PARTITIONS_DOC =
            "Partitions of each pipeline topic when create-topics creates it; caps how many Streams instances share the work.";

    public static final String REPLICATION_FACTOR_CONFIG = "topics.replication.factor";
    private static final String REPLICATION_FACTOR_DOC =
            "Replication factor of each pipeline topic when create-topics creates it; 3 in production.";

    public static final String MIN_INSYNC_REPLICAS_CONFIG = "topics.min.insync.replicas";
    private static final String MIN_INSYNC_REPLICAS_DOC =
            "min.insync.replicas of each pipeline topic; 2 with replication factor 3, so one broker can be down without losing an acknowledged write.";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(
                    KAFKA_BOOTSTRAP_SERVERS_CONFIG,
                    Type.STRING,
                    "localhost:9092",
                    new ConfigDef.NonEmptyString(),
                    Importance.HIGH,
                    KAFKA_BOOTSTRAP_SERVERS_DOC)
            .define(PARTITIONS_CONFIG, Type.INT, 6, ConfigDef.Range.atLeast(1), Importance.HIGH, PARTITIONS_DOC)
            .define(
                    REPLICATION_FACTOR_CONFIG,
                    Type.SHORT,
                    (short) 3,
                    ConfigDef.Range.atLeast(1),
                    Importance.HIGH,
                    REPLICATION_FACTOR_DOC)
            .define(
                    MIN_INSYNC_REPLICAS_CONFIG,
                    Type.INT,
                    2,
                    ConfigDef.Range.atLeast(1),
                    Importance.HIGH,
                    MIN_INSYNC_REPLICAS_DOC);

    private final Map<String, String> env;

    public TopicsConfig(Map<String, String> env) {
        super(DEFINITION, Settings.fromEnv(DEFINITION, env), false);
        this.env = Map.copyOf(env);
        if (minInsyncReplicas() > replicationFactor()) {
            throw new ConfigException("SIGHTLINE_TOPICS_MIN_INSYNC_REPLICAS (" + minInsyncReplicas()
                    + ") must not exceed SIGHTLINE_TOPICS_REPLICATION_FACTOR (" + replicationFactor()
                    + "), or no write could ever be acknowledged");
        }
    }

    public int partitions() {
        return getInt(PARTITIONS_CONFIG);
    }

    public short replicationFactor() {
        return getShort(REPLICATION_FACTOR_CONFIG);
    }

    public int minInsyncReplicas() {
        return getInt(MIN_INSYNC_REPLICAS_CONFIG);
    }

    /** Admin client properties: bootstrap servers plus the {@code SIGHTLINE_KAFKA_*} pass-through (SASL, TLS). */
    public Map<String, Object> adminProperties() {
        return Settings.kafkaClientProperties(getString(KAFKA_BOOTSTRAP_SERVERS_CONFIG), env);
    }
}
