package io.sightline.common.streams;

import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.TrackedEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Stream time follows when the gateway received each event ({@code receivedAt}), a
 * clock no producer controls: one client's fast clock cannot close everyone else's
 * windows. Processors still place each event by its own corrected {@code timestamp}.
 */
public final class ReceiveTimeExtractor implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        Object value = record.value();
        if (value instanceof TrackedEvent e) {
            return e.getReceivedAt().toEpochMilli();
        }
        if (value instanceof EnrichedEvent e) {
            return e.getEvent().getReceivedAt().toEpochMilli();
        }
        return record.timestamp();
    }
}
