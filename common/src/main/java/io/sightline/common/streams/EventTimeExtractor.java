package io.sightline.common.streams;

import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.TrackedEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Windows follow when an event happened (the gateway's skew-corrected
 * {@code timestamp}), not when Kafka received it.
 */
public final class EventTimeExtractor implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        Object value = record.value();
        if (value instanceof TrackedEvent e) {
            return e.getTimestamp().toEpochMilli();
        }
        if (value instanceof EnrichedEvent e) {
            return e.getEvent().getTimestamp().toEpochMilli();
        }
        return record.timestamp();
    }
}
