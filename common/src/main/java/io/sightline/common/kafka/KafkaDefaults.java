package io.sightline.common.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Kafka client settings Sightline uses unless the operator overrides them. */
public final class KafkaDefaults {

    private KafkaDefaults() {}

    /**
     * A durable, ordered producer: idempotent with {@code acks=all}, so a retry never
     * duplicates or reorders and an acknowledged write survives a broker loss; lz4 and a
     * short linger for throughput. {@code overrides} (the operator's pass-through
     * properties) win.
     */
    public static Map<String, Object> durableProducer(Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        props.putAll(overrides);
        return props;
    }
}
