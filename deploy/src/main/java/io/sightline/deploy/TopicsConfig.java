package io.sightline.deploy;

import io.sightline.common.config.Settings;
import io.sightline.common.kafka.RetentionClass;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings of {@code sightline create-topics}, the one-shot job that creates the
 * pipeline's topics before the services start. Kafka security settings pass through
 * as {@code SIGHTLINE_KAFKA_*}, exactly as for the services, so the job reuses their Secrets.
 */
public final class TopicsConfig extends AbstractConfig {

    private static final Logger log = LoggerFactory.getLogger(TopicsConfig.class);

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

    /** The setting of one class's retention: {@code topics.retention.<class>.ms}. */
    public static String retentionSetting(RetentionClass c) {
        return "topics.retention." + c.label() + ".ms";
    }

    public static final ConfigDef DEFINITION = defineRetention(new ConfigDef()
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
                    MIN_INSYNC_REPLICAS_DOC));

    private static ConfigDef defineRetention(ConfigDef definition) {
        for (RetentionClass c : RetentionClass.values()) {
            definition.define(
                    retentionSetting(c),
                    Type.LONG,
                    c.defaultRetention().toMillis(),
                    ConfigDef.Range.atLeast(Duration.ofHours(1).toMillis()),
                    Importance.MEDIUM,
                    "retention.ms of " + String.join(", ", c.topics()) + " (" + c.holds()
                            + "), set on new and existing topics"
                            + (c.holdsEvents()
                                    ? "; it bounds how long a deleted user's events outlive the deletion"
                                    : "")
                            + ".");
        }
        return definition;
    }

    private final Map<String, String> env;

    public TopicsConfig(Map<String, String> env) {
        super(DEFINITION, Settings.fromEnv(DEFINITION, env), false);
        this.env = Map.copyOf(env);
        if (minInsyncReplicas() > replicationFactor()) {
            throw new ConfigException("SIGHTLINE_TOPICS_MIN_INSYNC_REPLICAS (" + minInsyncReplicas()
                    + ") must not exceed SIGHTLINE_TOPICS_REPLICATION_FACTOR (" + replicationFactor()
                    + "), or no write could ever be acknowledged");
        }
        for (RetentionClass c : RetentionClass.values()) {
            if (c.holdsEvents() && retention().get(c).compareTo(RetentionClass.DELETION_PROMISE) > 0) {
                log.warn(
                        "{} keeps events {} days: a deleted user's events outlive the deletion longer than {} days",
                        Settings.envName(retentionSetting(c)),
                        retention().get(c).toDays(),
                        RetentionClass.DELETION_PROMISE.toDays());
            }
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

    /** The retention of each class of topic. */
    public Map<RetentionClass, Duration> retention() {
        Map<RetentionClass, Duration> retention = new EnumMap<>(RetentionClass.class);
        for (RetentionClass c : RetentionClass.values()) {
            retention.put(c, Duration.ofMillis(getLong(retentionSetting(c))));
        }
        return retention;
    }

    /** Admin client properties: bootstrap servers plus the {@code SIGHTLINE_KAFKA_*} pass-through (SASL, TLS). */
    public Map<String, Object> adminProperties() {
        return Settings.kafkaClientProperties(getString(KAFKA_BOOTSTRAP_SERVERS_CONFIG), env);
    }
}
