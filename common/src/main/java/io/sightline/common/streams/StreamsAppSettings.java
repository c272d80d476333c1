package io.sightline.common.streams;

import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.common.config.ServiceConfig;
import io.sightline.schemas.avro.DeadLetter;
import java.io.File;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;

/** Settings and Streams properties that every Sightline Streams app shares. */
public final class StreamsAppSettings {

    public static final String APPLICATION_ID_CONFIG = "application.id";
    private static final String APPLICATION_ID_DOC =
            "Kafka Streams application id: consumer group, and prefix of internal topics. Instances with the same id share the work.";

    public static final String STATE_DIR_CONFIG = "state.dir";
    private static final String STATE_DIR_DOC =
            "Directory for the app's local state stores; give each instance its own persistent one.";

    public static final String PROCESSING_GUARANTEE_CONFIG = "processing.guarantee";
    private static final String PROCESSING_GUARANTEE_DOC = "exactly_once_v2 (default) or at_least_once.";

    public static final String HANGING_TRANSACTIONS_ABORT_AFTER_MS_CONFIG = "hanging.transactions.abort.after.ms";
    private static final String HANGING_TRANSACTIONS_ABORT_AFTER_MS_DOC =
            "Abort a transaction left open on a partition this application reads or restores once it has stayed open"
                    + " this long and its coordinator no longer holds it (a hanging transaction stops every"
                    + " read_committed reader of the partition for good; Kafka's remedy is kafka-transactions.sh abort)."
                    + " 0 turns the check off.";

    private StreamsAppSettings() {}

    /** Adds the shared Streams settings to a service's definition. */
    public static ConfigDef define(ConfigDef definition, String defaultApplicationId) {
        return definition
                .define(
                        APPLICATION_ID_CONFIG,
                        Type.STRING,
                        defaultApplicationId,
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        APPLICATION_ID_DOC)
                .define(
                        STATE_DIR_CONFIG,
                        Type.STRING,
                        System.getProperty("java.io.tmpdir") + File.separator + "sightline-streams",
                        Importance.HIGH,
                        STATE_DIR_DOC)
                .define(
                        PROCESSING_GUARANTEE_CONFIG,
                        Type.STRING,
                        StreamsConfig.EXACTLY_ONCE_V2,
                        ConfigDef.ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE),
                        Importance.MEDIUM,
                        PROCESSING_GUARANTEE_DOC)
                .define(
                        HANGING_TRANSACTIONS_ABORT_AFTER_MS_CONFIG,
                        Type.LONG,
                        60_000L,
                        ConfigDef.Range.atLeast(0),
                        Importance.LOW,
                        HANGING_TRANSACTIONS_ABORT_AFTER_MS_DOC);
    }

    /**
     * Streams properties: exactly-once by default, dead-letter handlers for
     * deserialization, processing and production errors, and the operator's
     * pass-through Kafka properties on top.
     */
    public static Map<String, Object> properties(
            ServiceConfig config,
            String component,
            Serializer<DeadLetter> deadLetterSerializer,
            MeterRegistry meterRegistry) {
        Map<String, Object> props = new HashMap<>();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(APPLICATION_ID_CONFIG));
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(STATE_DIR_CONFIG));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.getString(PROCESSING_GUARANTEE_CONFIG));
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(DeadLetterHandler.COMPONENT_CONFIG, component);
        props.put(DeadLetterHandler.SERIALIZER_CONFIG, deadLetterSerializer);
        props.put(DeadLetterHandler.METER_REGISTRY_CONFIG, meterRegistry);
        // Classic rebalance protocol: it reaches RUNNING fastest and keeps IQ metadata exact.
        props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
        props.putAll(config.kafkaClientProperties());
        return props;
    }
}
