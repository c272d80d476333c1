package io.sightline.registry;

import io.sightline.common.config.ServiceConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the schema registry server. */
public final class RegistryConfig extends ServiceConfig {

    public static final String TOPIC_CONFIG = "registry.topic";
    private static final String TOPIC_DOC =
            "Compacted topic that stores schemas and compatibility settings (Confluent's default name).";

    public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "registry.topic.replication.factor";
    private static final String TOPIC_REPLICATION_FACTOR_DOC =
            "Replication factor of the schemas topic when the registry creates it; use 3 in production.";

    public static final ConfigDef DEFINITION = baseDefinition(8090)
            .define(TOPIC_CONFIG, Type.STRING, "_schemas", new ConfigDef.NonEmptyString(), Importance.MEDIUM, TOPIC_DOC)
            .define(
                    TOPIC_REPLICATION_FACTOR_CONFIG,
                    Type.SHORT,
                    (short) 1,
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    TOPIC_REPLICATION_FACTOR_DOC);

    public RegistryConfig(Map<String, String> env) {
        super(DEFINITION, env);
    }

    public String topic() {
        return getString(TOPIC_CONFIG);
    }

    public short topicReplicationFactor() {
        return getShort(TOPIC_REPLICATION_FACTOR_CONFIG);
    }
}
